"""The WSGI entry point (``gunicorn wsgi:app``): the portfolio at ``/``, each capstone API under
its own prefix. This is the only module-level app object in the repository.

Behind reverse proxies, ``TRUSTED_PROXY_HOPS`` (default 0) says how many of them to believe
about ``X-Forwarded-For/-Proto/-Host/-Prefix``. They are read once, here at the front, so a
forwarded prefix goes in front of the mount prefix (``/backend45`` + ``/blog``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import NonNegativeInt, TypeAdapter, ValidationError
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

from portfolio.app import create_app
from shared.config import ConfigError, load_env_file

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def capstone_apps() -> dict[str, WSGIApplication]:
    """The capstone APIs to serve next to the portfolio, by URL prefix.

    Each API is mounted once it is finished; the portfolio links the ones it finds.
    """
    from projects.blog_api import create_app as create_blog_api
    from projects.notes_ai import create_app as create_notes_api
    from projects.todo_api import create_app as create_todo_api

    # Proxy headers are read once, at the front (create_portfolio), not again by each API.
    return {
        "/blog": create_blog_api({"TRUSTED_PROXY_HOPS": 0}),
        "/todo": create_todo_api({"TRUSTED_PROXY_HOPS": 0}),
        "/notes": create_notes_api(),
    }


def trusted_proxy_hops() -> int:
    """``TRUSTED_PROXY_HOPS`` from the environment: proxies to believe, 0 (none) by default.

    Believing a header no proxy of ours set would let any client pick its own address (and
    so its own rate-limit bucket), hence the default.
    """
    load_env_file()  # as every app's settings do, so a value in .env counts here too
    raw = os.environ.get("TRUSTED_PROXY_HOPS", "").strip() or "0"
    try:
        return TypeAdapter(NonNegativeInt).validate_python(raw, strict=False)
    except ValidationError:
        raise ConfigError(
            f"TRUSTED_PROXY_HOPS must be a number of proxies, 0 or more; got {raw!r}"
        ) from None


def create_portfolio(
    mounts: Mapping[str, WSGIApplication] | None = None,
    overrides: Mapping[str, Any] | None = None,
    proxy_hops: int | None = None,
) -> WSGIApplication:
    """The portfolio with ``mounts`` (default: :func:`capstone_apps`) dispatched by prefix.

    ``overrides`` go to the portfolio's ``create_app`` (``{"REPO_URL": ...}``, say);
    ``proxy_hops`` defaults to :func:`trusted_proxy_hops`.
    """
    hops = trusted_proxy_hops() if proxy_hops is None else proxy_hops
    mounts = capstone_apps() if mounts is None else dict(mounts)
    portfolio = create_app({**(overrides or {}), "MOUNTED_APPS": sorted(mounts)})
    dispatcher = DispatcherMiddleware(portfolio, mounts)
    if not hops:
        return dispatcher
    return ProxyFix(dispatcher, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)


app = create_portfolio()
