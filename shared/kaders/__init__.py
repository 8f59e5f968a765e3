"""Kaders (frameworks): the framework parties, their kaders, flags, the check and follow-up
agreements.

A feature: imports ``shared.core`` and ``shared.domain``; imported by ``shared.meeting``
(a meeting's kaders), ``shared.signing`` (the record), the screens and the audiences.
"""
