"""Day 45: interview preparation — a spaced-repetition Q&A, a mock interview and a retrospective."""
