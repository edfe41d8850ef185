"""`python -m day36`: four questions over six notes, answered with the notes they cite.

The passages are embedded with the local all-MiniLM-L6-v2 model (no network). The model is a
local OpenAI-compatible server on 127.0.0.1 with scripted answers, reached through the real
``openai`` SDK, so what it received can be shown as it arrived. The four questions show an
answer with its sources, an answer that cites a note it was not given, an answer that cites
nothing, and a question the notes do not answer, which never reaches the model.
"""

from __future__ import annotations

import sys
import textwrap

from openai import OpenAI

from day36.notes import NOTES
from day36.rag import MIN_SCORE, RETRIEVE_K, Answer, NoteIndex, NotesAssistant, prompt_tokens
from projects.notes_ai.embeddings import local_embedder
from projects.notes_ai.retrieval import CHUNK_TOKENS
from shared.testing.openai_server import OpenAIServer, openai_server

BUDGET = 200
#: Each question, and what the scripted model answers to it (None: it is never asked).
QUESTIONS: list[tuple[str, str | None]] = [
    (
        "Where do we keep data in Redis, and for how long?",
        "Each user's rendered note list, for 60 seconds under notes:list:USER_ID, deleted on "
        "every write [note 2]. The rate limiter also counts requests there, in a one-minute "
        "sliding window [note 3].",
    ),
    (
        "What happens when a client sends too many requests?",
        "It gets a 429 with a Retry-After header [note 3], and the cached note list keeps the "
        "load down meanwhile [note 2].",
    ),
    (
        "How do I rename a column without downtime?",
        "Add the new column, write to both, backfill in batches, switch the reads, and drop the "
        "old column in a later release.",
    ),
    ("Who won the 1998 World Cup?", None),
]


def main() -> int:
    index = NoteIndex(NOTES, local_embedder())
    print(
        f"{len(NOTES)} notes, {len(index.passages)} passages (at most {CHUNK_TOKENS} tokens "
        f"each), embedded with {index.embedder.name}."
    )
    print(
        f"Per question: the {RETRIEVE_K} nearest passages, those from cosine {MIN_SCORE} on, "
        f"packed into {BUDGET} tokens of context."
    )
    with openai_server() as server:
        client = OpenAI(
            api_key=server.api_key, base_url=server.base_url, timeout=5.0, max_retries=0
        )
        assistant = NotesAssistant(index, client, "local-chat", budget=BUDGET)
        for number, (question, scripted) in enumerate(QUESTIONS, start=1):
            if scripted is not None:
                server.script(scripted)
            before = len(server.requests)
            answer = assistant.ask(question)
            print(f"\n{number}. {question}")
            show(answer, asked=len(server.requests) > before)
            if number == 1:
                show_prompt(server)
    return 0


def show(answer: Answer, *, asked: bool) -> None:
    kept = {(p.note_id, p.position) for p in answer.context.passages} if answer.context else set()
    print("  retrieved, best first:")
    for p in answer.retrieved:
        if (p.note_id, p.position) in kept:
            fate = "in the prompt"
        elif p.score >= MIN_SCORE:
            fate = "left out: over the budget"
        else:
            fate = f"under {MIN_SCORE}"
        print(
            f"    {p.rank}. {p.score:5.2f}  [note {p.note_id}] {p.title}, part {p.position + 1}"
            f"  ({fate})"
        )
    if answer.messages is None:
        print(
            "  no passage is close enough: the model was not asked "
            f"({'a request was sent' if asked else 'the server received nothing'})"
        )
    else:
        context = answer.context
        assert context is not None
        print(
            f"  context: {plural(len(context.passages), 'passage')}, {context.used} of "
            f"{context.budget} tokens; the whole prompt {prompt_tokens(answer.messages)} tokens"
        )
        if answer.model_text != answer.text:
            print(wrapped(f"  the model said: {answer.model_text}"))
    print(wrapped(f"  answer ({answer.status}): {answer.text}"))
    if answer.status == "uncited":
        print("  flagged: it cites none of the notes it was given, so nothing backs it")
    for source in answer.sources:
        quote = textwrap.shorten(source.text, 64, placeholder=" ...")
        print(f"  source: [note {source.note_id}] {source.title}: {quote}")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def wrapped(line: str) -> str:
    """A long line of the demo, wrapped at 96 columns under its indent."""
    return textwrap.fill(line, 96, subsequent_indent="      ", break_on_hyphens=False)


def show_prompt(server: OpenAIServer) -> None:
    body = server.requests[-1].body
    roles = ", ".join(message["role"] for message in body["messages"])
    print(
        f"  what the server received: model {body['model']}, temperature "
        f"{body['temperature']}, messages {roles}; the user message:"
    )
    for line in body["messages"][-1]["content"].splitlines():
        for wrapped in textwrap.wrap(line, 92) or [""]:
            print(f"    | {wrapped}".rstrip())


if __name__ == "__main__":
    sys.exit(main())
