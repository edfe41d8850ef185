"""`python -m day27`: tasks extracted from free text as validated objects.

With ``OPENAI_API_KEY`` set (and day 26's other ``OPENAI_`` settings) it extracts the tasks from
the text given as arguments, or from stdin, with that server and prints them as JSON. Without a
key it says so in one line and shows the prompt and three extractions against a local
compatible server, through the real SDK: one valid at once, one fixed after its problems were
sent back, one that stays broken. Exit 0 when done, 1 when no valid list came back, 2 for a bad
setting.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date

from day26.chat import REQUEST_ERRORS, SettingsError, describe_error, settings_from_env
from day26.chat import make_client as make_chat_client
from day27.extract import (
    EXAMPLES,
    ExtractionError,
    Task,
    build_messages,
    extract_tasks,
)
from shared.testing.openai_server import openai_server

#: The demo's today, so its dates are the same every run.
DEMO_TODAY = date(2026, 3, 4)


def show(task: Task) -> str:
    due = task.due.isoformat() if task.due else "no date"
    tags = " ".join(f"#{tag}" for tag in task.tags)
    return f"  - {task.title} ({task.priority}, {due}){' ' + tags if tags else ''}"


def demo() -> None:
    messages = build_messages("…", DEMO_TODAY)
    print(f"The prompt for {DEMO_TODAY:%A} {DEMO_TODAY}:")
    print(f"  system: {messages[0]['content'].splitlines()[0]}")
    print(f"  then {len(EXAMPLES)} few-shot examples (user, assistant), then the text.\n")
    with openai_server() as server:
        client = make_chat_client(
            settings_from_env(
                {"OPENAI_API_KEY": server.api_key, "OPENAI_BASE_URL": server.base_url}
            )
        )
        good = (
            '{"tasks":[{"title":"Renew the TLS certificate","due":"2026-03-06","priority":"high",'
            '"tags":[]},{"title":"Buy milk","due":"2026-03-05","priority":"normal",'
            '"tags":["home"]}]}'
        )
        bad = (
            '{"tasks":[{"title":"Plan the team offsite","due":"next week","priority":"medium",'
            '"tags":["#team"]}]}'
        )
        fixed = (
            '```json\n{"tasks":[{"title":"Plan the team offsite","due":"2026-03-09",'
            '"priority":"normal","tags":["team"]}]}\n```'
        )
        cut = '{"tasks": [{"title": "Write the quar'
        cases = [
            ("Renew the TLS certificate by Friday, it's urgent! Buy milk tomorrow #home", [good]),
            ("Plan the team offsite next week #team", [bad, fixed]),
            ("Write the quarterly report", [cut, cut]),
        ]
        for text, replies in cases:
            server.script(*replies)
            print(f"text: {text}")
            try:
                found = extract_tasks(client, "local-chat", text, DEMO_TODAY)
            except ExtractionError as error:
                print(f"  refused: {error}\n")
                continue
            for number, attempt in enumerate(found.attempts[:-1], start=1):
                print(f"  attempt {number} sent back with {len(attempt.problems)} problems:")
                print("\n".join(f"    {line}" for line in attempt.problems))
            print(f"  {len(found.tasks)} task(s) after {len(found.attempts)} attempt(s):")
            print("\n".join(show(task) for task in found.tasks), end="\n\n")
        sent = server.requests[-1].body
        roles = ", ".join(message["role"] for message in sent["messages"])
        schema = sent["response_format"]
        print(f"The last request: {roles}")
        print(
            f"  response_format: {schema['type']} {schema['json_schema']['name']!r}, "
            f"strict {json.dumps(schema['json_schema']['strict'])}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m day27",
        description="Extract tasks from text with OpenAI or any compatible server (day 26's "
        "OPENAI_ settings). Without OPENAI_API_KEY it shows an offline demo instead.",
    )
    parser.add_argument("text", nargs="*", help="the text; without it, stdin")
    args = parser.parse_args(argv)
    if not os.environ.get("OPENAI_API_KEY", "").strip():
        print("OPENAI_API_KEY is unset: extractions against a local compatible server instead.")
        demo()
        return 0
    try:
        settings = settings_from_env(os.environ)
    except SettingsError as error:
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    text = " ".join(args.text) if args.text else sys.stdin.read()
    try:
        found = extract_tasks(make_chat_client(settings), settings.model, text, date.today())
    except ExtractionError as error:
        print(f"{parser.prog}: {error}", file=sys.stderr)
        return 1
    except REQUEST_ERRORS as error:
        print(f"{parser.prog}: {describe_error(error, settings)}", file=sys.stderr)
        return 1
    print(json.dumps([task.model_dump(mode="json") for task in found.tasks], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
