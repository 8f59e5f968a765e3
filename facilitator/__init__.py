"""The facilitator's side: console, beamer, meeting preparation and the plan's download
(``pages.py``), and the console's and beamer's Socket.IO intents (``events.py``).

Imports the features, ``shared.web`` and ``shared.realtime``; imported only by the app
factory. It does not import ``participant`` (import-linter keeps the two apart).
"""
