"""Consent rounds, objections and how they end, and the plan's agreements.

A feature: imports ``shared.core``, ``shared.domain`` and ``shared.proposals`` (a round
asks about a proposal's version); imported by ``shared.screens`` and the audiences' events.
"""
