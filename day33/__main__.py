"""`python -m day33`: an embedding computed by hand, then sentences ranked on two back ends.

Offline, in a few seconds: the local model (all-MiniLM-L6-v2 from the installed model package)
and hosted embeddings through the openai SDK against a local OpenAI-compatible server on
127.0.0.1, whose vectors are hash noise (it says so). Exit 0.
"""

from __future__ import annotations

import sys

import numpy as np
import openai

from day33.by_hand import embed_by_hand, load_model, tokens
from day33.similarity import Ranked, cosine, search
from projects.notes_ai.embeddings import Embedder, OpenAIEmbedder, local_embedder
from shared.testing.openai_server import openai_server

SENTENCE = "Embeddings map text to vectors."
QUERY = "How can I speed up slow queries?"
SENTENCES = (
    "Cache the results of slow database queries in Redis.",
    "Add an index on the column the query filters by.",
    "Paris is the capital of France.",
    "My cat sleeps on the sofa all afternoon.",
    "Return 429 Too Many Requests when a client sends too much.",
)
PAIRS = (
    ("The cat sat on the mat.", "The cat sat on the mat.", "the same text"),
    ("HELLO WORLD", "hello world", "the tokenizer lowercases"),
    ("dog bites man", "man bites dog", "word order moves the vector a little"),
    ("I love this song!", "I hate this song!", "opposite opinions, same topic"),
    ("The cat sat on the mat.", "Quarterly revenue grew by 4 %.", "unrelated"),
)


def by_hand(local: Embedder) -> None:
    model = load_model()
    print(f'Tokens of "{SENTENCE}": {" ".join(tokens(model, SENTENCE))}')
    mine, capstone = embed_by_hand(model, SENTENCE), local.embed([SENTENCE])[0]
    difference = float(np.abs(mine - capstone).max())
    print("By hand (numpy: embeddings, 6 layers of 12-head attention, mean pooling) vs the")
    print(
        f"capstone's embedder: cosine {cosine(mine, capstone):.6f}, every one of the "
        f"{mine.size} numbers within {'1e-6' if difference < 1e-6 else f'{difference:.1e}'}"
    )
    print(f"  the first five: {' '.join(f'{x:+.4f}' for x in mine[:5])}\n")


def show(title: str, ranked: list[Ranked]) -> None:
    print(title)
    for hit in ranked:
        print(f"  {hit.score:+.3f}  {hit.text}")


def main() -> int:
    local = local_embedder()
    print(f"Local model: {local.name}, {local.dim} dimensions, on this machine.\n")
    by_hand(local)

    print(f'Query: "{QUERY}"')
    show(f"{local.name} (local):", search(local, QUERY, SENTENCES))
    with openai_server(dimensions=local.dim) as server:
        client = openai.OpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=0)
        hosted = OpenAIEmbedder(client, "local-embed")
        show(
            f"{hosted.name} (hosted: through the openai SDK, on a local compatible server):",
            search(hosted, QUERY, SENTENCES),
        )
    print(
        "  That server's vectors are random unit vectors seeded by a hash of each text: the\n"
        "  same text always gets the same vector, but meaning plays no part, so this order is\n"
        "  noise. What is real is the path: the SDK call, the batches, the normalisation.\n"
    )

    print(f"Cosine similarity on {local.name}:")
    for first, second, note in PAIRS:
        a, b = local.embed([first, second])
        print(f'  {cosine(a, b):+.3f}  "{first}" / "{second}" ({note})')
    return 0


if __name__ == "__main__":
    sys.exit(main())
