"""Fixtures of the AI Notes API's tests."""
