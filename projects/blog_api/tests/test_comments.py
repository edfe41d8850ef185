"""Comments (GET/POST /articles/{slug}/comments, DELETE /articles/{slug}/comments/{id})."""

from __future__ import annotations

from projects.blog_api.tests.support import Conduit, assert_error, unique


def test_adding_a_comment_answers_200_with_the_comment(conduit: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    response = conduit.client.post(
        f"/api/articles/{slug}/comments",
        json={"comment": {"body": "Thank you so much!"}},
        headers=author.headers,
    )
    assert response.status_code == 200, response.json
    comment = response.json["comment"]
    assert set(comment) == {"id", "createdAt", "updatedAt", "body", "author"}
    assert isinstance(comment["id"], int)
    assert comment["body"] == "Thank you so much!"
    assert comment["author"]["username"] == author.username


def test_comments_are_listed_newest_first_for_anyone(conduit: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    first = conduit.comment(author, slug, "first")
    second = conduit.comment(author, slug, "second")
    response = conduit.client.get(f"/api/articles/{slug}/comments")
    assert response.status_code == 200
    assert [c["id"] for c in response.json["comments"]] == [second["id"], first["id"]]


def test_comment_authors_show_following_for_the_caller(conduit: Conduit) -> None:
    author, fan = conduit.register(), conduit.register()
    slug = conduit.write(author)["slug"]
    conduit.comment(author, slug)
    conduit.follow(fan, author)
    response = conduit.client.get(f"/api/articles/{slug}/comments", headers=fan.headers)
    assert response.json["comments"][0]["author"]["following"] is True


def test_comments_on_a_missing_article_are_404(conduit: Conduit) -> None:
    reader = conduit.register()
    missing = unique("missing-")
    assert_error(conduit.client.get(f"/api/articles/{missing}/comments"), 404, "body")
    response = conduit.client.post(
        f"/api/articles/{missing}/comments",
        json={"comment": {"body": "hi"}},
        headers=reader.headers,
    )
    assert_error(response, 404, "body")


def test_commenting_needs_a_token(conduit: Conduit) -> None:
    slug = conduit.write(conduit.register())["slug"]
    response = conduit.client.post(
        f"/api/articles/{slug}/comments", json={"comment": {"body": "hi"}}
    )
    assert_error(response, 401, "body")


def test_the_comment_author_deletes_a_comment_with_204(conduit: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    comment = conduit.comment(author, slug)
    response = conduit.client.delete(
        f"/api/articles/{slug}/comments/{comment['id']}", headers=author.headers
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    assert conduit.client.get(f"/api/articles/{slug}/comments").json["comments"] == []


def test_only_the_comment_author_may_delete_it(conduit: Conduit) -> None:
    article_author, commenter = conduit.register(), conduit.register()
    slug = conduit.write(article_author)["slug"]
    comment = conduit.comment(commenter, slug)
    response = conduit.client.delete(
        f"/api/articles/{slug}/comments/{comment['id']}", headers=article_author.headers
    )
    assert_error(response, 403, "body")


def test_deleting_a_missing_comment_is_404(conduit: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    for comment_id in ("999999999", str(2**70), "not-a-number"):
        response = conduit.client.delete(
            f"/api/articles/{slug}/comments/{comment_id}", headers=author.headers
        )
        assert_error(response, 404, "body")


def test_a_comment_is_only_found_under_its_own_article(conduit: Conduit) -> None:
    author = conduit.register()
    one, other = conduit.write(author)["slug"], conduit.write(author)["slug"]
    comment = conduit.comment(author, one)
    response = conduit.client.delete(
        f"/api/articles/{other}/comments/{comment['id']}", headers=author.headers
    )
    assert_error(response, 404, "body")


def test_deleting_an_article_deletes_its_comments(conduit: Conduit) -> None:
    author = conduit.register()
    slug = conduit.write(author)["slug"]
    conduit.comment(author, slug)
    assert conduit.client.delete(f"/api/articles/{slug}", headers=author.headers).status_code == 204
    assert_error(conduit.client.get(f"/api/articles/{slug}/comments"), 404, "body")
