"""The WSGI entry point (``gunicorn wsgi:app``): the portfolio at ``/``, each capstone API under
its own prefix. This is the only module-level app object in the repository."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from portfolio.app import create_app

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def capstone_apps() -> dict[str, WSGIApplication]:
    """The capstone APIs to serve next to the portfolio, by URL prefix.

    Each API is mounted once it is finished; the portfolio links the ones it finds.
    """
    from projects.blog_api import create_app as create_blog_api

    return {"/blog": create_blog_api()}


def create_portfolio(
    mounts: Mapping[str, WSGIApplication] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> DispatcherMiddleware:
    """The portfolio with ``mounts`` (default: :func:`capstone_apps`) dispatched by prefix.

    ``overrides`` go to the portfolio's ``create_app`` (``{"REPO_URL": ...}``, say).
    """
    mounts = capstone_apps() if mounts is None else dict(mounts)
    portfolio = create_app({**(overrides or {}), "MOUNTED_APPS": sorted(mounts)})
    return DispatcherMiddleware(portfolio, mounts)


app = create_portfolio()
