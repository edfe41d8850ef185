"""Tasks extracted from free text by a language model, as validated objects.

The prompt is a system message rendered from a template (today's date in it, so "tomorrow"
means something), then few-shot examples as past user and assistant turns, then the text. The
model is asked for JSON matching :class:`TaskList`'s schema (``response_format`` ``json_schema``,
strict), and its reply is validated with pydantic whatever the server promised: a reply that is
not JSON, is cut short, or breaks a rule is sent back once with the problems listed, and a second
failure is an :class:`ExtractionError` that says what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from string import Template
from typing import Annotated, Any, Literal

from openai import OpenAI
from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

Priority = Literal["low", "normal", "high"]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,20}$")]


class Task(BaseModel):
    """One thing to do, as the text says it."""

    # The docstrings of these models go to the model too, as the schema's descriptions. Every
    # field is required (``due`` may be null), as a strict schema asks.
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    due: date | None
    priority: Priority
    tags: list[Tag]

    @field_validator("due")
    @classmethod
    def not_in_the_past(cls, due: date | None, info: ValidationInfo) -> date | None:
        """With ``context={"today": ...}``, a due date before today is refused."""
        today = (info.context or {}).get("today")
        if due is not None and today is not None and due < today:
            raise ValueError(f"the due date {due} is before today, {today}")
        return due


class TaskList(BaseModel):
    """Every task in the text, in the order they appear."""

    model_config = ConfigDict(extra="forbid")

    tasks: list[Task]


SYSTEM_TEMPLATE = Template(
    """You turn notes into a to-do list. Today is $weekday $today.
Reply with one JSON object and nothing else: {"tasks": [...]}, each task with
- "title": what to do, imperative, at most 100 characters;
- "due": the date it is due as YYYY-MM-DD ("tomorrow", "Friday" counted from today), or null;
- "priority": "high" if the text says urgent, asap or important, "low" if it says someday or no
  rush, else "normal";
- "tags": lowercase words from #hashtags in the text, without the #, else [].
Leave out anything that is not a task. No tasks: {"tasks": []}."""
)


@dataclass(frozen=True)
class Example:
    """A few-shot example: a text and the answer the model should give for it."""

    text: str
    answer: TaskList


#: Written for a Monday, 2026-03-02; their dates are relative to that day.
EXAMPLES_TODAY = date(2026, 3, 2)
EXAMPLES = (
    Example(
        "Call the dentist tomorrow, it's urgent. Someday: learn Rust #learning",
        TaskList(
            tasks=[
                Task(title="Call the dentist", due=date(2026, 3, 3), priority="high", tags=[]),
                Task(title="Learn Rust", due=None, priority="low", tags=["learning"]),
            ]
        ),
    ),
    Example("Lovely weather today, nothing to do.", TaskList(tasks=[])),
)


def system_prompt(today: date) -> str:
    """The system message for ``today``."""
    return SYSTEM_TEMPLATE.substitute(weekday=f"{today:%A}", today=today.isoformat())


def build_messages(
    text: str, today: date, examples: Sequence[Example] = EXAMPLES
) -> list[dict[str, str]]:
    """System prompt, then each example as a user turn and its answer, then ``text``."""
    # practice 1: build the few-shot prompt: the system message, the examples, then the text
    # hint: each example is a user turn with its text and an assistant turn with its answer as
    # hint: JSON; when there are examples, the system message says which day they were written on.
    messages = [{"role": "system", "content": system_prompt(today)}]
    if examples:
        # The examples' dates only add up from the day they were written for.
        messages[0]["content"] += f"\nThe examples were written on {EXAMPLES_TODAY}."
    for example in examples:
        messages.append({"role": "user", "content": example.text})
        messages.append({"role": "assistant", "content": example.answer.model_dump_json()})
    messages.append({"role": "user", "content": text})
    return messages
    # end practice 1


def response_format() -> dict[str, Any]:
    """``response_format`` asking for JSON that matches :class:`TaskList`, strictly."""
    return {
        "type": "json_schema",
        "json_schema": {"name": "TaskList", "schema": TaskList.model_json_schema(), "strict": True},
    }


_FENCED = re.compile(r"^\s*```(?:json)?\s*\n(?P<body>.*?)\n\s*```\s*$", re.DOTALL)


def unfence(reply: str) -> str:
    """The JSON inside a Markdown code fence, which models without a JSON mode like to add."""
    fenced = _FENCED.match(reply)
    return fenced.group("body") if fenced else reply


def problems(error: ValidationError) -> list[str]:
    """One line per thing wrong with a reply: where, what, and the value that was there."""
    # practice 2: write one line per validation error: where, what, and the value there
    # hint: error.errors() gives each one's loc (a path to join with dots), msg, type and input;
    # hint: for a reply that is not JSON (type json_invalid), give the parser's message, in ctx.
    lines = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"]) or "reply"
        if item["type"] == "json_invalid":
            lines.append(f"{where}: not valid JSON ({item['ctx']['error']})")
        else:
            lines.append(f"{where}: {item['msg']}, got {item['input']!r}")
    return lines
    # end practice 2


def parse_reply(reply: str, today: date) -> TaskList:
    """The reply as a :class:`TaskList`; pydantic's ValidationError if it is not one."""
    return TaskList.model_validate_json(unfence(reply), context={"today": today})


