"""Day 41 · Data structures and algorithms I: hash maps, two pointers, sliding windows, big-O."""
