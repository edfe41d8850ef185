"""Server-side Flask sessions in Redis: the cookie holds only a signed, opaque session id.

The session's data lives under ``PREFIX + id`` as JSON with a TTL. The cookie is HttpOnly and
SameSite=Lax, signed with the app's ``SECRET_KEY`` so a forged id is not even looked up.
:func:`rotate` gives the session a new id (call it on login: a session id planted before the
login is worthless after it); :func:`end_session` deletes the key and the cookie (logout).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import redis
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, Signer
from werkzeug.datastructures import CallbackDict

#: Default lifetime of a session, counted from its last change.
DEFAULT_TTL = timedelta(minutes=30)


class RedisSession(CallbackDict[str, Any], SessionMixin):
    """A session's data, plus its id and whether it must be saved under a new one."""

    def __init__(self, initial: dict[str, Any] | None = None, sid: str = "", new: bool = False):
        def on_update(session: RedisSession) -> None:
            session.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.new = new
        self.modified = False
        self.rotate_id = False


def new_session_id() -> str:
    """A random id with 256 bits of entropy, safe in a cookie and a Redis key."""
    return secrets.token_urlsafe(32)


def rotate(session: SessionMixin) -> None:
    """Save this session under a fresh id at the end of the request; the old key is deleted."""
    if isinstance(session, RedisSession):
        session.rotate_id = True
        session.modified = True


def end_session(session: SessionMixin) -> None:
    """Log out: empty the session, so that its key and its cookie are deleted."""
    session.clear()
    session.modified = True


class RedisSessionInterface(SessionInterface):
    """Flask's session interface, backed by a real Redis."""

    def __init__(
        self, client: redis.Redis, prefix: str = "session:", ttl: timedelta = DEFAULT_TTL
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl

    def key(self, sid: str) -> str:
        """The Redis key that holds the session ``sid``."""
        return f"{self.prefix}{sid}"

    def _signer(self, app: Flask) -> Signer:
        return Signer(app.secret_key, salt="day19.session")  # type: ignore[arg-type]

    def open_session(self, app: Flask, request: Request) -> RedisSession | None:
        """The session named by a validly signed cookie, or a new, empty one."""
        if not app.secret_key:
            return None  # Flask then refuses to write to the session, with its own message.
        # practice 1: load the session a validly signed cookie names, or start a new, empty one
        # hint: a bad signature means no id at all; a key Redis does not have means a new session.
        cookie = request.cookies.get(self.get_cookie_name(app))
        if cookie:
            try:
                sid = self._signer(app).unsign(cookie).decode()
            except BadSignature:
                sid = ""
            if sid and (raw := self.client.get(self.key(sid))) is not None:
                return RedisSession(json.loads(raw), sid=sid)
        return RedisSession(sid=new_session_id(), new=True)
        # end practice 1

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Write a changed session and its cookie; delete both for an emptied one."""
        assert isinstance(session, RedisSession)
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if not session.modified:
            return
        # practice 2: delete an emptied session, rotate the id when asked, else save it with a TTL
        # hint: an emptied session loses its key and cookie; a rotated one drops its old key first;
        # hint: the cookie is only the signed id: HttpOnly, SameSite=Lax, Max-Age = the TTL.
        if not session:
            if not session.new:
                self.client.delete(self.key(session.sid))
            response.delete_cookie(name, domain=domain, path=path)
            return
        if session.rotate_id:
            self.client.delete(self.key(session.sid))
            session.sid = new_session_id()
            session.rotate_id = False
        seconds = int(self.ttl.total_seconds())
        self.client.set(self.key(session.sid), json.dumps(dict(session)), ex=seconds)
        response.set_cookie(
            name,
            self._signer(app).sign(session.sid).decode(),
            max_age=seconds,
            domain=domain,
            path=path,
            secure=self.get_cookie_secure(app),
            httponly=True,
            samesite="Lax",
        )
        response.vary.add("Cookie")
        # end practice 2
