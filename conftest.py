"""Root fixtures: real MySQL, PostgreSQL and Redis for every test folder (see shared/testing)."""

pytest_plugins = ["shared.testing.plugin"]
