"""The browser tests share the root conftest's Chromium (`tests/conftest.py`)."""
