"""Benchmark of the publishing pipeline against pandoc on a synthetic series (``make bench``)."""
