"""Day 31: reliability with LLMs — timeouts, retries with backoff, 429s, fallbacks."""
