"""The command line: bulk import, re-embedding after the embedder changed, and counts.

The database commands run on SQLite, MySQL and PostgreSQL, on a real folder in ``tmp_path``;
re-embedding switches to hosted embeddings served by a local OpenAI-compatible server, whose
model name and dimension differ from the local model's, then back.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from projects.notes_ai import cli, create_app
from projects.notes_ai.embeddings import LOCAL_DIM, LOCAL_MODEL
from projects.notes_ai.models import Chunk, Note, User
from projects.notes_ai.tests.conftest import CHEAP_PASSWORDS, settings_for
from shared.errors import ApiError
from shared.testing import BACKENDS
from shared.testing.openai_server import API_KEY, OpenAIServer, Reply, local_openai  # noqa: F401

PASSWORD = "import password 1"
HOSTED_MODEL = "local-embed"
HOSTED_DIM = 8

NOTES = {
    "coffee.md": "# Pour-over coffee\n\nLet the bloom rest for thirty seconds, then pour slowly "
    "in circles.\n\n## Grind\n\nGrind finer when the water drains too fast.",
    "training/rest-days.md": "Two rest days a week let the muscles recover after heavy lifting.",
    "training/sleep.markdown": "# Sleep\n\nEight hours of sleep help recovery more than any "
    "supplement.",
    "garden.txt": "# Tomatoes\n\nWater tomatoes at the root in the morning, never the leaves.",
    "photo.png": "\x89PNG not a note",
    ".hidden.md": "# Hidden\n\nAn editor's file, not a note.",
}


def write_folder(root: Path) -> Path:
    folder = root / "notes"
    for name, text in NOTES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def write_zip(root: Path) -> Path:
    path = root / "more.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bread.md", "# Sourdough\n\nFeed the starter every twelve hours.")
        archive.writestr("scan.pdf", b"%PDF-1.7")
    return path


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, make_database: Callable[[str], str]) -> str:
    """A new empty database of each backend, for one test."""
    return make_database(request.param)


@pytest.fixture
def apps() -> Iterator[Callable[..., Flask]]:
    """``apps(database_url, **overrides)``: an app on that database, disposed of afterwards."""
    made: list[Flask] = []

    def make(database_url: str, **overrides: Any) -> Flask:
        application = create_app(settings_for(database_url, **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["notes"].db.engine.dispose()


def hosted(server: OpenAIServer) -> dict[str, Any]:
    """Overrides that embed through the local OpenAI-compatible server."""
    return {
        "EMBEDDINGS": "openai",
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_EMBEDDING_MODEL": HOSTED_MODEL,
        "OPENAI_EMBEDDING_DIMENSIONS": HOSTED_DIM,
    }


def import_folder(app: Flask, tmp_path: Path, **options: Any) -> cli.ImportSummary:
    return cli.import_notes(
        app,
        [write_folder(tmp_path), write_zip(tmp_path)],
        "Ada@Example.com",
        PASSWORD,
        progress=cli.no_progress,
        embedding_progress=False,
        **options,
    )


def chunk_models(app: Flask) -> dict[tuple[str, int], int]:
    return cli.stats(app).chunks


def search_titles(app: Flask, question: str) -> list[str]:
    client = app.test_client()
    login = client.post("/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert login.status_code == 200, login.get_data(as_text=True)
    response = client.get(
        "/api/search",
        query_string={"q": question, "k": 3},
        headers={"Authorization": f"Bearer {login.get_json()['token']}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return [result["title"] for result in response.get_json()["results"]]


# --------------------------------------------------------------------------- import


def test_import_stores_every_markdown_file_of_a_folder_and_a_zip_and_refuses_the_rest(
    apps: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    app = apps(database_url)
    summary = import_folder(app, tmp_path)
    assert summary.imported == 5
    assert sorted((r.file, r.reason.split(";")[0]) for r in summary.refused) == [
        ("more.zip/scan.pdf", "not a Markdown file"),
        ("notes/photo.png", "not a Markdown file"),
    ]
    with app.extensions["notes"].db.transaction() as session:
        titles = set(session.scalars(sa.select(Note.title)))
        chunks = session.scalar(sa.select(sa.func.count()).select_from(Chunk))
    assert titles == {"Pour-over coffee", "rest days", "Sleep", "Tomatoes", "Sourdough"}
    assert chunks == summary.chunks >= 5


def test_imported_notes_are_found_by_meaning_through_the_api(
    apps: Callable[..., Flask], database_url: str, tmp_path: Path
) -> None:
    app = apps(database_url)
    import_folder(app, tmp_path)
    assert search_titles(app, "when should I water the plants?")[0] == "Tomatoes"


def test_import_in_batches_of_two_stores_the_same_notes_as_one_batch(
    apps: Callable[..., Flask], tmp_path: Path
) -> None:
    app = apps("sqlite://")
    summary = import_folder(app, tmp_path, batch_size=2)
    assert (summary.imported, chunk_models(app)) == (5, {(LOCAL_MODEL, LOCAL_DIM): summary.chunks})


def test_import_creates_a_missing_user_who_can_then_log_in(
    apps: Callable[..., Flask], tmp_path: Path
) -> None:
    app = apps("sqlite://")
    import_folder(app, tmp_path)
    response = app.test_client().post(
        "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_second_import_adds_to_the_same_user(apps: Callable[..., Flask], tmp_path: Path) -> None:
    app = apps("sqlite://")
    import_folder(app, tmp_path)
    import_folder(app, tmp_path)
    with app.extensions["notes"].db.transaction() as session:
        users = session.scalar(sa.select(sa.func.count()).select_from(User))
        notes = session.scalar(sa.select(sa.func.count()).select_from(Note))
    assert (users, notes) == (1, 10)


def test_import_refuses_a_wrong_password_for_an_existing_user(
    apps: Callable[..., Flask], tmp_path: Path
) -> None:
    app = apps("sqlite://")
    import_folder(app, tmp_path)
    with pytest.raises(
        cli.CommandError, match=re.escape("the password given for ada@example.com is wrong")
    ):
        cli.import_notes(app, [tmp_path / "notes"], "ada@example.com", "not the password")


def test_the_summary_gives_counts_timings_and_each_refusal() -> None:
    summary = cli.ImportSummary(40, [cli.Refused("a.png", "not a Markdown file")], 90, 2.0)
    assert summary.lines() == [
        "imported 40 notes (90 chunks), refused 1 in 2.0 s (20.0 notes/s)",
        "  refused a.png: not a Markdown file",
    ]


# --------------------------------------------------------------------------- reindex


def test_reindex_moves_every_chunk_to_the_new_embedder_and_search_keeps_working(
    apps: Callable[..., Flask],
    database_url: str,
    tmp_path: Path,
    local_openai: OpenAIServer,  # noqa: F811
) -> None:
    summary = import_folder(apps(database_url), tmp_path)
    app = apps(database_url, **hosted(local_openai))
    result = cli.reindex(app, progress=cli.no_progress)
    assert (result.changed, result.unchanged) == (summary.chunks, 0)
    assert chunk_models(app) == {(HOSTED_MODEL, HOSTED_DIM): summary.chunks}
    # The local server's vectors are hashes of the text: an exact text is its own nearest.
    assert (
        search_titles(
            app, "Tomatoes\n\nWater tomatoes at the root in the morning, never the leaves."
        )[0]
        == "Tomatoes"
    )


def test_until_reindex_runs_search_sees_no_chunk_of_another_model(
    apps: Callable[..., Flask],
    tmp_path: Path,
    local_openai: OpenAIServer,  # noqa: F811
) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    import_folder(apps(url), tmp_path)
    assert search_titles(apps(url, **hosted(local_openai)), "when should I water the plants?") == []


def test_a_failed_batch_is_rolled_back_and_the_batches_before_it_stay(
    apps: Callable[..., Flask],
    tmp_path: Path,
    local_openai: OpenAIServer,  # noqa: F811
) -> None:
    app = apps("sqlite://", **hosted(local_openai), LLM_MAX_RETRIES=0)
    local_openai.script(Reply(), Reply.failure(400, "the second batch is refused"))
    with pytest.raises(ApiError, match="the second batch is refused"):
        import_folder(app, tmp_path, batch_size=2)
    stats = cli.stats(app)
    assert (stats.notes, sum(stats.chunks.values()) >= 2) == (2, True)


def test_a_second_reindex_changes_nothing(
    apps: Callable[..., Flask],
    tmp_path: Path,
    local_openai: OpenAIServer,  # noqa: F811
) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    import_folder(apps(url), tmp_path)
    app = apps(url, **hosted(local_openai))
    first = cli.reindex(app, progress=cli.no_progress)
    requests = len(local_openai.requests)
    second = cli.reindex(app, progress=cli.no_progress)
    assert (second.changed, second.unchanged) == (0, first.changed)
    assert len(local_openai.requests) == requests


def test_reindex_back_to_the_local_model_restores_search_by_meaning(
    apps: Callable[..., Flask],
    database_url: str,
    tmp_path: Path,
    local_openai: OpenAIServer,  # noqa: F811
) -> None:
    summary = import_folder(apps(database_url), tmp_path)
    cli.reindex(apps(database_url, **hosted(local_openai)), progress=cli.no_progress)
    app = apps(database_url)
    result = cli.reindex(app, progress=cli.no_progress)
    assert result.changed == summary.chunks
    assert chunk_models(app) == {(LOCAL_MODEL, LOCAL_DIM): summary.chunks}
    assert search_titles(app, "when should I water the plants?")[0] == "Tomatoes"


def test_reindex_all_re_embeds_chunks_that_already_match(
    apps: Callable[..., Flask], tmp_path: Path
) -> None:
    app = apps("sqlite://")
    summary = import_folder(app, tmp_path)
    assert cli.reindex(app, progress=cli.no_progress).changed == 0
    result = cli.reindex(app, everything=True, batch_size=3, progress=cli.no_progress)
    assert (result.changed, result.unchanged) == (summary.chunks, 0)
    assert search_titles(app, "when should I water the plants?")[0] == "Tomatoes"


# --------------------------------------------------------------------------- stats


def test_stats_counts_notes_chunks_per_model_and_what_reindex_would_do(
    apps: Callable[..., Flask],
    tmp_path: Path,
    local_openai: OpenAIServer,  # noqa: F811
) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    summary = import_folder(apps(url), tmp_path)
    lines = cli.stats(apps(url, **hosted(local_openai))).lines()
    assert lines == [
        "users: 1",
        "notes: 5",
        f"chunks: {summary.chunks}",
        f"  {LOCAL_MODEL} ({LOCAL_DIM}-d): {summary.chunks}",
        "vector store: sqlite-vec",
        f"embedder: {HOSTED_MODEL} ({HOSTED_DIM}-d); chunks to re-embed: {summary.chunks}",
    ]


# --------------------------------------------------------------------------- the command line


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The variables ``main`` reads: offline, cheap passwords, nothing from the harness."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "REDIS_URL", "NOTES_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NOTES_LLM", "offline")
    monkeypatch.setenv("NOTES_EMBEDDINGS", "local")
    for name, value in CHEAP_PASSWORDS.items():
        monkeypatch.setenv(f"NOTES_{name}", str(value))
    monkeypatch.delenv(cli.IMPORT_PASSWORD_VAR, raising=False)
    return monkeypatch


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_main_imports_then_counts_with_the_database_url_given(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    environment.setenv(cli.IMPORT_PASSWORD_VAR, PASSWORD)
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    folder = write_folder(tmp_path)
    code, out, err = run_main(
        capsys, "--database-url", url, "import", str(folder), "--email", "a@b.io"
    )
    assert code == 0, err
    assert out.startswith("imported 4 notes (") and "refused notes/photo.png" in out
    assert "files read" in err and "notes stored" in err  # the progress bars, on stderr
    code, out, _err = run_main(capsys, "--database-url", url, "-q", "stats")
    assert (code, out.splitlines()[:2]) == (0, ["users: 1", "notes: 4"])


def test_main_takes_the_password_from_the_variable_named(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    environment.setenv("MY_NOTES_PASSWORD", PASSWORD)
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    argv = ["--database-url", url, "-q", "import", str(write_folder(tmp_path)), "--email", "a@b.io"]
    assert run_main(capsys, *argv, "--password-env", "MY_NOTES_PASSWORD")[0] == 0
    environment.setenv("MY_NOTES_PASSWORD", "another password")
    code, out, err = run_main(capsys, *argv, "--password-env", "MY_NOTES_PASSWORD")
    assert (code, out) == (2, "")
    assert err == f"{cli.PROG}: error: the password given for a@b.io is wrong\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "{tmp}/nowhere", "--email", "a@b.io"], "no such folder or file: {tmp}/nowhere"),
        (
            ["import", "{tmp}", "--email", "a@b.io"],
            "there is no user a@b.io: set NOTES_IMPORT_PASSWORD (or pass --password-env VAR) "
            "to create it with that password",
        ),
        (
            ["import", "{tmp}", "--email", "not-an-email"],
            "--email 'not-an-email': Not a valid email address.",
        ),
        (
            ["import", "{tmp}", "--email", "a@b.io", "--password-env", "UNSET_VARIABLE"],
            "--password-env UNSET_VARIABLE: that variable is unset",
        ),
    ],
    ids=["missing-path", "no-user-no-password", "bad-email", "unset-password-variable"],
)
def test_main_reports_a_mistake_in_one_line_and_exits_2(
    environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    args = [arg.format(tmp=tmp_path) for arg in argv]
    code, out, err = run_main(capsys, "--database-url", url, "-q", *args)
    assert (code, out, err) == (2, "", f"{cli.PROG}: error: {message.format(tmp=tmp_path)}\n")


def test_main_reports_a_bad_setting_in_one_line_and_exits_2(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("NOTES_VECTOR_STORE", "pgvector")
    code, out, err = run_main(capsys, "--database-url", "sqlite://", "stats")
    assert (code, out) == (2, "")
    assert err.startswith(f"{cli.PROG}: error: NOTES_VECTOR_STORE=pgvector needs PostgreSQL")
    assert err.count("\n") == 1


def test_main_reports_an_embedder_that_cannot_be_reached_in_one_line_and_exits_2(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    import_folder(create_app(settings_for(url)), tmp_path)
    environment.setenv("NOTES_EMBEDDINGS", "openai")
    environment.setenv("OPENAI_API_KEY", API_KEY)
    environment.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # the discard port: refused
    environment.setenv("NOTES_LLM_MAX_RETRIES", "0")
    code, out, err = run_main(capsys, "--database-url", url, "-q", "reindex")
    assert (code, out) == (2, "")
    assert err.startswith(f"{cli.PROG}: error: embeddings are unavailable, so nothing was changed")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv", [[], ["import", "x"], ["reindex", "--batch-size", "0"], ["export"]]
)
def test_bad_arguments_exit_2_with_the_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith(f"usage: {cli.PROG}")


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert all(command in out for command in ("import", "reindex", "stats"))
