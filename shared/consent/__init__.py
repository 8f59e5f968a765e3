"""Consent rounds, objections and how they end, and the plan's agreements."""
