"""Day 44: system design — a URL shortener on Flask, Redis and a SQL database, with its numbers."""
