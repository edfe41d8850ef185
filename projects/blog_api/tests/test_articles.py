"""Articles, the feed and favourites."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from projects.blog_api import articles as articles_module
from projects.blog_api.models import Article, User
from projects.blog_api.tests.support import Conduit, assert_error, unique

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SUMMARY_KEYS = {
    "slug",
    "title",
    "description",
    "tagList",
    "createdAt",
    "updatedAt",
    "favorited",
    "favoritesCount",
    "author",
}


def test_creating_an_article_answers_201_with_the_full_article(conduit: Conduit) -> None:
    author = conduit.register()
    response = conduit.client.post(
        "/api/articles",
        json={
            "article": {
                "title": "How to train your dragon",
                "description": "Ever wonder how?",
                "body": "Very carefully.",
                "tagList": ["training", "dragons"],
            }
        },
        headers=author.headers,
    )
    assert response.status_code == 201, response.json
    article = response.json["article"]
    assert set(article) == SUMMARY_KEYS | {"body"}
    assert article["title"] == "How to train your dragon"
    assert article["body"] == "Very carefully."
    assert article["tagList"] == ["dragons", "training"]
    assert (article["favorited"], article["favoritesCount"]) == (False, 0)
    assert article["author"] == {
        "username": author.username,
        "bio": None,
        "image": None,
        "following": False,
    }
    assert TIMESTAMP.match(article["createdAt"]), article["createdAt"]
    assert article["createdAt"] == article["updatedAt"]


def test_a_new_article_and_its_author_were_updated_exactly_when_created(
    app: Flask, conduit: Conduit
) -> None:
    # Compared as stored, to the microsecond: the responses round to milliseconds, which hid
    # two clock readings a few microseconds apart until they straddled a millisecond.
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    with app.extensions["blog"].db.transaction() as session:
        article = session.scalar(sa.select(Article).where(Article.slug == slug))
        user = session.scalar(sa.select(User).where(User.username == author.username))
        stamps = [(article.created_at, article.updated_at), (user.created_at, user.updated_at)]
    assert all(created == updated for created, updated in stamps), stamps


def test_tag_lists_are_sorted_and_without_duplicates(conduit: Conduit) -> None:
    article = conduit.write(conduit.register(), tagList=["b", "a", "C", "b", " a "])
    assert article["tagList"] == ["C", "a", "b"]


def test_tag_list_may_be_left_out_or_null(conduit: Conduit) -> None:
    author = conduit.register()
    assert conduit.write(author)["tagList"] == []
    assert conduit.write(author, tagList=None)["tagList"] == []


def test_the_same_title_gets_a_new_slug_every_time(conduit: Conduit) -> None:
    first, second = conduit.register(), conduit.register()
    slugs = {conduit.write(author)["slug"] for author in (first, second, first)}
    assert len(slugs) == 3
    assert all(slug.startswith("how-to-train-your-dragon-") for slug in slugs), slugs


@pytest.mark.parametrize(
    ("title", "readable"),
    [
        ("Héllo, Wörld!", "hello-world-"),
        ("日本語のタイトル", "日本語のタイトル-"),
        ("🐉🔥", "article-"),
        ("???", "article-"),
    ],
)
def test_any_unicode_title_gets_a_working_slug(conduit: Conduit, title: str, readable: str) -> None:
    author = conduit.register()
    slug = conduit.write(author, title=title)["slug"]
    assert slug.startswith(readable), slug
    response = conduit.client.get(f"/api/articles/{slug}")
    assert response.status_code == 200, response.json
    assert response.json["article"]["title"] == title


def test_a_slug_collision_draws_a_new_slug(
    conduit: Conduit, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = conduit.register()
    taken = conduit.write(author)["slug"]
    fresh = f"fresh-{unique()}"
    slugs = iter([taken, fresh])
    monkeypatch.setattr(articles_module, "new_slug", lambda title: next(slugs))
    assert conduit.write(author)["slug"] == fresh


def test_an_article_is_found_by_slug_with_its_body(conduit: Conduit) -> None:
    created = conduit.write(conduit.register(), body="Line one.\n\nLine two.")
    response = conduit.client.get(f"/api/articles/{created['slug']}")
    assert response.status_code == 200
    assert response.json["article"] == created


def test_a_missing_article_is_404(client: FlaskClient) -> None:
    assert_error(client.get(f"/api/articles/{unique('missing-')}"), 404, "body")


def test_the_list_is_newest_first_and_omits_the_body(conduit: Conduit) -> None:
    author = conduit.register()
    older, newer = conduit.write(author), conduit.write(author)
    response = conduit.client.get(f"/api/articles?author={author.username}")
    assert response.status_code == 200
    listed = response.json["articles"]
    assert [a["slug"] for a in listed] == [newer["slug"], older["slug"]]
    assert all(set(article) == SUMMARY_KEYS for article in listed), listed[0].keys()


def test_articles_count_is_the_total_not_the_page_length(conduit: Conduit) -> None:
    author = conduit.register()
    written = [conduit.write(author) for _ in range(3)]
    response = conduit.client.get(f"/api/articles?author={author.username}&limit=2&offset=1")
    body = response.json
    assert body["articlesCount"] == 3
    assert [a["slug"] for a in body["articles"]] == [written[1]["slug"], written[0]["slug"]]


def test_an_offset_past_the_end_gives_an_empty_page_and_the_total(conduit: Conduit) -> None:
    author = conduit.register()
    conduit.write(author)
    response = conduit.client.get(f"/api/articles?author={author.username}&offset=50")
    assert response.json == {"articles": [], "articlesCount": 1}


def test_the_list_filters_by_tag(conduit: Conduit) -> None:
    author, tag = conduit.register(), unique("tag")
    tagged = conduit.write(author, tagList=[tag, "other"])
    conduit.write(author, tagList=["other"])
    response = conduit.client.get(f"/api/articles?tag={tag}")
    assert [a["slug"] for a in response.json["articles"]] == [tagged["slug"]]
    assert response.json["articlesCount"] == 1


def test_the_list_filters_by_who_favourited(conduit: Conduit) -> None:
    author, fan = conduit.register(), conduit.register()
    liked = conduit.write(author)
    conduit.write(author)
    conduit.favorite(fan, liked["slug"])
    response = conduit.client.get(f"/api/articles?favorited={fan.username}")
    assert [a["slug"] for a in response.json["articles"]] == [liked["slug"]]


def test_filters_combine(conduit: Conduit) -> None:
    author, other, fan, tag = conduit.register(), conduit.register(), conduit.register(), unique()
    wanted = conduit.write(author, tagList=[tag])
    for article in (wanted, conduit.write(other, tagList=[tag]), conduit.write(author)):
        conduit.favorite(fan, article["slug"])
    response = conduit.client.get(
        f"/api/articles?tag={tag}&author={author.username}&favorited={fan.username}"
    )
    assert [a["slug"] for a in response.json["articles"]] == [wanted["slug"]]


@pytest.mark.parametrize("filter_name", ["tag", "author", "favorited"])
def test_a_filter_matching_nothing_gives_an_empty_list(
    client: FlaskClient, filter_name: str
) -> None:
    response = client.get(f"/api/articles?{filter_name}={unique('nobody')}")
    assert response.status_code == 200
    assert response.json == {"articles": [], "articlesCount": 0}


def test_favorited_and_favorites_count_are_for_the_caller(conduit: Conduit) -> None:
    author, fan, other = conduit.register(), conduit.register(), conduit.register()
    slug = conduit.write(author)["slug"]
    response = conduit.client.post(f"/api/articles/{slug}/favorite", headers=fan.headers)
    assert response.status_code == 200, response.json
    assert (response.json["article"]["favorited"], response.json["article"]["favoritesCount"]) == (
        True,
        1,
    )
    seen = {
        "fan": conduit.client.get(f"/api/articles/{slug}", headers=fan.headers),
        "other": conduit.client.get(f"/api/articles/{slug}", headers=other.headers),
        "anonymous": conduit.client.get(f"/api/articles/{slug}"),
    }
    favorited = {
        who: (r.json["article"]["favorited"], r.json["article"]["favoritesCount"])
        for who, r in seen.items()
    }
    assert favorited == {"fan": (True, 1), "other": (False, 1), "anonymous": (False, 1)}
    listed = conduit.client.get(f"/api/articles?author={author.username}", headers=fan.headers)
    assert listed.json["articles"][0]["favorited"] is True


def test_favouriting_twice_counts_once_and_unfavouriting_undoes_it(conduit: Conduit) -> None:
    author, fan = conduit.register(), conduit.register()
    slug = conduit.write(author)["slug"]
    conduit.favorite(fan, slug)
    conduit.favorite(fan, slug)
    assert conduit.client.get(f"/api/articles/{slug}").json["article"]["favoritesCount"] == 1
    for _ in range(2):
        response = conduit.client.delete(f"/api/articles/{slug}/favorite", headers=fan.headers)
        assert response.status_code == 200
        assert (
            response.json["article"]["favorited"],
            response.json["article"]["favoritesCount"],
        ) == (
            False,
            0,
        )


def test_favouriting_a_missing_article_is_404(conduit: Conduit) -> None:
    fan = conduit.register()
    response = conduit.client.post(f"/api/articles/{unique('no-')}/favorite", headers=fan.headers)
    assert_error(response, 404, "body")


def test_favouriting_needs_a_token(conduit: Conduit) -> None:
    slug = conduit.write(conduit.register())["slug"]
    assert_error(conduit.client.post(f"/api/articles/{slug}/favorite"), 401, "body")


def test_the_author_shows_following_in_the_list(conduit: Conduit) -> None:
    author, fan = conduit.register(), conduit.register()
    conduit.write(author)
    conduit.follow(fan, author)
    response = conduit.client.get(f"/api/articles?author={author.username}", headers=fan.headers)
    assert response.json["articles"][0]["author"]["following"] is True


def test_the_feed_shows_followed_authors_newest_first(conduit: Conduit) -> None:
    reader, followed, ignored = conduit.register(), conduit.register(), conduit.register()
    conduit.follow(reader, followed)
    older = conduit.write(followed)
    conduit.write(ignored)
    newer = conduit.write(followed)
    response = conduit.client.get("/api/articles/feed", headers=reader.headers)
    assert response.status_code == 200, response.json
    assert [a["slug"] for a in response.json["articles"]] == [newer["slug"], older["slug"]]
    assert response.json["articlesCount"] == 2
    assert all(a["author"]["following"] for a in response.json["articles"])
    assert all("body" not in a for a in response.json["articles"])


def test_the_feed_pages_with_limit_and_offset(conduit: Conduit) -> None:
    reader, followed = conduit.register(), conduit.register()
    conduit.follow(reader, followed)
    written = [conduit.write(followed) for _ in range(3)]
    response = conduit.client.get("/api/articles/feed?limit=1&offset=1", headers=reader.headers)
    assert [a["slug"] for a in response.json["articles"]] == [written[1]["slug"]]
    assert response.json["articlesCount"] == 3


def test_an_empty_feed_says_zero(conduit: Conduit) -> None:
    loner = conduit.register()
    response = conduit.client.get("/api/articles/feed", headers=loner.headers)
    assert response.json == {"articles": [], "articlesCount": 0}


def test_the_feed_needs_a_token(client: FlaskClient) -> None:
    assert_error(client.get("/api/articles/feed"), 401, "body")


def test_the_author_updates_an_article(conduit: Conduit) -> None:
    author = conduit.register()
    created = conduit.write(author)
    response = conduit.client.put(
        f"/api/articles/{created['slug']}",
        json={"article": {"body": "With two hands"}},
        headers=author.headers,
    )
    assert response.status_code == 200, response.json
    updated = response.json["article"]
    assert updated["body"] == "With two hands"
    assert (updated["slug"], updated["title"]) == (created["slug"], created["title"])
    assert updated["updatedAt"] >= created["updatedAt"]


def test_a_new_title_gives_a_new_slug_and_the_old_one_is_gone(conduit: Conduit) -> None:
    author = conduit.register()
    created = conduit.write(author)
    response = conduit.client.put(
        f"/api/articles/{created['slug']}",
        json={"article": {"title": "Dragons, revisited"}},
        headers=author.headers,
    )
    slug = response.json["article"]["slug"]
    assert slug.startswith("dragons-revisited-")
    assert conduit.client.get(f"/api/articles/{slug}").status_code == 200
    assert conduit.client.get(f"/api/articles/{created['slug']}").status_code == 404


def test_an_empty_update_changes_nothing(conduit: Conduit) -> None:
    author = conduit.register()
    created = conduit.write(author)
    response = conduit.client.put(
        f"/api/articles/{created['slug']}", json={"article": {}}, headers=author.headers
    )
    assert response.status_code == 200
    assert response.json["article"] == created


def test_only_the_author_may_update_or_delete(conduit: Conduit) -> None:
    author, intruder = conduit.register(), conduit.register()
    slug = conduit.write(author)["slug"]
    update = conduit.client.put(
        f"/api/articles/{slug}", json={"article": {"body": "mine now"}}, headers=intruder.headers
    )
    assert_error(update, 403, "body")
    assert_error(
        conduit.client.delete(f"/api/articles/{slug}", headers=intruder.headers), 403, "body"
    )
    assert conduit.client.get(f"/api/articles/{slug}").json["article"]["body"] == "Very carefully."


def test_updating_or_deleting_a_missing_article_is_404(conduit: Conduit) -> None:
    author, slug = conduit.register(), unique("missing-")
    update = conduit.client.put(
        f"/api/articles/{slug}", json={"article": {"body": "x"}}, headers=author.headers
    )
    assert_error(update, 404, "body")
    assert_error(
        conduit.client.delete(f"/api/articles/{slug}", headers=author.headers), 404, "body"
    )


def test_writing_needs_a_token(conduit: Conduit) -> None:
    slug = conduit.write(conduit.register())["slug"]
    article = {"title": "t", "description": "d", "body": "b"}
    assert_error(conduit.client.post("/api/articles", json={"article": article}), 401, "body")
    assert_error(
        conduit.client.put(f"/api/articles/{slug}", json={"article": article}), 401, "body"
    )
    assert_error(conduit.client.delete(f"/api/articles/{slug}"), 401, "body")


def test_the_author_deletes_an_article_with_204(conduit: Conduit) -> None:
    author, fan = conduit.register(), conduit.register()
    slug = conduit.write(author)["slug"]
    conduit.favorite(fan, slug)
    response = conduit.client.delete(f"/api/articles/{slug}", headers=author.headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(conduit.client.get(f"/api/articles/{slug}"), 404, "body")
    assert conduit.client.get(f"/api/articles?favorited={fan.username}").json["articlesCount"] == 0


def test_the_feed_url_is_not_also_an_article_url(client: FlaskClient) -> None:
    # /articles/feed used to match /articles/<slug> too, so OPTIONS offered PUT and DELETE.
    allowed = client.open("/api/articles/feed", method="OPTIONS").headers["Allow"]
    assert set(allowed.replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert_error(client.put("/api/articles/feed", json={"article": {}}), 405, "body")
