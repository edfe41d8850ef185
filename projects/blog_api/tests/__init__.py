"""Tests for the Blog API."""
