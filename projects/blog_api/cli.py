"""Flask commands: ``flask --app projects.blog_api migrate`` and ``… seed``.

``seed`` fills the database with believable data in batches (one INSERT statement per table per
thousand rows), so ten thousand articles take seconds. Every run tags its usernames and slugs
with a fresh random suffix, so running it again adds more data without clashing.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from projects.blog_api.models import (
    Article,
    Comment,
    User,
    article_tags,
    ensure_tags,
    favorites,
    follows,
    insert_ignoring_duplicates,
    new_auth_id,
    utcnow,
)
from projects.blog_api.slugs import new_slug

BATCH = 1000
SEED_PASSWORD = "password"

FIRST_NAMES = (
    "ada", "alan", "amelia", "anika", "bruno", "carmen", "chen", "dara", "diego", "elif",
    "emeka", "farah", "grace", "hana", "ines", "ivan", "jonas", "kai", "lena", "linus",
    "maya", "mei", "nadia", "noah", "olga", "omar", "priya", "quinn", "rosa", "sami",
    "tariq", "uma", "vera", "wei", "yara", "zoe",
)  # fmt: skip
LAST_NAMES = (
    "adeyemi", "berg", "costa", "dubois", "eriksen", "fischer", "garcia", "hughes", "ito",
    "jensen", "kowalski", "lopez", "moreau", "nakamura", "okafor", "petrov", "quint", "rossi",
    "silva", "tanaka", "ueda", "varga", "weber", "xu", "yilmaz", "zhang",
)  # fmt: skip
BIOS = (
    "Backend developer. Coffee, queues and careful migrations.",
    "I write about databases and the bugs they hide.",
    "Learning in public, one API at a time.",
    "Platform engineer; ask me about connection pools.",
    None,
)
TAGS = (
    "python", "flask", "sqlalchemy", "mysql", "postgresql", "redis", "docker", "testing",
    "api", "rest", "security", "performance", "career", "devops", "alembic", "caching",
    "async", "architecture", "interviews", "tooling", "linux", "observability", "dragons",
    "training",
)  # fmt: skip
TITLE_OPENERS = (
    "What I learned from", "A gentle guide to", "Ten mistakes in", "Notes on", "Rethinking",
    "The hidden cost of", "Shipping", "Debugging", "Scaling", "Testing",
)  # fmt: skip
TITLE_SUBJECTS = (
    "database migrations", "N+1 queries", "rate limiting", "JWT authentication",
    "connection pooling", "background jobs", "API pagination", "cache invalidation",
    "slow endpoints", "timezone bugs", "a Flask app factory", "integration tests",
    "zero-downtime deploys", "Redis sorted sets", "structured logging",
)  # fmt: skip
SENTENCES = (
    "The first version worked, which is exactly when the trouble started.",
    "Measuring before optimising saved me a week of guessing.",
    "Every list endpoint should run the same few queries for one row or a hundred.",
    "Timestamps belong in UTC; people's clocks belong in the browser.",
    "A unique index is a promise the database keeps even when the code forgets.",
    "Tests that talk to a real database catch what mocks politely ignore.",
    "The fix was three lines; finding them took the afternoon.",
    "Small, reversible migrations beat one heroic change at midnight.",
    "Error messages are part of the interface, so write them for the reader.",
    "Caches make fast systems faster and wrong systems wrong faster.",
    "The logs told the story once we made them structured.",
    "Rate limits protect the service and, surprisingly often, the client.",
)  # fmt: skip
COMMENTS = (
    "Great write-up, thanks!",
    "This matches what we saw in production.",
    "Could you share the benchmark script?",
    "I had never thought about the index side of this.",
    "Bookmarked for the next time our migrations misbehave.",
    "How does this play with MySQL's default collation?",
)


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Upgrade the database to the latest migration."""
    from projects.blog_api import migrate

    state = current_app.extensions["blog"]
    migrate(state.db)
    click.echo(f"database at {state.db.engine.url.render_as_string()} is up to date")


@click.command("seed")
@click.option(
    "--users", "user_count", type=click.IntRange(0, 100_000), default=50, show_default=True
)
@click.option(
    "--articles", "article_count", type=click.IntRange(0, 1_000_000), default=500, show_default=True
)
@click.option("--random-seed", type=int, default=None, help="Repeatable content (not names).")
@with_appcontext
def seed_command(user_count: int, article_count: int, random_seed: int | None) -> None:
    """Fill the database with users, articles, tags, follows, favourites and comments.

    Seeded users log in with the password "password".
    """
    from projects.blog_api import migrate

    state = current_app.extensions["blog"]
    migrate(state.db)
    rng = random.Random(random_seed)
    run = secrets.token_hex(3)
    with state.db.transaction() as session:
        new_user_ids = seed_users(
            session, rng, run, user_count, state.passwords.hash(SEED_PASSWORD)
        )
        user_ids = list(session.scalars(sa.select(User.id)))
        if article_count and not user_ids:
            raise click.UsageError("there are no users to write articles; pass --users N")
        seed_follows(session, rng, new_user_ids, user_ids)
        seed_articles(session, rng, user_ids, article_count)
    click.echo(
        f"added {user_count} users and {article_count} articles "
        f"(users log in with the password {SEED_PASSWORD!r})"
    )


