"""Kaders (frameworks): the framework parties, their kaders, flags, the check and follow-up
agreements.
"""
