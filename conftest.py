"""Root fixtures: real MySQL, PostgreSQL and Redis for every test folder (see shared/testing)."""

pytest_plugins = ["shared.testing.plugin"]

# practice/ holds learners' copies of days (make practice-dayNN); make check-dayNN tests them.
collect_ignore = ["practice"]
