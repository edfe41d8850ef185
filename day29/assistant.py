"""The tool loop: ask, run the tools the model asks for, send their results, until it answers.

:func:`answer` sends the question with the tools' schemas. While the model's reply asks for tool
calls, each is run through :func:`day29.tools.run_tool_call` (validated first, errors sent back
as results) and the results go back as ``tool`` messages with the call's id. It stops at the
first reply without tool calls, or after ``max_steps`` model requests, whichever comes first, so
a model that keeps calling tools costs a bounded number of requests. The answer's ``[note N]``
citations are checked against the notes the search tool actually returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openai import OpenAI

from day29.tools import TOOLS, Tool, run_tool_call

SYSTEM = (
    "You answer from the user's notes and do arithmetic with the calculator. Use the tools; "
    "cite every note you use as [note ID]."
)
DEFAULT_MAX_STEPS = 4
CITATION = re.compile(r"\[note (\d+)\]")


@dataclass(frozen=True)
class ToolRun:
    """One call the model asked for and what was sent back."""

    name: str
    arguments: str
    result: str

    @property
    def failed(self) -> bool:
        return "error" in json.loads(self.result)


@dataclass
class Answer:
    text: str
    finished: bool  # False when the step limit stopped the loop
    steps: int  # model requests made
    runs: list[ToolRun] = field(default_factory=list)
    retrieved: set[int] = field(default_factory=set)  # note ids the search tool returned

    @property
    def cited(self) -> list[int]:
        return [int(number) for number in CITATION.findall(self.text)]

    @property
    def unsupported(self) -> list[int]:
        """Note ids the answer cites that no search returned in this loop."""
        return [number for number in self.cited if number not in self.retrieved]


def answer(
    client: OpenAI,
    model: str,
    question: str,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    tools: Mapping[str, Tool] = TOOLS,
) -> Answer:
    """Run the tool loop for ``question``; at most ``max_steps`` requests to the model."""
    if max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    # practice 3: ask with the tools, run the calls the reply asks for, send back their results
    # hint: append the assistant message with its tool_calls, then one tool message per call with
    # hint: its tool_call_id; a reply without tool calls is the answer; stop after max_steps.
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question},
    ]
    schemas = [tool.schema() for tool in tools.values()]
    result = Answer(text="", finished=False, steps=0)
    while result.steps < max_steps:
        reply = client.chat.completions.create(model=model, messages=messages, tools=schemas)  # type: ignore[arg-type]
        result.steps += 1
        message = reply.choices[0].message
        if not message.tool_calls:
            result.text, result.finished = message.content or "", True
            return result
        calls = [call for call in message.tool_calls if call.type == "function"]
        messages.append(
            {
                "role": "assistant",
                "content": message.content,
                "tool_calls": [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {
                            "name": call.function.name,
                            "arguments": call.function.arguments,
                        },
                    }
                    for call in calls
                ],
            }
        )
        for call in calls:
            output = run_tool_call(call.function.name, call.function.arguments, tools)
            result.runs.append(ToolRun(call.function.name, call.function.arguments, output))
            result.retrieved |= retrieved_ids(output)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
    result.text = f"I stopped after {max_steps} steps without a final answer."
    return result
    # end practice 3


def retrieved_ids(output: str) -> set[int]:
    """The note ids in a search tool's result (none for any other output)."""
    result = json.loads(output).get("result")
    if not isinstance(result, dict):
        return set()
    return {note["note_id"] for note in result.get("notes", [])}
