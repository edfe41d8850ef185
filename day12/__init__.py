"""Day 12: configuration — one validated settings object from the environment and `.env`."""