def batches(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    for batch in batches(rows):
        session.execute(sa.insert(table), list(batch))


def _new_ids(session: Session, model: Any, after: int) -> list[int]:
    """Ids of rows inserted after ``after`` (the seed is the only writer while it runs)."""
    return list(session.scalars(sa.select(model.id).where(model.id > after).order_by(model.id)))


def _max_id(session: Session, model: Any) -> int:
    return session.scalar(sa.select(sa.func.max(model.id))) or 0


def seed_users(
    session: Session, rng: random.Random, run: str, count: int, password_hash: str
) -> list[int]:
    """Insert ``count`` users named ``first.last.<run><n>``; return their ids."""
    before = _max_id(session, User)
    now = utcnow()
    rows = []
    for number in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{first}.{last}.{run}{number}"
        rows.append(
            {
                "auth_id": new_auth_id(),
                "username": username,
                "email": f"{username}@example.com",
                "password_hash": password_hash,
                "bio": rng.choice(BIOS),
                "image": f"https://api.dicebear.com/9.x/initials/svg?seed={first}+{last}",
                "created_at": now,
                "updated_at": now,
            }
        )
    with click.progressbar(length=count, label="users   ") as bar:
        for batch in batches(rows):
            session.execute(sa.insert(User), list(batch))
            bar.update(len(batch))
    return _new_ids(session, User, before)


def seed_follows(
    session: Session, rng: random.Random, new_user_ids: list[int], user_ids: list[int]
) -> None:
    """Have each new user follow up to eight users (never themselves)."""
    rows = [
        {"follower_id": follower, "followee_id": followee}
        for follower in new_user_ids
        for followee in rng.sample(user_ids, min(len(user_ids), rng.randint(0, 8)))
        if followee != follower
    ]
    for batch in batches(rows):
        insert_ignoring_duplicates(session, follows, batch)


def article_text(rng: random.Random) -> tuple[str, str, str]:
    """A believable title, description and multi-paragraph body."""
    title = f"{rng.choice(TITLE_OPENERS)} {rng.choice(TITLE_SUBJECTS)}"
    description = rng.choice(SENTENCES)
    paragraphs = [
        " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 6)))
        for _ in range(rng.randint(2, 5))
    ]
    return title, description, "\n\n".join(paragraphs)


def seed_articles(session: Session, rng: random.Random, user_ids: list[int], count: int) -> None:
    """Insert ``count`` articles by random users, with tags, favourites and comments."""
    tag_ids = [tag.id for tag in ensure_tags(session, TAGS)]
    now = utcnow()
    with click.progressbar(length=count, label="articles") as bar:
        for batch_start in range(0, count, BATCH):
            size = min(BATCH, count - batch_start)
            before = _max_id(session, Article)
            rows = []
            for _ in range(size):
                title, description, body = article_text(rng)
                written = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                rows.append(
                    {
                        "slug": new_slug(title),
                        "title": title,
                        "description": description,
                        "body": body,
                        "author_id": rng.choice(user_ids),
                        "created_at": written,
                        "updated_at": written,
                    }
                )
            session.execute(sa.insert(Article), rows)
            article_ids = _new_ids(session, Article, before)
            _insert_rows(session, article_tags, _tag_links(rng, article_ids, tag_ids))
            _insert_rows(session, favorites, _favourites(rng, article_ids, user_ids))
            _insert_rows(session, Comment.__table__, _comments(rng, article_ids, user_ids, now))
            bar.update(size)


def _tag_links(
    rng: random.Random, article_ids: list[int], tag_ids: list[int]
) -> list[dict[str, int]]:
    return [
        {"article_id": article_id, "tag_id": tag_id}
        for article_id in article_ids
        for tag_id in rng.sample(tag_ids, rng.randint(1, 4))
    ]


def _favourites(
    rng: random.Random, article_ids: list[int], user_ids: list[int]
) -> list[dict[str, int]]:
    return [
        {"user_id": user_id, "article_id": article_id}
        for article_id in article_ids
        for user_id in rng.sample(user_ids, min(len(user_ids), rng.randint(0, 5)))
    ]


def _comments(
    rng: random.Random, article_ids: list[int], user_ids: list[int], now: Any
) -> list[dict[str, Any]]:
    rows = []
    for article_id in article_ids:
        for _ in range(rng.randint(0, 3)):
            written = now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            rows.append(
                {
                    "body": rng.choice(COMMENTS),
                    "article_id": article_id,
                    "author_id": rng.choice(user_ids),
                    "created_at": written,
                    "updated_at": written,
                }
            )
    return rows
