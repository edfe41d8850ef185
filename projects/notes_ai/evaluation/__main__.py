"""`python -m projects.notes_ai.evaluation`: score the AI Notes API's search and chat.

Prints a table (method, hit@1, hit@3, n) for the API's embedding search and a BM25 keyword
baseline, then the share of chat answers that are grounded. Exit 0, or 1 when the embedding
search's hit@3 is below ``--min-hit3``; 2 for a bad argument or an eval set that cannot be read.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from projects.notes_ai.embeddings import EmbeddingsUnavailable
from projects.notes_ai.evaluation.evalset import (
    NOTEBOOK,
    QUESTIONS,
    EvalSetError,
    load_notebook,
    load_questions,
)
from projects.notes_ai.evaluation.runner import EvaluationError, evaluate
from shared.config import ConfigError

PROG = "python -m projects.notes_ai.evaluation"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Load a notebook of Markdown notes into a fresh AI Notes app (in-memory "
        "SQLite, the local embedding model, the offline answerer), ask each question through "
        "GET /api/search?k=3 and POST /api/chat, and score hit@1, hit@3 (against a BM25 "
        "keyword baseline over the same chunks) and the grounding of the answers.",
    )
    parser.add_argument(
        "--notebook", type=Path, default=NOTEBOOK, help="a folder of *.md notes ('# Title' first)"
    )
    parser.add_argument(
        "--questions", type=Path, default=QUESTIONS, help="the questions file (YAML)"
    )
    parser.add_argument(
        "--min-hit3",
        type=float,
        default=0.9,
        metavar="RATE",
        help="exit 1 when the embedding search's hit@3 is below RATE (default 0.9)",
    )
    parser.add_argument("--no-chat", action="store_true", help="skip the grounding check")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bars on stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0.0 <= args.min_hit3 <= 1.0:
        parser.error(f"--min-hit3 must be between 0 and 1, not {args.min_hit3}")
    try:
        notes, questions = load_notebook(args.notebook), load_questions(args.questions)
    except (OSError, EvalSetError) as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    if not notes:
        parser.exit(2, f"{PROG}: error: no *.md notes in {args.notebook}\n")
    try:
        report = evaluate(notes, questions, chat=not args.no_chat, progress=not args.quiet)
    except (EvaluationError, ConfigError, EmbeddingsUnavailable) as error:
        parser.exit(2, f"{PROG}: error: {error}\n")
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.table())
        for miss in report.misses:
            if miss.method == "embeddings":
                print(f"  missed: {miss.question} (want {miss.expected}, got {list(miss.got)})")
        for failure in report.ungrounded:
            print(f"  ungrounded: {failure.question} ({failure.reason})")
    hit3 = report.score("embeddings").hit3
    if hit3 < args.min_hit3:
        print(f"{PROG}: hit@3 {hit3:.3f} is below {args.min_hit3:g}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
