"""The one table day 09 needs: users with a username and an Argon2 password hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    # Argon2id hashes are ~100 characters with the default parameters; leave room to raise them.
    password_hash: Mapped[str] = mapped_column(String(255))

    def to_json(self) -> dict[str, Any]:
        """The public view of a user: never the hash."""
        return {"id": self.id, "username": self.username}

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r})"
