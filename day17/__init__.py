"""Day 17: Redis basics — a leaderboard, a recent-items list and the other types, one job each."""
