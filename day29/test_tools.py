"""The tools and the guard in front of them: a bad call is an error for the model, not a crash."""

from __future__ import annotations

import json

import pytest

from day29.tools import TOOLS, ToolError, calculate, run_tool_call, search_notes


def result_of(name: str, arguments: object) -> dict[str, object]:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return json.loads(run_tool_call(name, text))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("12 * 7.5 + 3", 93),
        ("(1 + 2) * -3", -9),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 10", 1024),
        ("1 / 4", 0.25),
    ],
)
def test_the_calculator_evaluates_arithmetic(expression: str, value: float) -> None:
    assert calculate(expression) == value, expression


@pytest.mark.parametrize(
    "expression",
    ["__import__('os').system('ls')", "x + 1", "[1, 2]", "'a' * 3", "True + 1", "(lambda: 1)()"],
)
def test_the_calculator_refuses_anything_but_numbers_and_operators(expression: str) -> None:
    with pytest.raises(ToolError, match="is not allowed"):
        calculate(expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1 / 0", "division by zero"),
        ("2 ** 10000000", "exponents above 100"),
        ("10.0 ** 100 * 10.0 ** 100 * 10.0 ** 100 * 10.0 ** 100", "too large"),
        ("1 +", "not an arithmetic expression"),
    ],
)
def test_the_calculator_refuses_what_it_cannot_compute(expression: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        calculate(expression)


def test_search_returns_the_best_matching_notes_first_with_their_ids() -> None:
    found = search_notes("leaderboard sorted set", k=2)
    assert [note["note_id"] for note in found] == [2, 4]


def test_search_returns_nothing_when_no_word_matches() -> None:
    assert search_notes("kubernetes") == []


def test_a_valid_call_returns_the_result() -> None:
    assert result_of("calculator", {"expression": "2 + 2"}) == {"result": {"value": 4}}


def test_an_unknown_tool_is_an_error_naming_the_tools() -> None:
    assert result_of("shell", {"command": "ls"}) == {
        "error": "unknown tool 'shell'; the tools are calculator, search_notes"
    }


@pytest.mark.parametrize("arguments", ['{"expression": ', "not json", '{"a": 1'])
def test_arguments_that_are_not_json_are_an_error(arguments: str) -> None:
    assert str(result_of("calculator", arguments)["error"]).startswith("the arguments are not JSON")


def test_arguments_that_are_not_an_object_are_an_error() -> None:
    assert result_of("calculator", "[1, 2]") == {
        "error": "the arguments must be a JSON object, got list"
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"query": "redis", "k": 50}, "k: Input should be less than or equal to 5"),
        ({"query": "redis", "k": 0}, "k: Input should be greater than or equal to 1"),
        ({"query": ""}, "query: String should have at least 1 character"),
        ({"k": 2}, "query: Field required"),
        ({"query": "redis", "limit": 2}, "limit: Extra inputs are not permitted"),
    ],
)
def test_out_of_range_or_unexpected_arguments_are_an_error_naming_the_field(
    arguments: dict[str, object], message: str
) -> None:
    error = str(result_of("search_notes", arguments)["error"])
    assert error == f"invalid arguments for search_notes: {message}", error


def test_a_refusal_of_the_tool_itself_is_an_error_too() -> None:
    assert result_of("calculator", {"expression": "1 / 0"}) == {
        "error": "calculator refused: division by zero"
    }


def test_the_schema_the_model_sees_carries_the_limits() -> None:
    function = TOOLS["search_notes"].schema()["function"]
    parameters = function["parameters"]
    assert parameters["properties"]["k"] == {
        "default": 3,
        "maximum": 5,
        "minimum": 1,
        "title": "K",
        "type": "integer",
    }
    assert parameters["required"] == ["query"]
    assert parameters["additionalProperties"] is False
