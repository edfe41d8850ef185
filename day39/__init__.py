"""Day 39: evaluation and safety — retrieval hit rate, answer grounding, prompt injection."""
