"""Sharing what happened: contributions, moderation, themes, prompts, the wall."""
