"""The AI Notes API's tables, as typed SQLAlchemy 2.0 models.

``chunks`` is the canonical copy of every vector (with the model and dimension that made it),
so the index of any vector store can be rebuilt from it, and a change of model is found by a
query rather than guessed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.columns import (
    NAMING_CONVENTION,
    UTCDateTime,
    exact_string,
    long_text,
    new_auth_id,
    utcnow,
    when_created,
)

#: Alembic's revision table: a name of its own, so another app's migrations may share the database.
VERSION_TABLE = "notes_alembic_version"
EMAIL_MAX = 254
PASSWORD_HASH_MAX = 255
TITLE_MAX = 200
MODEL_NAME_MAX = 100
#: The vector bytes: 4 per dimension (float32); LONGBLOB on MySQL, whose BLOB stops at 64 KiB.
VECTOR_BYTES = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """Someone who keeps notes. ``auth_id`` is what a token names, never the row id."""

    __tablename__ = "notes_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    auth_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_auth_id)
    #: Stored lower-cased, so uniqueness ignores case.
    email: Mapped[str] = mapped_column(exact_string(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(PASSWORD_HASH_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Note(Base):
    """One note: a title and a Markdown body, owned by one user."""

    __tablename__ = "notes"
    __table_args__ = (sa.Index("ix_notes_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("notes_users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(long_text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=when_created, onupdate=utcnow
    )
    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="note",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Chunk.position",
    )

    def __repr__(self) -> str:
        return f"Note(id={self.id!r}, title={self.title!r})"


class Chunk(Base):
    """A piece of a note as it is embedded and searched, with its vector."""

    __tablename__ = "chunks"
    __table_args__ = (
        sa.Index("ix_chunks_user_id_model", "user_id", "model"),
        sa.Index("ix_chunks_note_id_position", "note_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("notes.id", ondelete="CASCADE"))
    #: The note's owner, repeated so a search filters by user without a join.
    user_id: Mapped[int] = mapped_column(sa.Integer)
    position: Mapped[int] = mapped_column(sa.Integer)
    heading: Mapped[str | None] = mapped_column(sa.String(TITLE_MAX * 2))
    text: Mapped[str] = mapped_column(long_text())
    #: sha256 of heading and text: an edit re-embeds only the chunks whose digest changed.
    digest: Mapped[str] = mapped_column(sa.String(64))
    model: Mapped[str] = mapped_column(sa.String(MODEL_NAME_MAX))
    dim: Mapped[int] = mapped_column(sa.Integer)
    #: Little-endian float32, L2-normalised: cosine similarity is a dot product.
    embedding: Mapped[bytes] = mapped_column(VECTOR_BYTES)
    note: Mapped[Note] = relationship(back_populates="chunks")


class Conversation(Base):
    """A chat about one user's notes; its messages are the history the model sees."""

    __tablename__ = "conversations"
    __table_args__ = (sa.Index("ix_conversations_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("notes_users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    #: A running summary of the turns too old to send verbatim (None until there are some).
    summary: Mapped[str | None] = mapped_column(long_text())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Message.id",
    )


class Message(Base):
    """One turn: the user's question or the assistant's answer, with the passages it cited."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(long_text())
    sources: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")
