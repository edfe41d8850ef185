"""Day 14: a Dockerfile for the Todo API, and checks of the invariants it must keep."""
