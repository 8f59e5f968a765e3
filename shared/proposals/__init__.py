"""Proposals, support voting, merging and the shortlist."""
