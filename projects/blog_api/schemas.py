"""Request and response schemas (marshmallow), read by flask-smorest for parsing and docs.

Requests: unknown keys are dropped, never assigned; strings are trimmed and checked against
the column they end up in; every message reads after its field name ("email: can't be blank").
Responses: the shapes of the RealWorld spec, used for the OpenAPI document. The views build
the same shapes as plain dicts (see queries.py), which is much cheaper on the list path than
dumping objects through a schema; a contract test checks both against the spec.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import marshmallow as ma
from marshmallow import fields, post_load, validate

from projects.blog_api.models import (
    ARTICLE_BODY_MAX,
    BIO_MAX,
    COMMENT_BODY_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    IMAGE_MAX,
    TAG_MAX,
    TITLE_MAX,
    USERNAME_MAX,
)

PASSWORD_MIN = 8
PASSWORD_MAX = 256
TAGS_PER_ARTICLE_MAX = 20
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
# Bigger numbers than this overflow an INTEGER column (and a SQL error is not a 422).
OFFSET_MAX = 2**31 - 1

USERNAME_PATTERN = re.compile(r"^[\w.\-]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")
# What the OpenAPI document says a text field accepts, so generated clients and fuzzers send
# what the server takes: something besides whitespace (JSON Schema patterns search, so this
# says "contains a non-space"); an http(s) URL with a host. NUL is refused too (see Text).
REQUIRED_TEXT = r"\S"
WEB_URL_TEXT = r"^\s*([Hh][Tt][Tt][Pp][Ss]?://[^\s/?#\[\]]+([/?#]\S*)?)?\s*$"


class Text(fields.String):
    """A string that is trimmed, not blank, not longer than its column and storable.

    ``blank_as_none`` makes ``""`` mean "unset" (``bio``, ``image``); NUL characters and lone
    surrogates are refused here because PostgreSQL and the UTF-8 drivers would refuse them
    later with an error that is not the client's to read.
    """

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this dict up the MRO)
        "invalid": "must be a string",
        "required": "can't be blank",
        "null": "can't be blank",
        "blank": "can't be blank",
        "too_long": "is too long (maximum is {max} characters)",
        "too_short": "is too short (minimum is {min} characters)",
        "unstorable": "must be valid text (no NUL characters or unpaired surrogates)",
    }

    def __init__(
        self,
        max_length: int,
        *,
        min_length: int = 0,
        strip: bool = True,
        blank_as_none: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.max_length = max_length
        self.min_length = min_length
        self.strip = strip
        self.blank_as_none = blank_as_none
        documented: dict[str, Any] = {"maxLength": max_length}
        if min_length:
            documented["minLength"] = min_length
        # A Regexp validator documents its own pattern (apispec reads it).
        if not blank_as_none and not any(isinstance(r, validate.Regexp) for r in self.validators):
            documented["pattern"] = REQUIRED_TEXT
        self.metadata = {**documented, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("unstorable")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unstorable") from None
        if self.strip:
            text = text.strip()
        if not text.strip():
            if self.blank_as_none:
                return None
            raise self.make_error("blank")
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        if len(text) < self.min_length:
            raise self.make_error("too_short", min=self.min_length)
        return text


class Email(Text):
    """An email address, trimmed and lower-cased, so it is stored and looked up in one form."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(EMAIL_MAX, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        # Lower-cased before the length check: "İ".lower() is two characters.
        if isinstance(value, str):
            value = value.lower()
        return super()._deserialize(value, attr, data, **kwargs)


