"""Benchmarks: commands that print figures. They are never timed assertions in tests."""
