"""Facilitator accounts: creating them, logging in, the first-run link, sessions that end.

A feature: imports ``shared.core`` and ``shared.domain``; imported by the web edge and
the audiences' pages.
"""
