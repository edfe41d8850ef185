"""`python -m day29`: the tool loop through the real SDK, with a local server playing the model.

The local OpenAI-compatible server on 127.0.0.1 is scripted to ask for tool calls the way a
model does; the calculator and the note search really run, their results really travel back in
``tool`` messages, and the guards turn bad calls into errors the model reads. Exits 0.
"""

from __future__ import annotations

import json
import sys

from openai import OpenAI

from day29.assistant import Answer, answer
from day29.tools import TOOLS, run_tool_call
from shared.testing.openai_server import OpenAIServer, Reply, openai_server


def show(question: str, result: Answer) -> None:
    print(f"you: {question}")
    for run in result.runs:
        print(f"  tool {run.name}({run.arguments}) -> {run.result}")
    print(f"assistant: {result.text}")
    print(f"  ({result.steps} model requests, finished: {'yes' if result.finished else 'no'})")


def main() -> int:
    with openai_server() as server:
        client = OpenAI(api_key=server.api_key, base_url=server.base_url, timeout=5, max_retries=0)
        print(f"Tools offered: {', '.join(TOOLS)}\n")
        arithmetic(server, client)
        citations(server, client)
        guards(server, client)
        step_limit(server, client)
    print("\nArguments that are not JSON, sent to the guard directly:")
    broken = '{"expression": '
    print(f"  calculator({broken}) -> {run_tool_call('calculator', broken)}")
    return 0


def arithmetic(server: OpenAIServer, client: OpenAI) -> None:
    server.script(
        Reply.tool_call("calculator", {"expression": "12 * 7.5 + 3"}),
        "12 boxes at 7.5 plus 3 shipping come to 93.",
    )
    question = "How much are 12 boxes at 7.5 each, plus 3 for shipping?"
    show(question, answer(client, "local-chat", question))
    sent = server.requests[-1].body["messages"][-1]
    print(f"  the second request ended with: role {sent['role']}, {sent['content']}\n")


def citations(server: OpenAIServer, client: OpenAI) -> None:
    server.script(
        Reply.tool_call("search_notes", {"query": "leaderboard sorted set", "k": 2}),
        "Keep one sorted set per board [note 2]; scores go up with ZINCRBY [note 9].",
    )
    question = "How do I build a leaderboard?"
    result = answer(client, "local-chat", question)
    show(question, result)
    print(f"  cited {result.cited}, retrieved {sorted(result.retrieved)}, ", end="")
    print(f"not backed by a search: {result.unsupported}\n")


def guards(server: OpenAIServer, client: OpenAI) -> None:
    server.script(
        Reply(
            tool_calls=(
                ("shell", {"command": "rm -rf /"}),
                ("calculator", {"expression": "__import__('os').system('ls')"}),
                ("search_notes", {"query": "redis", "k": 50}),
                ("calculator", {"expression": "2 ** 10000000"}),
            )
        ),
        "Those calls failed, so I will not guess.",
    )
    question = "Try everything."
    show(question, answer(client, "local-chat", question))
    results = [m for m in server.requests[-1].body["messages"] if m["role"] == "tool"]
    ids = ", ".join(message["tool_call_id"] for message in results)
    print(f"  {len(results)} tool messages went back to the model ({ids})\n")


def step_limit(server: OpenAIServer, client: OpenAI) -> None:
    server.script(*[Reply.tool_call("calculator", {"expression": "1 + 1"})] * 5)
    question = "Add forever."
    result = answer(client, "local-chat", question, max_steps=3)
    show(question, result)
    left = len(server.replies)
    print(f"  scripted calls left unrequested: {left}; ", end="")
    print(f"last result: {json.loads(result.runs[-1].result)}")
    server.replies.clear()


if __name__ == "__main__":
    sys.exit(main())
