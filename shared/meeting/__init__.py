"""The meeting itself: preparing it, its phases and timer, the people who join, and what
every screen shows of it.

A feature: imports ``shared.core``, ``shared.domain`` and ``shared.kaders`` (a phase's
guards look at the kaders); imported by the other edges and ``shared.screens``.
"""
