"""Day 40: finishing the AI Notes API — ingestion at scale, progress, docs."""
