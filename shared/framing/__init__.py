"""Framing: the issue statement's versions, information items and the recognition check."""
