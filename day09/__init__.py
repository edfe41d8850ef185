"""Day 09: authentication — hashed passwords, signed expiring tokens and protected routes."""
