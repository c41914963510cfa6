"""The benchmarks' real data: the R packages' tables, the broad and grouped sets."""
