"""The participant's side: joining by code or QR, the phone page and a framework party's
link (``pages.py``), and the phone's Socket.IO intents (``events.py``).

Imports the features, ``shared.web`` and ``shared.realtime``; imported only by the app
factory. It does not import ``facilitator``.
"""
