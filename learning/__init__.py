"""The learning core: quiz composition, grading, scheduling, streaks and stats.

Plain Python: nothing here imports `telegram` or `sqlalchemy` (a test checks it).
"""
