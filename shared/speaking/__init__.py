"""Who speaks: the speaking queue and rounds."""
