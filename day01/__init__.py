"""Day 01 · Core Python revision: a word-frequency CLI over text files."""
