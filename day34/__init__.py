"""Day 34: vector search from scratch — exact top-k over normalised vectors in numpy."""
