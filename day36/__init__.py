"""Day 36: retrieval-augmented generation — retrieve, assemble under a budget, answer, cite."""
