"""Articles and favourites: ``/api/articles``, ``/api/articles/feed``, ``/api/articles/{slug}``."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from projects.blog_api import schemas
from projects.blog_api.extensions import blog_state, db_session
from projects.blog_api.listcache import CachedPage, current_version, personalise
from projects.blog_api.models import (
    Article,
    ensure_tags,
    favorites,
    insert_ignoring_duplicates,
    unique_violation,
    utcnow,
)
from projects.blog_api.parsing import Blueprint
from projects.blog_api.queries import (
    ArticleFilters,
    article_by_slug,
    article_page,
    no_article,
    one_or_404,
)
from projects.blog_api.security import (
    auth_optional,
    auth_required,
    current_user,
    viewer_id,
)
from projects.blog_api.slugs import new_slug
from shared.errors import Forbidden

blp = Blueprint("articles", __name__, description="Articles, the feed and favourites")

SLUG_ATTEMPTS = 5


def article_response(slug: str, viewer: int | None) -> dict[str, Any]:
    """``{"article": ...}`` as ``viewer`` sees it, or 404."""
    return {"article": article_by_slug(db_session(), slug, viewer)}


def find_article(slug: str) -> Article:
    """The article with ``slug``, or 404."""
    article: Article = one_or_404(
        db_session(), sa.select(Article).where(Article.slug == slug), no_article(slug)
    )
    return article


def own_article(slug: str) -> Article:
    """The caller's article with ``slug``: 404 if missing, 403 if someone else's."""
    article = find_article(slug)
    if article.author_id != current_user().id:
        raise Forbidden("only the author may change or delete this article")
    return article


def commit_with_new_slug(session: Session, article: Article) -> None:
    """Give ``article`` a fresh slug from its title and commit; redraw if it collides.

    The slug is set inside a savepoint so that a collision (one in trillions, but the unique
    index is the only real guarantee) rolls back just this attempt.
    """
    for _ in range(SLUG_ATTEMPTS):
        try:
            with session.begin_nested():
                article.slug = new_slug(article.title)
                session.add(article)
        except IntegrityError as error:
            if unique_violation(error, "articles", ("slug",)) is None:
                raise
        else:
            session.commit()
            return
    raise RuntimeError(f"no free slug for {article.title!r} after {SLUG_ATTEMPTS} attempts")


@blp.route("/articles", methods=["GET"])
@auth_optional(blp)
@blp.arguments(schemas.ArticleListQuery, location="query")
@blp.alt_response(200, schema=schemas.ArticlesResponse, success=True)
def list_articles(query: dict[str, Any]) -> Any:
    """Articles newest first, filtered by tag, author or who favourited them.

    ``articlesCount`` counts every match, not just this page; articles come without ``body``.
    """
    filters = ArticleFilters(
        tag=query.get("tag"), author=query.get("author"), favorited=query.get("favorited")
    )
    session, viewer = db_session(), viewer_id()
    cache = blog_state().list_cache
    if not cache.enabled:
        page = article_page(session, filters, viewer, query["limit"], query["offset"])
        return {"articles": page.articles, "articlesCount": page.total}
    # The raw query string is the key: only a request that passed validation stores a page.
    key = request.query_string
    version = g.get("list_version")
    if version is None:
        version = current_version(session)
    cached = cache.get(version, key)
    if cached is None:
        page = article_page(session, filters, None, query["limit"], query["offset"])
        body = current_app.json.dumps({"articles": page.articles, "articlesCount": page.total})
        cached = CachedPage(
            page.articles, page.total, f"{body}\n".encode(), page.article_ids, page.author_ids
        )
        cache.put(version, key, cached)
    if viewer is None:
        return current_app.response_class(cached.body, mimetype="application/json")
    return {"articles": personalise(session, cached, viewer), "articlesCount": cached.count}


@blp.before_app_request
def serve_a_cached_list() -> Response | None:
    """Answer an anonymous article list from the cache before parsing anything else.

    This is the most requested page of a blog; on a hit it costs one primary-key SELECT.
    A miss falls through to :func:`list_articles`, which validates the query and fills the
    cache (reusing the version read here).
    """
    if request.endpoint != "articles.list_articles" or request.method != "GET":
        return None
    cache = blog_state().list_cache
    if not cache.enabled or "Authorization" in request.headers:
        return None
    # A pooled connection of its own: lighter than a session, and nothing else is open yet.
    with blog_state().db.engine.connect() as connection:
        g.list_version = version = current_version(connection)
    cached = cache.get(version, request.query_string)
    if cached is None:
        return None
    return current_app.response_class(cached.body, mimetype="application/json")


@blp.route("/articles/feed", methods=["GET"])
@auth_required(blp)
@blp.arguments(schemas.Page, location="query")
@blp.alt_response(200, schema=schemas.ArticlesResponse, success=True)
def feed(query: dict[str, Any]) -> dict[str, Any]:
    """Articles by the users the caller follows, newest first."""
    me = current_user().id
    page = article_page(
        db_session(), ArticleFilters(followed_by=me), me, query["limit"], query["offset"]
    )
    return {"articles": page.articles, "articlesCount": page.total}


@blp.route("/articles", methods=["POST"])
@auth_required(blp)
@blp.arguments(schemas.NewArticleRequest)
@blp.alt_response(201, schema=schemas.ArticleResponse, success=True)
@blp.alt_response(422, schema=schemas.ErrorResponse)
@blp.doc(responses={201: {"links": schemas.ARTICLE_LINKS}})
def create_article(new: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Write an article; its slug comes from the title plus a random suffix."""
    session = db_session()
    me = current_user()
    article = Article(
        title=new["title"],
        description=new["description"],
        body=new["body"],
        author_id=me.id,
        tags=ensure_tags(session, new["tagList"] or []),
    )
    commit_with_new_slug(session, article)
    return article_response(article.slug, me.id), 201


