"""Sharing what happened: contributions, moderation, themes, prompts, the wall.

A feature: imports ``shared.core`` and ``shared.domain``; imported by
``shared.proposals``, the screens and the audiences.
"""
