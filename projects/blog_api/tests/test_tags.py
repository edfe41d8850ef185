"""Tags (GET /tags)."""

from __future__ import annotations

from projects.blog_api.tests.support import Conduit, unique


def test_tags_lists_the_tags_in_use_most_used_first(conduit: Conduit) -> None:
    author = conduit.register()
    rare, common = unique("rare"), unique("common")
    conduit.write(author, tagList=[common])
    conduit.write(author, tagList=[common, rare])
    tags = conduit.client.get("/api/tags").json["tags"]
    assert common in tags and rare in tags
    assert tags.index(common) < tags.index(rare), tags


def test_a_tag_disappears_when_its_last_article_is_deleted(conduit: Conduit) -> None:
    author = conduit.register()
    lonely = unique("lonely")
    article = conduit.write(author, tagList=[lonely])
    conduit.client.delete(f"/api/articles/{article['slug']}", headers=author.headers)
    assert lonely not in conduit.client.get("/api/tags").json["tags"]


def test_tags_need_no_token(conduit: Conduit) -> None:
    response = conduit.client.get("/api/tags")
    assert response.status_code == 200
    assert isinstance(response.json["tags"], list)
