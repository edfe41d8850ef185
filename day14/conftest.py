"""Day 14 fixtures: a real Docker engine, when one is reachable (see shared/testing/docker.py)."""

from shared.testing.docker import containers, docker_engine

__all__ = ["containers", "docker_engine"]
