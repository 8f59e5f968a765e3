"""Signing and the sealed plan: signatures, the record, its digest, rendering and caching
the document, and its verification.

A feature: imports ``shared.core``, ``shared.domain``, ``shared.kaders`` and
``shared.plandoc`` (the document library); imported by the screens and the audiences.
"""
