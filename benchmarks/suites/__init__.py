"""The suites, one module each; run them through ``python -m benchmarks SUITE``."""
