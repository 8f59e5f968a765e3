"""Breakout tables with their hosts.

A feature: imports ``shared.core`` and ``shared.domain``; imported by the screens and
the audiences' events.
"""
