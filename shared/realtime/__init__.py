"""Getting changes to screens: the Socket.IO edge (authentication, one decorator per
intent, packet guards), presence, and the hub that coalesces updates.
"""
