"""A GraphQL endpoint (strawberry) over the Blog API's own tables, next to its REST routes.

``mount_graphql(app)`` adds ``POST /graphql`` (DataLoader batching) and ``POST /graphql/naive``
(one query per article's author, tags and comments) to a Blog API app, sharing its engine. Each
request gets its own session and its own loaders, closed when the request ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa
import strawberry
from cross_web import HTTPException
from flask import Flask, Request, Response, request
from graphql import GraphQLError
from sqlalchemy.orm import Session
from strawberry.extensions import MaskErrors, MaxTokensLimiter, QueryDepthLimiter
from strawberry.flask.views import AsyncGraphQLView
from strawberry.types import ExecutionContext, Info

from day43.loaders import (
    NEWEST_ARTICLE_FIRST,
    PERSON_COLUMNS,
    BatchedReader,
    CommentRow,
    NaiveReader,
    Person,
    Reader,
    article_select,
)
from projects.blog_api.models import Article, User
from projects.blog_api.queries import ArticleFilters, popular_tags, timestamp
from projects.blog_api.schemas import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX

#: articles > author > articles > author > username is 5 deep; the cycle would let a query
#: ask for an author's articles' authors' articles... without end.
MAX_DEPTH = 5
MAX_TOKENS = 2000


class BadArgument(ValueError):
    """An argument the client got wrong: its message is the answer, and nothing is logged."""


@dataclass
class BlogContext:
    session: Session
    reader: Reader


def reader_of(info: Info[BlogContext, None]) -> Reader:
    return info.context.reader


@strawberry.type
class Profile:
    username: str
    bio: str | None
    image: str | None
    id: strawberry.Private[int]

    @strawberry.field(description="Their newest articles, at most 5.")
    async def articles(self, info: Info[BlogContext, None]) -> list[ArticleType]:
        return [article_of(row) for row in await reader_of(info).articles(self.id)]


def profile_of(person: Person | None) -> Profile | None:
    if person is None:
        return None
    return Profile(id=person.id, username=person.username, bio=person.bio, image=person.image)


@strawberry.type
class CommentType:
    body: str
    created_at: str
    author_id: strawberry.Private[int]

    @strawberry.field
    async def author(self, info: Info[BlogContext, None]) -> Profile | None:
        return profile_of(await reader_of(info).user(self.author_id))


@strawberry.type(name="Article")
class ArticleType:
    slug: str
    title: str
    description: str
    body: str
    created_at: str
    favorites_count: int
    id: strawberry.Private[int]
    author_id: strawberry.Private[int]

    @strawberry.field
    async def tag_list(self, info: Info[BlogContext, None]) -> list[str]:
        return await reader_of(info).tags(self.id)

    @strawberry.field
    async def author(self, info: Info[BlogContext, None]) -> Profile | None:
        return profile_of(await reader_of(info).user(self.author_id))

    @strawberry.field(description="Newest first.")
    async def comments(self, info: Info[BlogContext, None]) -> list[CommentType]:
        rows: list[CommentRow] = await reader_of(info).comments(self.id)
        return [
            CommentType(
                body=row.body, created_at=timestamp(row.created_at), author_id=row.author_id
            )
            for row in rows
        ]


def article_of(row: Any) -> ArticleType:
    return ArticleType(
        id=row.id,
        author_id=row.author_id,
        slug=row.slug,
        title=row.title,
        description=row.description,
        body=row.body,
        created_at=timestamp(row.created_at),
        favorites_count=row.favorites_count,
    )


def check_page(limit: int, offset: int) -> None:
    """Refuse a page the REST API would refuse too, in one sentence."""
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise BadArgument(f"limit must be between 1 and {PAGE_SIZE_MAX}, got {limit}")
    if offset < 0:
        raise BadArgument(f"offset must be 0 or more, got {offset}")


def article_page(
    session: Session, limit: int, offset: int, tag: str | None, author: str | None
) -> list[ArticleType]:
    """One page of articles, newest first, filtered like ``GET /api/articles``: one SELECT."""
    check_page(limit, offset)
    # practice 1: the page itself, one statement, in the REST API's order
    # hint: reuse ArticleFilters(...).conditions(); an empty filter is no filter, as in REST.
    conditions = ArticleFilters(tag=tag or None, author=author or None).conditions()
    rows = session.execute(
        article_select()
        .where(*conditions)
        .order_by(*NEWEST_ARTICLE_FIRST)
        .limit(limit)
        .offset(offset)
    )
    return [article_of(row) for row in rows]
    # end practice 1


@strawberry.type
class Query:
    @strawberry.field(description=f"Newest first; limit 1 to {PAGE_SIZE_MAX}.")
    def articles(
        self,
        info: Info[BlogContext, None],
        limit: int = PAGE_SIZE_DEFAULT,
        offset: int = 0,
        tag: str | None = None,
        author: str | None = None,
    ) -> list[ArticleType]:
        return article_page(info.context.session, limit, offset, tag, author)

    @strawberry.field
    def article(self, info: Info[BlogContext, None], slug: str) -> ArticleType | None:
        row = info.context.session.execute(article_select().where(Article.slug == slug)).first()
        return article_of(row) if row else None

    @strawberry.field(description="Tags in use, most used first.")
    def tags(self, info: Info[BlogContext, None]) -> list[str]:
        return popular_tags(info.context.session)

    @strawberry.field
    def profile(self, info: Info[BlogContext, None], username: str) -> Profile | None:
        row = info.context.session.execute(
            sa.select(*PERSON_COLUMNS).where(User.username == username)
        ).first()
        return profile_of(Person(*row) if row else None)


def unexpected(error: GraphQLError) -> bool:
    """An error raised by our code that is not the client's fault (a bug, a database down)."""
    return error.original_error is not None and not isinstance(error.original_error, BadArgument)


class BlogSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Log only what a developer must look at: a bad query is the client's answer, not ours.
        super().process_errors([error for error in errors if unexpected(error)], execution_context)


schema = BlogSchema(
    query=Query,
    extensions=[
        # Factories, so that each request gets fresh extension objects.
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxTokensLimiter, max_token_count=MAX_TOKENS),
        partial(MaskErrors, should_mask_error=unexpected),
    ],
)


class BlogGraphQLView(AsyncGraphQLView):
    """strawberry's Flask view with a session and a reader per request, and JSON errors."""

    def __init__(self, *, engine_owner: Flask, batched: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db = engine_owner.extensions["blog"].db
        self.batched = batched
        self.sessions: list[Session] = []

    async def get_context(self, request: Request, response: Response) -> BlogContext:  # type: ignore[override]
        session = self.db.session_factory()
        self.sessions.append(session)
        reader = BatchedReader(session) if self.batched else NaiveReader(session)
        return BlogContext(session=session, reader=reader)

    async def dispatch_request(self) -> Any:  # type: ignore[override]
        try:
            return await self.run(request=request)
        except HTTPException as error:
            # strawberry answers a body it cannot read in plain text; a client expects JSON.
            body = json.dumps({"errors": [{"message": error.reason}]})
            return Response(body, status=error.status_code, content_type="application/json")
        finally:
            while self.sessions:
                self.sessions.pop().close()


def mount_graphql(app: Flask) -> Flask:
    """Add ``POST /graphql`` (batched) and ``POST /graphql/naive`` to a Blog API app."""
    for rule, batched in (("/graphql", True), ("/graphql/naive", False)):
        view = BlogGraphQLView.as_view(
            rule.strip("/").replace("/", "_"),
            schema=schema,
            engine_owner=app,
            batched=batched,
            graphql_ide=None,
            allow_queries_via_get=False,
        )
        app.add_url_rule(rule, view_func=view, methods=["POST"])
    return app
