"""The AI Notes API: notes you can search and chat with, answers grounded in them with citations.

``create_app()`` is the only way an app is made (``make notes``, the portfolio's ``/notes`` mount,
the tests).
"""
