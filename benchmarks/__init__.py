"""Benchmarks of sklearn-l2m (not part of the installed package)."""