@blp.route("/articles/<slug:slug>", methods=["GET"])
@auth_optional(blp)
@blp.alt_response(200, schema=schemas.ArticleResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def show_article(slug: str) -> dict[str, Any]:
    """One article, with its body."""
    return article_response(slug, viewer_id())


@blp.route("/articles/<slug:slug>", methods=["PUT"])
@auth_required(blp)
@blp.arguments(schemas.UpdateArticleRequest)
@blp.alt_response(200, schema=schemas.ArticleResponse, success=True)
@blp.alt_response(403, schema=schemas.ErrorResponse)
@blp.alt_response(404, schema=schemas.ErrorResponse)
@blp.doc(responses={200: {"links": schemas.ARTICLE_LINKS}})
def update_article(changes: dict[str, Any], slug: str) -> dict[str, Any]:
    """Change title, description or body (author only); a new title gets a new slug."""
    session = db_session()
    article = own_article(slug)
    if not changes:
        return article_response(slug, current_user().id)
    for field, value in changes.items():
        setattr(article, field, value)
    article.updated_at = utcnow()
    if "title" in changes:
        commit_with_new_slug(session, article)
    else:
        session.commit()
    return article_response(article.slug, current_user().id)


@blp.route("/articles/<slug:slug>", methods=["DELETE"])
@auth_required(blp)
@blp.alt_response(204, description="Deleted", success=True)
@blp.alt_response(403, schema=schemas.ErrorResponse)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def delete_article(slug: str) -> tuple[str, int]:
    """Delete an article with its comments, tags links and favourites (author only)."""
    session = db_session()
    article = own_article(slug)
    # The database cascades to comments, favourites and tag links.
    session.execute(sa.delete(Article).where(Article.id == article.id))
    session.commit()
    return "", 204


@blp.route("/articles/<name:slug>/favorite", methods=["POST"])
@auth_required(blp)
@blp.alt_response(200, schema=schemas.ArticleResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def favorite(slug: str) -> dict[str, Any]:
    """Favourite an article (twice is the same as once)."""
    session = db_session()
    article = find_article(slug)
    me = current_user().id
    insert_ignoring_duplicates(session, favorites, [{"user_id": me, "article_id": article.id}])
    session.commit()
    return article_response(slug, me)


@blp.route("/articles/<name:slug>/favorite", methods=["DELETE"])
@auth_required(blp)
@blp.alt_response(200, schema=schemas.ArticleResponse, success=True)
@blp.alt_response(404, schema=schemas.ErrorResponse)
def unfavorite(slug: str) -> dict[str, Any]:
    """Remove a favourite (a no-op when it was not one)."""
    session = db_session()
    article = find_article(slug)
    me = current_user().id
    session.execute(
        sa.delete(favorites).where(favorites.c.user_id == me, favorites.c.article_id == article.id)
    )
    session.commit()
    return article_response(slug, me)
