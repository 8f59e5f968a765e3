"""Who speaks: the speaking queue and rounds.

A feature: imports ``shared.core`` and ``shared.domain``; imported by the screens and
the audiences' events.
"""
