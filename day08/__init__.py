"""Day 08: Alembic migrations — a schema change and a data migration, round-tripped."""
