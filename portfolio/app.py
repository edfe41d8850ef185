"""The portfolio web app: the progress log, the heatmap, each day's lesson and the capstone APIs.

Settings (``create_app(overrides)``, or ``PORTFOLIO_``-prefixed environment variables):

- ``REPO_ROOT``: the checkout to read the day folders and docs/heatmap.svg from (default: this one).
- ``REPO_URL``: where the repository's files can be read online, e.g.
  ``https://github.com/<owner>/backend-45/blob/main``; links in a lesson to files in the repository
  point there. Empty (the default): such links are shown as plain text.
- ``MOUNTED_APPS``: the URL prefixes of the capstone APIs mounted next to the portfolio
  (wsgi.py fills it in); only those are linked.
- ``PRACTICE_PROGRESS``: the file ``make check-dayNN`` records practice progress in (default:
  ``practice/.progress.json`` under ``REPO_ROOT``); ``/practice`` shows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, jsonify, render_template, send_from_directory
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from portfolio.days import (
    DAY_COUNT,
    REPO_ROOT,
    Day,
    FrontMatterError,
    collect_days,
    load_plan,
    read_day_readme,
)
from portfolio.figures import read_results
from portfolio.lesson import render_lesson
from portfolio.log import HEATMAP_PATH, progress_summary
from portfolio.progress import PROGRESS_PATH, read_progress

_DAY_SLUG = re.compile(r"^day(\d\d)$")

SECURITY_HEADERS = {
    # The pages need no script at all; the inline SVG heatmap carries its own <style>.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@dataclass(frozen=True)
class Capstone:
    """A capstone API as the index page links it."""

    prefix: str
    entry: str
    name: str
    days: str
    summary: str
    openapi: str

    @property
    def label(self) -> str:
        """``Blog API (days 04–10)``."""
        return f"{self.name} ({self.days})"


CAPSTONES = (
    Capstone(
        "/blog",
        "/blog/api/docs",
        "Blog API",
        "days 04–10",
        "A RealWorld-spec blogging API: users, articles, comments, tags, follows and favourites.",
        "/blog/api/openapi.json",
    ),
    Capstone(
        "/todo",
        "/todo/docs",
        "Todo API",
        "days 11–25",
        "A Todo-Backend API with a Redis cache, rate limits, background jobs and live updates.",
        "/todo/openapi.json",
    ),
    Capstone(
        "/notes",
        "/notes/api/docs",
        "AI Notes API",
        "days 26–40",
        "A notes API with embeddings, vector search and chat that cites its sources.",
        "/notes/api/openapi.json",
    ),
)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the portfolio app; ``overrides`` win over the environment and the defaults."""
    app = Flask(__name__)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.config.from_mapping(
        REPO_ROOT=str(REPO_ROOT), REPO_URL="", MOUNTED_APPS=[], PRACTICE_PROGRESS=""
    )
    app.config.from_prefixed_env("PORTFOLIO")
    app.config.update(overrides or {})
    app.extensions["portfolio_plan"] = load_plan()

    app.add_url_rule("/", "index", index)
    app.add_url_rule("/days/<slug>", "day", day_page)
    app.add_url_rule("/figures", "figures", figures_page)
    app.add_url_rule("/practice", "practice", practice_page)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(FrontMatterError, render_front_matter_error)
    app.after_request(add_security_headers)
    return app


def _repo_root() -> Path:
    return Path(current_app.config["REPO_ROOT"])


def _days() -> list[Day]:
    return collect_days(_repo_root(), current_app.extensions["portfolio_plan"])


def index() -> str:
    """The home page: intro, progress, heatmap, capstone links and the log of all 45 days."""
    days = _days()
    by_number = {day.number: day for day in days}
    phases = [
        (phase, [by_number[n] for n in range(phase.first, phase.last + 1)])
        for phase in current_app.extensions["portfolio_plan"].phases
    ]
    mounted = set(current_app.config["MOUNTED_APPS"])
    return render_template(
        "index.html",
        phases=phases,
        summary=progress_summary(days),
        done=sum(day.status == "done" for day in days),
        day_count=DAY_COUNT,
        heatmap=_heatmap_svg(),
        capstones=[capstone for capstone in CAPSTONES if capstone.prefix in mounted],
        planned_capstones=[capstone for capstone in CAPSTONES if capstone.prefix not in mounted],
        results=read_results(_repo_root()),
    )


def figures_page() -> str:
    """The benchmark and evaluation figures, from the results committed in docs/results/."""
    return render_template("figures.html", results=read_results(_repo_root()))


def practice_page() -> str:
    """Practice mode's progress on this machine, day by day, as make check-dayNN recorded it."""
    configured = current_app.config["PRACTICE_PROGRESS"]
    path = Path(configured) if configured else _repo_root() / PROGRESS_PATH
    return render_template("practice.html", progress=read_progress(path))


def _heatmap_svg() -> Markup | None:
    # The SVG is generated by `make log` from the repository itself, so it is trusted markup.
    path = _repo_root() / HEATMAP_PATH
    return Markup(path.read_text(encoding="utf-8")) if path.is_file() else None


def day_page(slug: str) -> str:
    """One day's lesson: its front matter as the header, then its README rendered."""
    match = _DAY_SLUG.match(slug)
    number = int(match.group(1)) if match else 0
    if not 1 <= number <= DAY_COUNT:
        abort(404, description=f"There is no {slug!r}: the days run from day01 to day{DAY_COUNT}.")
    days = _days()
    day = days[number - 1]
    if not day.has_readme:
        abort(404, description=f"Day {number:02d} · {day.title} is planned but not written yet.")
    front, body = read_day_readme(_repo_root(), number)
    written = [other for other in days if other.has_readme]
    position = written.index(day)
    return render_template(
        "day.html",
        day=day,
        front=front,
        day_count=DAY_COUNT,
        lesson=render_lesson(body, day.folder, current_app.config["REPO_URL"]),
        previous=written[position - 1] if position > 0 else None,
        next=written[position + 1] if position + 1 < len(written) else None,
    )


def favicon() -> Response:
    """The site's icon where browsers look for it unasked, the capstones' docs pages included."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml")


def healthz() -> Response:
    """Liveness: the process is up and answering."""
    return jsonify(status="ok")


def render_http_error(error: HTTPException) -> tuple[str, int]:
    """Every HTTP error (404 above all) as a page in the site's own look."""
    status = error.code or 500
    return render_template(
        "error.html", status=status, title=error.name, detail=error.description
    ), status


def render_front_matter_error(error: FrontMatterError) -> tuple[str, int]:
    """A day README the site cannot read: say which file and what to fix, not a traceback."""
    current_app.logger.error("%s", error)
    return render_template("error.html", status=500, title="Broken lesson", detail=str(error)), 500


def add_security_headers(response: Response) -> Response:
    """Send :data:`SECURITY_HEADERS` with every response."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
