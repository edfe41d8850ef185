"""The project's own helpers: configuration, databases, Redis, JSON errors and test fixtures.

Days and capstones import from here so that each of them stays about its own topic.
"""
