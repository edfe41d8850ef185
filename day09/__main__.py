"""`python -m day09`: register, log in and call /me through the test client, then try forgeries."""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from flask import Flask
from sqlalchemy import select

from day09.app import create_app, credential_errors
from day09.forgery import unsigned, with_claims, with_signature_altered
from day09.models import User
from day09.tokens import issue_token
from shared.config import ConfigError


def build_parser() -> argparse.ArgumentParser:
    """The demo's command line."""
    parser = argparse.ArgumentParser(
        prog="python -m day09",
        description="A scripted walk through register, login and /me on an in-memory app, "
        "then tampered, expired, unsigned and missing tokens being refused.",
    )
    parser.add_argument("--username", default="ada", help="who registers (default: ada)")
    parser.add_argument("--password", default="correct horse battery staple", help="their password")
    parser.add_argument(
        "--ttl", type=int, default=900, metavar="SECONDS", help="token lifetime (default 900)"
    )
    return parser


def show(label: str, response: Any) -> dict[str, Any]:
    """Print one exchange as `label` then `status  detail-or-body`; return the JSON body."""
    body = response.get_json(silent=True) or {}
    summary = body.get("detail") or {k: v for k, v in body.items() if k != "access_token"}
    print(f"{label}\n    {response.status_code}  {summary}")
    return body


def hash_shape(stored: str) -> str:
    """``$argon2id$v=19$m=65536,t=3,p=4$<salt: 22>$<hash: 43>``: the parts that never change.

    The salt is random, so the demo prints its length instead; the output is the same each run.
    """
    *fixed, salt, digest = stored.split("$")
    return "$".join([*fixed, f"<salt: {len(salt)}>", f"<hash: {len(digest)}>"])


def token_shape(token: str) -> str:
    """The token's header, its claim names and lifetime: what stays the same from run to run."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    lifetime = claims["exp"] - claims["iat"]
    return f"header {header}, claims {sorted(claims)}, exp - iat = {lifetime} s"


def walk_through(app: Flask, username: str, password: str) -> None:
    """Print each step of the story; every request gets its own app context, as in production."""
    client, services = app.test_client(), app.extensions["day09"]
    credentials = {"username": username, "password": password}
    user = show(f"POST /register {username!r}", client.post("/register", json=credentials))
    with app.app_context():
        stored = services.db.session.scalar(select(User.password_hash).filter_by(id=user["id"]))
    print(f"    stored: {hash_shape(stored)}  (Argon2id; the password itself is never kept)")
    show("POST /register the same username again", client.post("/register", json=credentials))
    wrong = {"username": username, "password": password + "!"}
    show("POST /login with the wrong password", client.post("/login", json=wrong))
    token = show("POST /login", client.post("/login", json=credentials))["access_token"]
    print(f"    token: {token_shape(token)}")

    def me(label: str, header: str | None) -> None:
        headers = {"Authorization": header} if header is not None else {}
        show(f"GET /me {label}", client.get("/me", headers=headers))

    me("with the token", f"Bearer {token}")
    me('with the payload edited to {"sub": "2"}', f"Bearer {with_claims(token, sub='2')}")
    me("with one character of the signature changed", f"Bearer {with_signature_altered(token)}")
    me('re-sent as {"alg": "none"} without a signature', f"Bearer {unsigned(token)}")
    subject, quarter_hour = str(user["id"]), timedelta(minutes=15)
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    expired = issue_token(subject, services.settings.secret_key, quarter_hour, now=an_hour_ago)
    me("with a token that expired 45 minutes ago", f"Bearer {expired}")
    other_key = issue_token(subject, secrets.token_urlsafe(32), quarter_hour)
    me("with a token signed with another secret", f"Bearer {other_key}")
    me("without an Authorization header", None)
    me("with 'Authorization: Basic ...'", "Basic YWRhOnNlY3JldA==")
    me("with 'Authorization: Bearer' and no token", "Bearer")


def main(argv: list[str] | None = None) -> int:
    """Run the demo; 0 on success, 2 for a bad argument."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if errors := credential_errors(args.username, args.password):
        field, problems = next(iter(errors.items()))
        parser.error(f"--{field} {problems[0]}")
    if args.ttl < 1:
        parser.error(f"--ttl must be at least 1 second, got {args.ttl}")
    try:
        # A fresh random key: the demo never signs anything with a guessable secret.
        key = secrets.token_urlsafe(32)
        app = create_app({"SECRET_KEY": key, "DATABASE_URL": "sqlite://", "TOKEN_TTL": args.ttl})
    except ConfigError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    walk_through(app, args.username, args.password)
    return 0


if __name__ == "__main__":
    sys.exit(main())
