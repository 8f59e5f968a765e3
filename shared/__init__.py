"""Plandag's own package: domain core, persistence, realtime hub and app factory."""
