"""Article list pages cached per process, and never served after a write that changes them.

Most traffic to a blog is people reading the newest articles, so a list page is computed once
and served from memory until something that could change it is committed. The database keeps
the only shared state, one number (``content_version``):

- a session that writes to a table an article list shows (articles, their tags and favourites,
  the authors' profiles) bumps the number inside the same transaction, automatically, from
  SQLAlchemy's session events, so no view can forget to;
- a list request reads the number (one primary-key SELECT) and serves the page cached under it,
  or computes the page and caches it under that number.

A reader that starts after a commit reads the new number and cannot be given an older page; the
gunicorn workers share nothing but the database, and each keeps its own small LRU. Pages are
cached as the anonymous view; a signed-in reader gets a copy with ``favorited`` and
``following`` filled in by two small queries over the page's articles and authors.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from projects.blog_api.models import Article, ContentVersion, Tag, User, favorites, follows

#: Tables whose rows appear in an article list.
LISTED_TABLES = frozenset({"articles", "article_tags", "tags", "favorites", "users"})
LISTED_MODELS = (Article, Tag, User)
_DIRTY = "blog_lists_changed"

Json = dict[str, Any]


@dataclass(frozen=True)
class CachedPage:
    """One list page as an anonymous reader sees it, ready to send or to personalise."""

    articles: list[Json]
    count: int
    body: bytes
    article_ids: tuple[int, ...]
    author_ids: tuple[int, ...]


class ListCache:
    """A bounded LRU of pages, all from one content version; a new version empties it."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self._pages: OrderedDict[Hashable, CachedPage] = OrderedDict()
        self._version: int | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_pages > 0

    def get(self, version: int, key: Hashable) -> CachedPage | None:
        with self._lock:
            if version != self._version:
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, version: int, key: Hashable, page: CachedPage) -> None:
        with self._lock:
            if self._version is None or version > self._version:
                self._pages.clear()
                self._version = version
            elif version < self._version:
                return  # computed from an older snapshot than what is cached now
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)


_VERSION = sa.select(ContentVersion.version).where(ContentVersion.id == 1)


def current_version(executor: Session | sa.Connection) -> int:
    """The content version, one primary-key SELECT.

    Given a session, it is read in the session's transaction, so a page computed in that same
    transaction is at least as new as the version it is cached under.
    """
    return executor.scalar(_VERSION) or 0


def track_list_writes(factory: sessionmaker[Session]) -> None:
    """Make every session from ``factory`` bump the content version when it commits a change
    to a table that article lists show."""

    @event.listens_for(factory, "do_orm_execute")
    def on_statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if table is not None and table.name in LISTED_TABLES:
                state.session.info[_DIRTY] = True

    @event.listens_for(factory, "before_flush")
    def on_flush(session: Session, _context: Any, _instances: Any) -> None:
        changed = (*session.new, *session.dirty, *session.deleted)
        if any(isinstance(obj, LISTED_MODELS) for obj in changed):
            session.info[_DIRTY] = True

    @event.listens_for(factory, "before_commit")
    def on_commit(session: Session) -> None:
        session.flush()  # so before_flush has seen everything this commit will write
        if session.info.pop(_DIRTY, False):
            session.execute(
                sa.update(ContentVersion)
                .where(ContentVersion.id == 1)
                .values(version=ContentVersion.version + 1)
            )

    @event.listens_for(factory, "after_rollback")
    def on_rollback(session: Session) -> None:
        session.info.pop(_DIRTY, None)


def personalise(session: Session, page: CachedPage, viewer_id: int) -> list[Json]:
    """The cached anonymous page as ``viewer_id`` sees it: two queries, whatever the size."""
    if not page.articles:
        return []
    liked = set(
        session.scalars(
            sa.select(favorites.c.article_id).where(
                favorites.c.user_id == viewer_id, favorites.c.article_id.in_(page.article_ids)
            )
        )
    )
    followed = set(
        session.scalars(
            sa.select(follows.c.followee_id).where(
                follows.c.follower_id == viewer_id,
                follows.c.followee_id.in_(set(page.author_ids)),
            )
        )
    )
    # New dicts for the two changed levels only: the cached page itself is never modified.
    return [
        {
            **article,
            "favorited": article_id in liked,
            "author": {**article["author"], "following": author_id in followed},
        }
        for article, article_id, author_id in zip(
            page.articles, page.article_ids, page.author_ids, strict=True
        )
    ]
