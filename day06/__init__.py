"""Day 06 · SQLAlchemy 2.0 ORM: the bookshelf on SQLite, MySQL and PostgreSQL alike."""
