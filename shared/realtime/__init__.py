"""Getting changes to screens: the Socket.IO edge (authentication, one decorator per
intent, packet guards), presence, and the hub that coalesces updates.

Imports ``shared.web``, ``shared.screens``, core and domain; imported by the audiences'
``events.py`` and the app factory. No feature imports it: services return a ``Change``
and the edge hands it to the hub after the commit.
"""
