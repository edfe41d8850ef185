"""Day 04 · Flask basics: an app factory, three JSON routes and the test client."""
