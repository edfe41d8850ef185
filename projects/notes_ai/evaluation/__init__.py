"""The AI Notes evaluation: a sample notebook, paraphrased questions, and the runner that scores
search (hit@1, hit@3 against a BM25 keyword baseline) and the grounding of chat answers.

``python -m projects.notes_ai.evaluation`` (``make eval-notes``) runs it.
"""
