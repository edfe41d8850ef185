"""Slugs: readable where the title allows, unique always."""

from __future__ import annotations

import re

import pytest

from projects.blog_api.slugs import BASE_MAX, new_slug, slugify


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("How to train your dragon", "how-to-train-your-dragon"),
        ("  Héllo,   Wörld!! ", "hello-world"),
        ("snake_case and kebab-case", "snake-case-and-kebab-case"),
        ("Ça coûte 10 €", "ca-coute-10"),
        ("Привет, мир", "привет-мир"),
        ("日本語のタイトル", "日本語のタイトル"),
        ("한국어 제목", "한국어-제목"),
        ("🐉🔥", ""),
        ("", ""),
    ],
)
def test_slugify_keeps_words_of_any_script_and_drops_the_rest(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_caps_the_length_without_a_trailing_dash() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= BASE_MAX
    assert not slug.endswith("-")


@pytest.mark.parametrize("title", ["How to train your dragon", "🐉", "?!"])
def test_new_slugs_differ_each_time_and_are_url_safe(title: str) -> None:
    slugs = {new_slug(title) for _ in range(50)}
    assert len(slugs) == 50
    assert all(re.fullmatch(r"[^\s/?#%]+-[a-z0-9]{8}", slug) for slug in slugs), slugs
