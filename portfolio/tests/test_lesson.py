"""portfolio.lesson: a day README as safe HTML, its links pointed where a browser can go."""

from __future__ import annotations

import pytest

from portfolio.lesson import render_lesson, resolve_repo_link

GITHUB = "https://github.com/learner/backend-45/blob/main"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("https://docs.python.org/3/", "https://docs.python.org/3/"),
        ("mailto:me@example.com", "mailto:me@example.com"),
        ("#run-it", "#run-it"),
        ("../day06/", "/days/day06"),
        ("../day06/README.md#goal", "/days/day06#goal"),
        ("../day06", "/days/day06"),
        ("/day08/README.md", "/days/day08"),
        ("relations.py", f"{GITHUB}/day07/relations.py"),
        ("../projects/blog_api/models.py#L10", f"{GITHUB}/projects/blog_api/models.py#L10"),
        ("/Makefile", f"{GITHUB}/Makefile"),
        ("../../outside.txt", None),
        ("javascript:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
    ],
)
def test_links_are_resolved_from_the_day_folder(target: str, expected: str | None):
    assert resolve_repo_link(target, "day07", GITHUB) == expected, target


def test_repository_files_become_plain_text_without_a_repo_url():
    assert resolve_repo_link("relations.py", "day07") is None


def test_another_day_is_linked_even_without_a_repo_url():
    assert resolve_repo_link("../day06/", "day07") == "/days/day06"


def test_the_leading_day_heading_is_dropped_for_the_page_header():
    html = render_lesson("# Day 07 · Loading\n\n## Goal\n\nText.\n", "day07")
    assert "Day 07 · Loading" not in html
    assert '<h2 id="goal">Goal</h2>' in html


def test_fenced_code_and_tables_are_rendered():
    html = render_lesson("```python\nx = 1 < 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "day07")
    assert '<pre tabindex="0"><code class="language-python">x = 1 &lt; 2\n</code></pre>' in html
    assert "<table>" in html and "<td>2</td>" in html


def test_code_blocks_and_tables_scroll_in_a_box_a_keyboard_can_reach():
    html = render_lesson("Code:\n\n    indented = True\n\n| a |\n|---|\n| 1 |\n\nAfter.\n", "day07")
    assert '<pre tabindex="0"><code>indented = True\n</code></pre>' in html
    assert html.count('<div class="table-scroll" tabindex="0"><table>') == 1
    assert "</table></div>\n<p>After.</p>" in html


def test_tags_written_as_text_in_a_readme_get_no_scroll_box():
    html = render_lesson(
        "Wrap `<pre>` and <table> yourself:\n\n```html\n<table></table>\n```\n", "day07"
    )
    assert "table-scroll" not in html and html.count("tabindex") == 1


def test_raw_html_is_shown_as_text_not_run():
    html = render_lesson('<script>alert("x")</script>\n\nInline <b onclick="x()">b</b>\n', "day07")
    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html


def test_a_link_to_a_repository_file_keeps_its_text_without_a_repo_url():
    html = render_lesson("See [the models](../projects/blog_api/models.py).\n", "day07")
    assert html == '<p>See <span class="repo-path">the models</span>.</p>'


def test_a_link_to_a_repository_file_points_at_the_repo_url():
    html = render_lesson("See [models](../projects/blog_api/models.py).\n", "day07", GITHUB)
    assert f'<a href="{GITHUB}/projects/blog_api/models.py">models</a>' in html


def test_a_script_link_loses_its_target():
    html = render_lesson("[click](javascript:alert(1))\n", "day07")
    assert "javascript:" not in html and "click" in html


def test_a_relative_image_becomes_its_alt_text_without_a_repo_url():
    html = render_lesson("![request flow](flow.png)\n", "day07")
    assert html == '<p><span class="repo-path">[image: request flow]</span></p>'


def test_a_relative_image_is_loaded_raw_from_the_repo_url():
    html = render_lesson("![request flow](flow.png)\n", "day07", GITHUB)
    assert f'src="{GITHUB}/day07/flow.png?raw=true"' in html
