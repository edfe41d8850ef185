"""Day 07: relationships and loading — authors, posts, tags, and the N+1 problem fixed."""
