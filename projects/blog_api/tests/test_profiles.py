"""Profiles and follows (GET /profiles/{username}, POST/DELETE /profiles/{username}/follow)."""

from __future__ import annotations

from flask.testing import FlaskClient

from projects.blog_api.tests.support import Conduit, assert_error, unique


def test_a_profile_shows_username_bio_image_and_following(conduit: Conduit) -> None:
    account = conduit.register()
    response = conduit.client.get(f"/api/profiles/{account.username}")
    assert response.status_code == 200, response.json
    assert response.json == {
        "profile": {"username": account.username, "bio": None, "image": None, "following": False}
    }


def test_a_missing_profile_is_404(client: FlaskClient) -> None:
    assert_error(client.get(f"/api/profiles/{unique()}"), 404, "body")


def test_following_is_reported_for_the_caller(conduit: Conduit) -> None:
    fan, celeb, stranger = conduit.register(), conduit.register(), conduit.register()
    response = conduit.client.post(f"/api/profiles/{celeb.username}/follow", headers=fan.headers)
    assert response.status_code == 200, response.json
    assert response.json["profile"]["following"] is True
    seen_by = {
        "fan": conduit.client.get(f"/api/profiles/{celeb.username}", headers=fan.headers),
        "stranger": conduit.client.get(f"/api/profiles/{celeb.username}", headers=stranger.headers),
        "anonymous": conduit.client.get(f"/api/profiles/{celeb.username}"),
    }
    following = {who: r.json["profile"]["following"] for who, r in seen_by.items()}
    assert following == {"fan": True, "stranger": False, "anonymous": False}


def test_following_twice_is_the_same_as_once(conduit: Conduit) -> None:
    fan, celeb = conduit.register(), conduit.register()
    conduit.follow(fan, celeb)
    response = conduit.client.post(f"/api/profiles/{celeb.username}/follow", headers=fan.headers)
    assert response.status_code == 200
    assert response.json["profile"]["following"] is True


def test_unfollow_stops_following_and_is_idempotent(conduit: Conduit) -> None:
    fan, celeb = conduit.register(), conduit.register()
    conduit.follow(fan, celeb)
    for _ in range(2):
        response = conduit.client.delete(
            f"/api/profiles/{celeb.username}/follow", headers=fan.headers
        )
        assert response.status_code == 200, response.json
        assert response.json["profile"]["following"] is False


def test_following_yourself_is_refused(conduit: Conduit) -> None:
    me = conduit.register()
    response = conduit.client.post(f"/api/profiles/{me.username}/follow", headers=me.headers)
    assert_error(response, 422, "body")


def test_following_needs_a_token(conduit: Conduit) -> None:
    celeb = conduit.register()
    assert_error(conduit.client.post(f"/api/profiles/{celeb.username}/follow"), 401, "body")
    assert_error(conduit.client.delete(f"/api/profiles/{celeb.username}/follow"), 401, "body")


def test_following_a_missing_user_is_404(conduit: Conduit) -> None:
    fan = conduit.register()
    response = conduit.client.post(f"/api/profiles/{unique()}/follow", headers=fan.headers)
    assert_error(response, 404, "body")


def test_a_profile_with_a_nul_in_its_name_is_404_not_a_database_error(client: FlaskClient) -> None:
    assert_error(client.get("/api/profiles/bad%00name"), 404, "body")
