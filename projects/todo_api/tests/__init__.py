"""Tests for the Todo API."""
