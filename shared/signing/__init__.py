"""Signing and the sealed plan: signatures, the record, its digest, the document and its
verification.
"""
