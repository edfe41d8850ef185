"""Relationships and loading, on SQLite, MySQL and PostgreSQL (the `db_url` fixture)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.schema import CreateTable

from day07.relations import (
    DEFAULT_TAGS,
    Author,
    Base,
    Post,
    PostSummary,
    Tag,
    TagCount,
    count_statements,
    eager_page,
    list_posts_eager,
    list_posts_lazy,
    post_tags,
    posts_per_tag,
    posts_per_tag_by_loading,
    seed_blog,
)

POSTS, AUTHORS = 50, 10
#: How many ids selectinload puts in one IN (...) list on the locked SQLAlchemy (2.1).
SELECTIN_BATCH = 500


@pytest.fixture
def db_metadata() -> sa.MetaData:
    return Base.metadata


@pytest.fixture
def blog(db_session: Session) -> Session:
    """A session holding the seeded blog: 50 posts, round-robin over 10 authors."""
    seed_blog(db_session, posts=POSTS, authors=AUTHORS)
    return db_session


def post_named(session: Session, title: str) -> Post:
    return session.scalars(sa.select(Post).where(Post.title == title)).one()


def association_rows(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(post_tags))


# --- N+1 and its fix ----------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 10, 50])
def test_lazy_listing_runs_one_statement_per_post_and_per_new_author(
    blog: Session, page_size: int
) -> None:
    rows, statements = count_statements(blog, lambda s: list_posts_lazy(s, page_size))

    # 1 for the page, 1 per post for its tags, 1 per author met for the first time (round-robin
    # seeding puts min(N, authors) distinct authors on the first N posts).
    expected = 1 + page_size + min(page_size, AUTHORS)
    assert len(rows) == page_size
    assert statements == expected, (
        f"lazy listing of {page_size} posts: expected {expected} statements, ran {statements}"
    )


def test_eager_listing_runs_the_same_two_statements_for_any_page_size(blog: Session) -> None:
    counts = {
        size: count_statements(blog, lambda s, n=size: list_posts_eager(s, n))[1]
        for size in (1, 10, 50)
    }

    assert counts == {1: 2, 10: 2, 50: 2}, f"statements per page size: {counts}"


def test_eager_listing_needs_a_third_statement_past_500_posts(db_session: Session) -> None:
    # selectinload sends at most 500 ids per IN (...) list, so 501 posts need two tag queries.
    seed_blog(db_session, posts=SELECTIN_BATCH + 1, authors=AUTHORS)

    counts = {
        size: count_statements(db_session, lambda s, n=size: list_posts_eager(s, n))[1]
        for size in (SELECTIN_BATCH, SELECTIN_BATCH + 1)
    }

    assert counts == {500: 2, 501: 3}, f"statements per page size: {counts}"


def test_joinedload_wraps_a_limited_page_in_a_subquery_only_for_a_collection() -> None:
    # The lesson's reason for selectinload on tags: joining a collection would multiply the rows
    # LIMIT counts, so SQLAlchemy limits a subquery first; a many-to-one join needs no such thing.
    def page_sql(option: sa.orm.interfaces.LoaderOption) -> str:
        return str(sa.select(Post).options(option).order_by(Post.id).limit(10))

    with_tags, with_author = page_sql(joinedload(Post.tags)), page_sql(joinedload(Post.author))

    assert "FROM (SELECT day07_posts.id" in with_tags, with_tags
    assert "FROM day07_posts LEFT OUTER JOIN day07_authors" in with_author, with_author


def test_eager_listing_leaves_authors_and_tags_that_refuse_to_lazy_load(blog: Session) -> None:
    blog.expunge_all()
    page = blog.scalars(eager_page(3)).all()
    post = page[1]  # Post 002, tagged python

    with pytest.raises(InvalidRequestError, match=r"'Author\.posts' is not available"):
        _ = post.author.posts
    with pytest.raises(InvalidRequestError, match=r"'Tag\.posts' is not available"):
        _ = post.tags[0].posts


@pytest.mark.parametrize("listing", [list_posts_lazy, list_posts_eager], ids=["lazy", "eager"])
def test_listings_come_in_id_order_even_when_the_database_would_not(
    blog: Session, listing: Callable[[Session, int], list[PostSummary]]
) -> None:
    if blog.bind.dialect.name == "sqlite":
        # SQLite returns unordered rows in reverse: a missing ORDER BY shows at once.
        blog.execute(sa.text("PRAGMA reverse_unordered_selects = ON"))
    try:
        rows, _ = count_statements(blog, lambda s: listing(s, 5))
    finally:
        if blog.bind.dialect.name == "sqlite":
            blog.execute(sa.text("PRAGMA reverse_unordered_selects = OFF"))

    assert [row.title for row in rows] == [f"Post {n:03d}" for n in range(1, 6)]


def test_seed_defaults_to_fifty_posts_by_ten_authors(db_session: Session) -> None:
    seed_blog(db_session)

    posts = db_session.scalar(sa.select(sa.func.count()).select_from(Post))
    authors = db_session.scalar(sa.select(sa.func.count()).select_from(Author))
    assert (posts, authors) == (50, 10)


def test_lazy_and_eager_listings_return_identical_rows(blog: Session) -> None:
    lazy_rows, _ = count_statements(blog, lambda s: list_posts_lazy(s, POSTS))
    eager_rows, _ = count_statements(blog, lambda s: list_posts_eager(s, POSTS))

    assert lazy_rows == eager_rows
    assert len(eager_rows) == POSTS


def test_listing_rows_follow_the_seed_layout(blog: Session) -> None:
    rows, _ = count_statements(blog, lambda s: list_posts_eager(s, 13))

    # Post i is by author i % 10 and carries tag j when bit j of i is set; tags sort by name.
    assert rows[0] == PostSummary("Post 001", "Author 01", ())
    assert rows[3] == PostSummary("Post 004", "Author 04", ("flask", "python"))
    assert rows[12] == PostSummary("Post 013", "Author 03", ("sql", "testing"))


def test_eager_listing_of_an_empty_blog_returns_no_rows(db_session: Session) -> None:
    rows, statements = count_statements(db_session, lambda s: list_posts_eager(s, 10))

    assert rows == []
    assert statements == 1, "no posts means no second SELECT for their tags"


# --- counting in SQL ----------------------------------------------------------------------------


def test_posts_per_tag_counts_in_a_single_statement(blog: Session) -> None:
    counts, statements = count_statements(blog, posts_per_tag)

    assert statements == 1
    # Bit j of 0..49 is set in: 25, 24, 24, 24, 18, 18 numbers.
    expected = {"python": 25, "flask": 24, "sql": 24, "testing": 24, "redis": 18, "docker": 18}
    assert {count.name: count.posts for count in counts} == expected


def test_posts_per_tag_agrees_with_counting_loaded_posts(blog: Session) -> None:
    in_sql, _ = count_statements(blog, posts_per_tag)
    by_loading, statements = count_statements(blog, posts_per_tag_by_loading)

    assert in_sql == by_loading
    assert statements == 1 + len(DEFAULT_TAGS), "one SELECT for the tags, one per tag's posts"


def test_posts_per_tag_lists_a_tag_no_post_carries_with_zero(blog: Session) -> None:
    blog.add(Tag(name="unused"))
    blog.flush()

    counts, _ = count_statements(blog, posts_per_tag)

    assert counts[-1] == TagCount("unused", 0)


# --- one-to-many: cascades ----------------------------------------------------------------------


def test_deleting_an_author_deletes_their_posts_and_keeps_the_tags(blog: Session) -> None:
    author = blog.scalars(sa.select(Author).where(Author.name == "Author 01")).one()
    their_posts = len(author.posts)

    blog.delete(author)
    blog.flush()

    remaining = blog.scalars(sa.select(Post.title)).all()
    assert their_posts == POSTS // AUTHORS
    assert len(remaining) == POSTS - their_posts
    assert "Post 011" not in remaining, "Post 011 was by Author 01"
    assert blog.scalar(sa.select(sa.func.count()).select_from(Tag)) == len(DEFAULT_TAGS)


def test_deleting_an_author_removes_their_posts_tag_links(blog: Session) -> None:
    author = blog.scalars(sa.select(Author).where(Author.name == "Author 01")).one()
    their_links = sum(len(post.tags) for post in author.posts)
    before = association_rows(blog)

    blog.delete(author)
    blog.flush()

    assert their_links > 0
    assert association_rows(blog) == before - their_links


def test_removing_a_post_from_its_authors_list_deletes_it(blog: Session) -> None:
    post = post_named(blog, "Post 002")
    post_id = post.id

    post.author.posts.remove(post)
    blog.flush()
    blog.expunge_all()

    assert blog.get(Post, post_id) is None, "delete-orphan should have deleted the post"


def test_a_post_without_an_author_cannot_be_saved(db_session: Session) -> None:
    db_session.add(Post(title="Orphan"))

    with pytest.raises(IntegrityError):
        db_session.flush()


def test_a_bulk_delete_outside_the_orm_still_removes_the_posts_links(blog: Session) -> None:
    before = association_rows(blog)

    # Post 004 carries two tags; ON DELETE CASCADE removes its links in the database itself.
    blog.execute(sa.delete(Post).where(Post.title == "Post 004"))

    assert association_rows(blog) == before - 2


# --- many-to-many: add and remove ---------------------------------------------------------------


def test_tagging_a_post_shows_on_both_sides(blog: Session) -> None:
    post, tag = post_named(blog, "Post 001"), Tag(name="alembic")
    before = association_rows(blog)

    post.tags.append(tag)
    blog.flush()

    assert tag.posts == [post], "back_populates keeps the other side in step"
    assert association_rows(blog) == before + 1
    blog.expunge_all()
    assert [t.name for t in post_named(blog, "Post 001").tags] == ["alembic"]


def test_untagging_a_post_deletes_only_the_link(blog: Session) -> None:
    post = post_named(blog, "Post 004")  # tagged flask and python
    flask = next(tag for tag in post.tags if tag.name == "flask")
    before = association_rows(blog)

    post.tags.remove(flask)
    blog.flush()
    blog.expunge_all()

    assert [t.name for t in post_named(blog, "Post 004").tags] == ["python"]
    assert association_rows(blog) == before - 1
    assert blog.scalars(sa.select(Tag).where(Tag.name == "flask")).one() is not None


def test_deleting_a_tag_untags_its_posts_and_keeps_them(blog: Session) -> None:
    python = blog.scalars(sa.select(Tag).where(Tag.name == "python")).one()

    blog.delete(python)
    blog.flush()
    blog.expunge_all()

    assert [t.name for t in post_named(blog, "Post 004").tags] == ["flask"]
    assert blog.scalar(sa.select(sa.func.count()).select_from(Post)) == POSTS


def test_tagging_a_post_again_with_the_same_tag_adds_no_second_link(blog: Session) -> None:
    post = post_named(blog, "Post 002")  # tagged python
    before = association_rows(blog)

    post.tags.append(post.tags[0])
    blog.flush()

    assert association_rows(blog) == before, "the ORM writes one link per (post, tag) pair"


def test_the_database_refuses_a_duplicate_link(blog: Session) -> None:
    post = post_named(blog, "Post 002")  # tagged python
    python = post.tags[0]

    with pytest.raises(IntegrityError):
        blog.execute(post_tags.insert().values(post_id=post.id, tag_id=python.id))


# --- seeding ------------------------------------------------------------------------------------


def test_seed_accepts_no_posts_and_a_single_author(db_session: Session) -> None:
    seed_blog(db_session, posts=0, authors=1)

    assert db_session.scalars(sa.select(Author.name)).all() == ["Author 01"]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


@pytest.mark.parametrize(("posts", "authors"), [(-1, 3), (5, 0)])
def test_seed_rejects_impossible_sizes(db_session: Session, posts: int, authors: int) -> None:
    with pytest.raises(ValueError, match="need posts >= 0 and authors >= 1"):
        seed_blog(db_session, posts=posts, authors=authors)


# --- the schema ---------------------------------------------------------------------------------

SCHEMA = {
    "day07_authors": "id INTEGER NOT NULL, name VARCHAR(80) NOT NULL, "
    "CONSTRAINT pk_day07_authors PRIMARY KEY (id), "
    "CONSTRAINT uq_day07_authors_name UNIQUE (name)",
    "day07_tags": "id INTEGER NOT NULL, name VARCHAR(40) NOT NULL, "
    "CONSTRAINT pk_day07_tags PRIMARY KEY (id), CONSTRAINT uq_day07_tags_name UNIQUE (name)",
    "day07_posts": "id INTEGER NOT NULL, title VARCHAR(200) NOT NULL, "
    "author_id INTEGER NOT NULL, CONSTRAINT pk_day07_posts PRIMARY KEY (id), "
    "CONSTRAINT fk_day07_posts_author_id_day07_authors FOREIGN KEY(author_id) "
    "REFERENCES day07_authors (id)",
    "day07_post_tags": "post_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, "
    "CONSTRAINT pk_day07_post_tags PRIMARY KEY (post_id, tag_id), "
    "CONSTRAINT fk_day07_post_tags_post_id_day07_posts FOREIGN KEY(post_id) "
    "REFERENCES day07_posts (id) ON DELETE CASCADE, "
    "CONSTRAINT fk_day07_post_tags_tag_id_day07_tags FOREIGN KEY(tag_id) "
    "REFERENCES day07_tags (id) ON DELETE CASCADE",
}


@pytest.mark.parametrize("table", list(SCHEMA))
def test_each_table_has_its_columns_and_named_constraints(table: str) -> None:
    ddl = str(CreateTable(Base.metadata.tables[table]).compile(dialect=sqlite.dialect()))

    body = " ".join(ddl.split()).removeprefix(f"CREATE TABLE {table} ( ").removesuffix(" )")
    assert body == SCHEMA[table]


def test_posts_are_indexed_by_author() -> None:
    (index,) = Base.metadata.tables["day07_posts"].indexes

    assert (index.name, [column.name for column in index.columns]) == (
        "ix_day07_posts_author_id",
        ["author_id"],
    )


def test_each_model_shows_its_id_and_name_or_title() -> None:
    shown = [
        repr(Author(id=1, name="Ada")),
        repr(Post(id=2, title="Hi")),
        repr(Tag(id=3, name="sql")),
    ]

    assert shown == ["Author(id=1, name='Ada')", "Post(id=2, title='Hi')", "Tag(id=3, name='sql')"]
