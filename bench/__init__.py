"""Benchmarks: throughput measured against a baseline served the same way in the same run."""