class Count(fields.Integer):
    default_error_messages = {"invalid": "must be an integer"}  # noqa: RUF012


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[" is an unclosed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class RequestSchema(ma.Schema):
    """Base of every request schema: unknown keys are dropped, not an error."""

    class Meta:
        unknown = ma.EXCLUDE

    error_messages = {"type": "must be a JSON object"}  # noqa: RUF012


def envelope(name: str, inner: type[ma.Schema]) -> type[RequestSchema]:
    """A schema for ``{name: {...inner...}}`` that hands the view the inner dict."""

    def unwrap(self: ma.Schema, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return data[name]  # type: ignore[no-any-return]

    attributes: dict[str, Any] = {
        name: fields.Nested(inner, required=True, error_messages={"required": "can't be blank"}),
        "unwrap": post_load(unwrap),
    }
    return type(f"{inner.__name__}Request", (RequestSchema,), attributes)


username_rules = validate.Regexp(
    USERNAME_PATTERN, error="may contain only letters, digits, '_', '-' and '.'"
)
email_rules = validate.Regexp(EMAIL_PATTERN, error="is invalid")


class NewUser(RequestSchema):
    username = Text(USERNAME_MAX, required=True, validate=username_rules)
    email = Email(required=True, validate=email_rules)
    password = Text(PASSWORD_MAX, min_length=PASSWORD_MIN, strip=False, required=True)


class LoginUser(RequestSchema):
    email = Email(required=True)
    password = Text(PASSWORD_MAX, strip=False, required=True)


class WebUrl(Text):
    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length, **kwargs)
        self.metadata = {**self.metadata, "pattern": WEB_URL_TEXT}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        url = super()._deserialize(value, attr, data, **kwargs)
        if url is not None and not _is_web_url(url):
            raise ma.ValidationError("must be an http(s) URL")
        return url


class UpdateUser(RequestSchema):
    username = Text(USERNAME_MAX, validate=username_rules)
    email = Email(validate=email_rules)
    password = Text(PASSWORD_MAX, min_length=PASSWORD_MIN, strip=False)
    bio = Text(BIO_MAX, blank_as_none=True, allow_none=True)
    image = WebUrl(IMAGE_MAX, blank_as_none=True, allow_none=True)

    @ma.validates_schema
    def not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data:
            raise ma.ValidationError(
                "must contain at least one of username, email, password, bio, image",
                field_name="user",
            )


class TagList(fields.List):
    default_error_messages = {"invalid": "must be a list of strings"}  # noqa: RUF012


class NewArticle(RequestSchema):
    title = Text(TITLE_MAX, required=True)
    description = Text(DESCRIPTION_MAX, required=True)
    body = Text(ARTICLE_BODY_MAX, strip=False, required=True)
    tagList = TagList(
        Text(TAG_MAX),
        allow_none=True,
        load_default=list,
        validate=validate.Length(
            max=TAGS_PER_ARTICLE_MAX, error=f"has too many tags (maximum is {TAGS_PER_ARTICLE_MAX})"
        ),
    )


class UpdateArticle(RequestSchema):
    title = Text(TITLE_MAX)
    description = Text(DESCRIPTION_MAX)
    body = Text(ARTICLE_BODY_MAX, strip=False)


class NewComment(RequestSchema):
    body = Text(COMMENT_BODY_MAX, strip=False, required=True)


NewUserRequest = envelope("user", NewUser)
LoginRequest = envelope("user", LoginUser)
UpdateUserRequest = envelope("user", UpdateUser)
NewArticleRequest = envelope("article", NewArticle)
UpdateArticleRequest = envelope("article", UpdateArticle)
NewCommentRequest = envelope("comment", NewComment)


class Page(RequestSchema):
    limit = Count(
        load_default=PAGE_SIZE_DEFAULT,
        validate=validate.Range(
            min=1, max=PAGE_SIZE_MAX, error=f"must be between 1 and {PAGE_SIZE_MAX}"
        ),
    )
    offset = Count(
        load_default=0,
        validate=validate.Range(min=0, max=OFFSET_MAX, error=f"must be between 0 and {OFFSET_MAX}"),
    )


class ArticleListQuery(Page):
    # An empty filter (?tag=) means no filter, as a search form would send it.
    # No longer than the column they match: longer names cannot exist, and a query string of
    # three filters at most this long fits in the request line gunicorn accepts (4094 bytes).
    tag = Text(TAG_MAX, blank_as_none=True, metadata={"description": "articles with this tag"})
    author = Text(
        USERNAME_MAX, blank_as_none=True, metadata={"description": "articles by this username"}
    )
    favorited = Text(
        USERNAME_MAX,
        blank_as_none=True,
        metadata={"description": "articles this username favourited"},
    )


# --- responses (documentation) ---------------------------------------------------------------


def _link(path: str, method: str, **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to the operation ``method path`` (``path`` as the document spells it)."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method}", "parameters": parameters}


def _article_links(slug: str) -> dict[str, Any]:
    article, favorite = "/api/articles/{slug}", "/api/articles/{slug}/favorite"
    comments = "/api/articles/{slug}/comments"
    return {
        "showArticle": _link(article, "get", slug=slug),
        "updateArticle": _link(article, "put", slug=slug),
        "deleteArticle": _link(article, "delete", slug=slug),
        "favoriteArticle": _link(favorite, "post", slug=slug),
        "unfavoriteArticle": _link(favorite, "delete", slug=slug),
        "listComments": _link(comments, "get", slug=slug),
        "addComment": _link(comments, "post", slug=slug),
    }


def _profile_links(username: str) -> dict[str, Any]:
    profile, follow = "/api/profiles/{username}", "/api/profiles/{username}/follow"
    return {
        "showProfile": _link(profile, "get", username=username),
        "follow": _link(follow, "post", username=username),
        "unfollow": _link(follow, "delete", username=username),
    }


#: What a client can do next with what a response names (OpenAPI links, used by stateful
#: fuzzers): ``@blp.doc(responses={201: {"links": ARTICLE_LINKS}})``.
ARTICLE_LINKS = _article_links("$response.body#/article/slug")
COMMENT_LINKS = {
    "deleteComment": _link(
        "/api/articles/{slug}/comments/{comment_id}",
        "delete",
        slug="$request.path.slug",
        comment_id="$response.body#/comment/id",
    )
}
USER_LINKS = _profile_links("$response.body#/user/username")
PROFILE_LINKS = _profile_links("$response.body#/profile/username")


class Profile(ma.Schema):
    username = fields.String(required=True)
    bio = fields.String(required=True, allow_none=True)
    image = fields.String(required=True, allow_none=True)
    following = fields.Boolean(required=True)


class AuthenticatedUser(ma.Schema):
    email = fields.String(required=True)
    token = fields.String(required=True)
    username = fields.String(required=True)
    bio = fields.String(required=True, allow_none=True)
    image = fields.String(required=True, allow_none=True)


class ArticleSummary(ma.Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    tagList = fields.List(fields.String(), required=True)
    createdAt = fields.String(required=True, metadata={"format": "date-time"})
    updatedAt = fields.String(required=True, metadata={"format": "date-time"})
    favorited = fields.Boolean(required=True)
    favoritesCount = fields.Integer(required=True)
    author = fields.Nested(Profile, required=True)


class Article(ArticleSummary):
    body = fields.String(required=True)


class Comment(ma.Schema):
    id = fields.Integer(required=True)
    createdAt = fields.String(required=True, metadata={"format": "date-time"})
    updatedAt = fields.String(required=True, metadata={"format": "date-time"})
    body = fields.String(required=True)
    author = fields.Nested(Profile, required=True)


class UserResponse(ma.Schema):
    user = fields.Nested(AuthenticatedUser, required=True)


class ProfileResponse(ma.Schema):
    profile = fields.Nested(Profile, required=True)


class ArticleResponse(ma.Schema):
    article = fields.Nested(Article, required=True)


class ArticlesResponse(ma.Schema):
    articles = fields.List(fields.Nested(ArticleSummary), required=True)
    articlesCount = fields.Integer(required=True)


class CommentResponse(ma.Schema):
    comment = fields.Nested(Comment, required=True)


class CommentsResponse(ma.Schema):
    comments = fields.List(fields.Nested(Comment), required=True)


class TagsResponse(ma.Schema):
    tags = fields.List(fields.String(), required=True)


class ErrorResponse(ma.Schema):
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"example": {"body": ["can't be blank"]}},
    )
