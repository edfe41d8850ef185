"""Day 11: a Todo resource from scratch — PATCH as a partial update, PUT as a replacement, CORS."""
