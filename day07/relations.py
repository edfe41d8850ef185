"""Authors, posts and tags: one-to-many, many-to-many, and the N+1 problem next to its fix.

An author writes many posts (one-to-many); a post has many tags and a tag many posts
(many-to-many, through the ``day07_post_tags`` association table). Listing posts with their
author and tags can cost one statement per row (lazy loading) or the same two statements
for any page of up to 500 posts (eager loading). :func:`count_statements` shows which is which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Column, ForeignKey, MetaData, Select, String, Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)

from shared.testing import count_queries

#: Tag names the seed uses, in the order of the bits that pick them (see :func:`seed_blog`).
DEFAULT_TAGS = ("python", "flask", "sql", "testing", "redis", "docker")


class Base(DeclarativeBase):
    # Named constraints, so every backend (and a later migration) agrees on what they are called.
    metadata = MetaData(
        naming_convention={
            "pk": "pk_%(table_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ix": "ix_%(table_name)s_%(column_0_name)s",
        }
    )


# Tables carry the day's prefix: the test databases are shared by every day's tests.
post_tags = Table(
    "day07_post_tags",
    Base.metadata,
    # The pair is the key: a post cannot carry the same tag twice.
    Column("post_id", ForeignKey("day07_posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("day07_tags.id", ondelete="CASCADE"), primary_key=True),
)


class Author(Base):
    __tablename__ = "day07_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    # A post cannot outlive its author: deleting the author, or taking a post out of this
    # list, deletes the post.
    posts: Mapped[list[Post]] = relationship(
        back_populates="author", cascade="all, delete-orphan", order_by="Post.id"
    )

    def __repr__(self) -> str:
        return f"Author(id={self.id!r}, name={self.name!r})"


class Post(Base):
    __tablename__ = "day07_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("day07_authors.id"), index=True)

    author: Mapped[Author] = relationship(back_populates="posts")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags, back_populates="posts", order_by="Tag.name"
    )

    def __repr__(self) -> str:
        return f"Post(id={self.id!r}, title={self.title!r})"


class Tag(Base):
    __tablename__ = "day07_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)

    # No delete cascade here: deleting a post removes its association rows, never the tag.
    posts: Mapped[list[Post]] = relationship(
        secondary=post_tags, back_populates="tags", order_by="Post.id"
    )

    def __repr__(self) -> str:
        return f"Tag(id={self.id!r}, name={self.name!r})"


@dataclass(frozen=True)
class PostSummary:
    """One row of a post listing: what a list endpoint would render."""

    title: str
    author: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class TagCount:
    """A tag and how many posts carry it."""

    name: str
    posts: int


T = TypeVar("T")


def seed_blog(
    session: Session,
    posts: int = 50,
    authors: int = 10,
    tag_names: Sequence[str] = DEFAULT_TAGS,
) -> None:
    """Add ``posts`` posts written round-robin by ``authors`` authors, and flush (no commit).

    Post ``i`` (0-based) is written by author ``i % authors`` and carries tag ``j`` when bit
    ``j`` of ``i`` is set, so post 0 has no tags and the layout is the same on every run.
    """
    if posts < 0 or authors < 1:
        raise ValueError(f"need posts >= 0 and authors >= 1, got posts={posts}, authors={authors}")
    writers = [Author(name=f"Author {number:02d}") for number in range(1, authors + 1)]
    tags = [Tag(name=name) for name in tag_names]
    # Rows are inserted in the order objects were added, so post ids follow this loop. (Adding
    # authors that already hold their posts would cascade and number the posts author by author.)
    session.add_all([*writers, *tags])
    for index in range(posts):
        chosen = [tag for bit, tag in enumerate(tags) if index >> bit & 1]
        session.add(
            Post(title=f"Post {index + 1:03d}", author=writers[index % authors], tags=chosen)
        )
    session.flush()


def summarize(post: Post) -> PostSummary:
    """The listing row for ``post``; touching ``author`` and ``tags`` is what may load them."""
    return PostSummary(post.title, post.author.name, tuple(tag.name for tag in post.tags))


def list_posts_lazy(session: Session, limit: int) -> list[PostSummary]:
    """The first ``limit`` posts, loading author and tags lazily: the N+1 way.

    One statement for the page, then one per post for its tags and one per author the
    session has not seen yet (a many-to-one lazy load looks in the identity map first).
    """
    posts = session.scalars(select(Post).order_by(Post.id).limit(limit))
    return [summarize(post) for post in posts]


def list_posts_eager(session: Session, limit: int) -> list[PostSummary]:
    """The first ``limit`` posts with author and tags loaded up front: two statements up to 500.

    The author comes in the same SELECT (``joinedload``, safe with LIMIT for a many-to-one);
    the tags come in one more SELECT ... WHERE post_id IN (...) (``selectinload``), which
    SQLAlchemy splits into one query per 500 posts. See :func:`eager_page`.
    """
    return [summarize(post) for post in session.scalars(eager_page(limit))]


def eager_page(limit: int) -> Select[tuple[Post]]:
    """The page query of :func:`list_posts_eager`.

    ``.raiseload("*")`` on each loader makes the loaded authors and tags refuse any further lazy
    load (``author.posts``, ``tag.posts``): an error instead of a hidden query. (A bare
    ``raiseload("*")`` would cover only Post's other relationships, and it has none.)
    """
    # practice 1: load the page's authors and tags up front, and forbid any later lazy load
    # hint: joinedload for the many-to-one author, selectinload for the tags collection, each
    # hint: with .raiseload("*") chained on; keep the order_by and the limit.
    return (
        select(Post)
        .options(
            joinedload(Post.author).raiseload("*"),
            selectinload(Post.tags).raiseload("*"),
        )
        .order_by(Post.id)
        .limit(limit)
    )
    # end practice 1


def posts_per_tag(session: Session) -> list[TagCount]:
    """Every tag with its number of posts, counted by the database in one GROUP BY statement.

    The outer join keeps tags that no post carries (count 0). Most-used tags come first.
    """
    # practice 2: count each tag's posts in the database, unused tags included
    # hint: select Tag.name and func.count(post_tags.c.post_id), outer-join post_tags, group by
    # hint: the tag, order by the count descending then the name.
    post_count = func.count(post_tags.c.post_id).label("post_count")
    statement = (
        select(Tag.name, post_count)
        .outerjoin(post_tags, post_tags.c.tag_id == Tag.id)
        .group_by(Tag.id, Tag.name)
        .order_by(post_count.desc(), Tag.name)
    )
    return [TagCount(name, count) for name, count in session.execute(statement)]
    # end practice 2


def posts_per_tag_by_loading(session: Session) -> list[TagCount]:
    """The same counts by loading every tag's posts into Python: 1 + tags statements."""
    tags = session.scalars(select(Tag).order_by(Tag.name))
    counts = [TagCount(tag.name, len(tag.posts)) for tag in tags]
    return sorted(counts, key=lambda count: (-count.posts, count.name))


def count_statements(session: Session, run: Callable[[Session], T]) -> tuple[T, int]:
    """Run ``run(session)`` on an empty identity map; return its result and statement count.

    The session's transaction is opened before counting, so only the work itself is counted
    (not a BEGIN or SAVEPOINT a fresh transaction may emit).
    """
    session.expunge_all()  # nothing cached: every object must come from the database
    connection = session.connection()
    engine: Engine = connection.engine
    with count_queries(engine) as counter:
        result = run(session)
    return result, counter.count
