"""Benchmarks: commands that print figures (`python -m bench.updates`, `python -m bench.sweep`); not tests."""
