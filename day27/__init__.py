"""Day 27: prompting — tasks extracted from free text into validated objects."""
