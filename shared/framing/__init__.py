"""Framing: the issue statement's versions, information items and the recognition check.

A feature: imports ``shared.core`` and ``shared.domain``; imported by ``shared.screens``
and the audiences' events.
"""
