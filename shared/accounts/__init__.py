"""Facilitator accounts: creating them, logging in, the first-run link, sessions that end."""
