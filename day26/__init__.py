"""Day 26: the OpenAI API — a CLI chat against OpenAI or any compatible server."""
