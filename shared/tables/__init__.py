"""Breakout tables with their hosts."""
