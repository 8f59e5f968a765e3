"""The core every feature builds on: the database and its rows, the one error type's
catalogue, the intent plumbing (idempotent, versioned commits), the view-key registry
and small in-process guards. Imports no feature.
"""