@dataclass(frozen=True)
class Attempt:
    """One answer the model gave, and what was wrong with it (nothing when it was accepted)."""

    reply: str
    problems: list[str] = field(default_factory=list)


class ExtractionError(Exception):
    """The model gave no valid task list; :attr:`attempts` holds each reply and its problems."""

    def __init__(self, attempts: list[Attempt]) -> None:
        self.attempts = attempts
        tries = f"{len(attempts)} attempt{'s' if len(attempts) > 1 else ''}"
        super().__init__(f"no valid task list after {tries}: " + "; ".join(attempts[-1].problems))


@dataclass(frozen=True)
class Extraction:
    """The tasks found, and every answer it took to get them."""

    tasks: list[Task]
    attempts: list[Attempt]


def correction(found: list[str]) -> str:
    """The user turn that sends a bad reply's problems back to the model."""
    listed = "\n".join(f"- {line}" for line in found)
    return f"That reply was not valid:\n{listed}\nAnswer again with only the corrected JSON object."


def extract_tasks(
    client: OpenAI,
    model: str,
    text: str,
    today: date,
    *,
    retries: int = 1,
    examples: Sequence[Example] = EXAMPLES,
) -> Extraction:
    """The tasks in ``text``, asking again up to ``retries`` times with the problems fed back.

    Raises :class:`ExtractionError` when no answer was valid; the SDK's own errors (status,
    timeout, connection) pass through unchanged.
    """
    # practice 3: ask, validate the reply, and send its problems back until one is valid
    # hint: strict json_schema at temperature 0; on a ValidationError, append the bad reply as an
    # hint: assistant turn and its correction() as a user turn; ask up to retries more times.
    messages: list[dict[str, str]] = build_messages(text, today, examples)
    attempts: list[Attempt] = []
    for _ in range(retries + 1):
        completion = client.chat.completions.create(
            model=model,
            messages=messages,  # type: ignore[arg-type]
            response_format=response_format(),  # type: ignore[arg-type]
            temperature=0,
        )
        reply = completion.choices[0].message.content or ""
        try:
            found = parse_reply(reply, today)
        except ValidationError as error:
            attempts.append(Attempt(reply, problems(error)))
            messages = [
                *messages,
                {"role": "assistant", "content": reply},
                {"role": "user", "content": correction(attempts[-1].problems)},
            ]
            continue
        attempts.append(Attempt(reply))
        return Extraction(found.tasks, attempts)
    raise ExtractionError(attempts)
    # end practice 3
