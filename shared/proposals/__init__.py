"""Proposals, their versions and word diffs, support voting, merging and the shortlist.

A feature: imports ``shared.core``, ``shared.domain`` and ``shared.sharing`` (a proposal
made from a contribution); imported by ``shared.consent``, the screens and the audiences.
"""
