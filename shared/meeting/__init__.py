"""The meeting itself: preparing it, its phases and timer, the people who join, and what
every screen shows of it.
"""
