"""Two tools a model may call, and the guard every call passes before anything runs.

Each :class:`Tool` has a name, a description, a pydantic model of its arguments (whose JSON schema
is what the model is shown) and a function. :func:`run_tool_call` takes what the model sent, a
tool name and a string that should be a JSON object, and always returns a JSON string for the
``tool`` message: the result, or an error the model can read and correct (bad JSON, an unknown
tool, an argument out of range, an expression that is not arithmetic). It never raises.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

#: The largest exponent the calculator computes; 10 ** 10_000_000 would take the process down.
MAX_EXPONENT = 100
MAX_EXPRESSION = 200


class ToolError(Exception):
    """A tool refused its input; the message is sent back to the model."""


class CalculatorArgs(BaseModel):
    """Arithmetic: numbers, + - * / // % **, and parentheses."""

    model_config = ConfigDict(extra="forbid")
    expression: str = Field(min_length=1, max_length=MAX_EXPRESSION, examples=["12 * 7.5 + 3"])


class SearchArgs(BaseModel):
    """Words to look for in the notes, and how many notes to return."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=200)
    k: int = Field(default=3, ge=1, le=5)


BINARY: Mapping[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
UNARY: Mapping[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}
ALLOWED = "only numbers, + - * / // % ** and parentheses are allowed"


def calculate(expression: str) -> int | float:
    """The value of an arithmetic expression, read with ``ast`` and never with ``eval``."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as error:
        raise ToolError(f"not an arithmetic expression: {error.msg}") from None
    try:
        value = evaluate(tree.body)
    except ZeroDivisionError:
        raise ToolError("division by zero") from None
    except OverflowError:
        raise ToolError("the result is too large") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise ToolError("the result is too large")
    return int(value) if isinstance(value, float) and value.is_integer() else value


def evaluate(node: ast.expr) -> int | float:
    # practice 1: walk the expression tree, computing only numbers and arithmetic operators
    # hint: recurse on UnaryOp and BinOp whose operator is in UNARY or BINARY; a Constant must be
    # hint: an int or float (not a bool, not a str). Refuse huge exponents and every other node.
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value  # type: ignore[no-any-return]
    if isinstance(node, ast.UnaryOp) and type(node.op) in UNARY:
        return UNARY[type(node.op)](evaluate(node.operand))  # type: ignore[no-any-return]
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        left, right = evaluate(node.left), evaluate(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise ToolError(f"exponents above {MAX_EXPONENT} are not computed")
        return BINARY[type(node.op)](left, right)  # type: ignore[no-any-return]
    raise ToolError(f"{type(node).__name__} is not allowed: {ALLOWED}")
    # end practice 1


@dataclass(frozen=True)
class Note:
    id: int
    title: str
    text: str


NOTES = (
    Note(1, "Redis types", "Strings, hashes, lists, sets and sorted sets, each with its commands."),
    Note(2, "Leaderboards", "A sorted set per board: ZINCRBY to score, ZREVRANGE for the top."),
    Note(3, "Idempotency", "An idempotency key makes one request or five have the same effect."),
    Note(4, "Rate limits", "A sliding window in a sorted set; answer 429 with Retry-After."),
)


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def search_notes(query: str, k: int = 3, notes: tuple[Note, ...] = NOTES) -> list[dict[str, Any]]:
    """The ``k`` notes sharing most words with ``query`` (at least one), best first."""
    wanted = words(query)
    scored = [(len(wanted & words(f"{n.title} {n.text}")), n) for n in notes]
    ranked = sorted(
        (pair for pair in scored if pair[0] > 0), key=lambda pair: (-pair[0], pair[1].id)
    )
    return [{"note_id": n.id, "title": n.title, "text": n.text} for _, n in ranked[:k]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    arguments: type[BaseModel]
    run: Callable[[Any], Any]

    def schema(self) -> dict[str, Any]:
        """The entry for the ``tools`` parameter of a chat completion."""
        parameters = self.arguments.model_json_schema()
        parameters.pop("title", None)
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": parameters,
            },
        }


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            "calculator",
            "Evaluate an arithmetic expression exactly. Use it for any sum.",
            CalculatorArgs,
            lambda args: {"value": calculate(args.expression)},
        ),
        Tool(
            "search_notes",
            "Find the user's notes about something; cite them as [note ID].",
            SearchArgs,
            lambda args: {"notes": search_notes(args.query, args.k)},
        ),
    )
}


def describe(error: ValidationError) -> str:
    """A pydantic error as ``field: message; ...``, short enough for a model to act on."""
    parts = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "arguments"
        parts.append(f"{field}: {item['msg']}")
    return "; ".join(parts)


def run_tool_call(name: str, arguments: str, tools: Mapping[str, Tool] = TOOLS) -> str:
    """Validate and run one call; the JSON for the tool message: ``{"result"}`` or ``{"error"}``."""
    # practice 2: check everything the model sent before running the tool, and never raise
    # hint: in order: a known tool, arguments that parse as JSON, a JSON object, valid for the
    # hint: tool's pydantic model; each failure, and a ToolError from the run, is an error().
    tool = tools.get(name)
    if tool is None:
        return error(f"unknown tool {name!r}; the tools are {', '.join(sorted(tools))}")
    try:
        parsed = json.loads(arguments or "{}")
    except json.JSONDecodeError as problem:
        return error(f"the arguments are not JSON: {problem.msg} at character {problem.pos}")
    if not isinstance(parsed, dict):
        return error(f"the arguments must be a JSON object, got {type(parsed).__name__}")
    try:
        args = tool.arguments.model_validate(parsed)
    except ValidationError as problem:
        return error(f"invalid arguments for {name}: {describe(problem)}")
    try:
        return json.dumps({"result": tool.run(args)})
    except ToolError as problem:
        return error(f"{name} refused: {problem}")
    # end practice 2


def error(message: str) -> str:
    return json.dumps({"error": message})
