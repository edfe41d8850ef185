"""``POST /api/chat`` and ``/api/conversations``: questions answered from your notes, with sources.

The answer comes whole as JSON, or, with ``Accept: text/event-stream``, as Server-Sent Events:
``token`` events with the text as it is written, then one ``done`` event with the sources and
the conversation id. A turn is stored only once its answer is complete: a model that fails
before the first token is a 503 problem; one that fails mid-stream ends the stream with an
``error`` event, and neither leaves half a turn behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import request
from flask.views import MethodView
from sqlalchemy.orm import selectinload

from projects.notes_ai import rag, schemas, sse
from projects.notes_ai.auth import auth_required, current_user
from projects.notes_ai.extensions import NotesState, db_session, notes_state
from projects.notes_ai.llm import LLMUnavailable
from projects.notes_ai.memory import ConversationMemory, Turn, offline_summary
from projects.notes_ai.models import Conversation
from projects.notes_ai.parsing import Blueprint
from shared.errors import NotFound, ServiceUnavailable

blp = Blueprint("chat", __name__, description="Ask questions; answers cite your notes")
log = logging.getLogger(__name__)

ID_MAX = 2**31 - 1
TITLE_CHARS = 80
#: Seconds a client is asked to wait when the model gave no hint of its own.
LLM_RETRY_AFTER = 10


class ConversationSummary(ma.Schema):
    """A conversation in the list: its id, title (the first question) and start."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    created_at = schemas.Timestamp(required=True)


def memory(state: NotesState) -> ConversationMemory:
    """The app's conversation memory (in Redis when NOTES_REDIS_URL is set), built once."""
    if state.memory is None:
        with state.lock:
            if state.memory is None:
                # With a model, old turns are summarised by it; offline, by quoting them.
                summarise = (
                    rag.model_summariser(state)
                    if state.settings.llm_mode == "openai"
                    else offline_summary
                )
                state.memory = ConversationMemory(
                    state.settings.redis_url,
                    history_tokens=state.settings.history_tokens,
                    summarise=summarise,
                )
    return state.memory  # type: ignore[no-any-return]


def conversation_or_404(conversation_id: int, *, with_messages: bool = False) -> Conversation:
    """The caller's conversation, or a 404 problem."""
    query = sa.select(Conversation).where(
        Conversation.id == conversation_id, Conversation.user_id == current_user().id
    )
    if with_messages:
        query = query.options(selectinload(Conversation.messages))
    found = db_session().scalar(query) if conversation_id <= ID_MAX else None
    if found is None:
        raise NotFound(
            f"you have no conversation {conversation_id}; leave conversation_id out to start one"
        )
    return found


def llm_unavailable(error: LLMUnavailable) -> ServiceUnavailable:
    """The 503 problem of a model that could not answer; search and notes still work."""
    wait = round(error.retry_after) if error.retry_after else LLM_RETRY_AFTER
    return ServiceUnavailable(
        f"the language model is unavailable: {error.message}. Your notes and GET /api/search "
        f"still work; try the question again in {wait} s",
        headers={"Retry-After": str(max(wait, 1))},
    )


def wants_stream() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", sse.MEDIA_TYPE])
    return best == sse.MEDIA_TYPE and sse.MEDIA_TYPE in request.accept_mimetypes.values()


def save_turn(
    state: NotesState,
    user_id: int,
    conversation_id: int | None,
    question: str,
    text: str,
    sources: list[Any],
) -> int:
    """Store the question and its answer together (and the conversation, when it is new), then
    refresh the memory; the conversation's id.

    It works in the session current when it is called: a streamed answer is stored after the
    view has returned, once the request's first session has already been closed.
    """
    session = db_session()
    if conversation_id is None:
        conversation = Conversation(user_id=user_id, title=question.strip()[:TITLE_CHARS])
        session.add(conversation)
    else:
        conversation = session.get_one(Conversation, conversation_id)
    store = memory(state)
    store.record(session, conversation, "user", question, [])
    store.record(session, conversation, "assistant", text, sources)
    session.commit()
    store.after_commit(conversation.id, [Turn("user", question), Turn("assistant", text)])
    return conversation.id


@blp.route("/api/chat")
class Chat(MethodView):
    @auth_required(blp)
    @blp.arguments(schemas.ChatRequest)
    @blp.response(200, schemas.ChatResponse)
    @blp.alt_response(
        200,
        description="With Accept: text/event-stream: 'token' events ({\"text\"}), then one "
        "'done' event with the whole answer, its sources and the conversation id, or an 'error' "
        "event",
        content_type=sse.MEDIA_TYPE,
        success=True,
    )
    @blp.problem_response(404, "You have no conversation with this id")
    @blp.problem_response(503, "The language model or the embedder is unavailable")
    def post(self, body: dict[str, Any]) -> Any:
        """Ask a question about your notes; the answer cites the notes it comes from."""
        state = notes_state()
        session = db_session()
        question = body["message"]
        user_id = current_user().id
        conversation_id = body.get("conversation_id")
        if conversation_id is not None:
            context = memory(state).context(session, conversation_or_404(conversation_id))
            history = [{"role": turn.role, "content": turn.content} for turn in context.turns]
            summary = context.summary
        else:
            history, summary = [], None  # a new conversation is stored with its first turn
        planned = rag.plan(state, session, user_id, question, history, summary)
        if wants_stream():
            try:
                pieces, sources_of = rag.stream_answer(state, question, planned)
            except LLMUnavailable as error:
                raise llm_unavailable(error) from None
            return sse.stream_response(
                self.events(state, user_id, conversation_id, question, pieces, sources_of)
            )
        try:
            answer = rag.answer(state, question, planned)
        except LLMUnavailable as error:
            raise llm_unavailable(error) from None
        sources = rag.sources_json(answer.sources)
        saved = save_turn(state, user_id, conversation_id, question, answer.text, sources)
        return {"answer": answer.text, "sources": sources, "conversation_id": saved}

    @staticmethod
    def events(
        state: NotesState,
        user_id: int,
        conversation_id: int | None,
        question: str,
        pieces: Iterator[str],
        sources_of: Any,
    ) -> Iterator[str]:
        """The SSE frames of one answer; the turn is stored once the last piece has come."""
        written: list[str] = []
        try:
            for piece in pieces:
                written.append(piece)
                yield sse.event({"text": piece}, event="token")
        except LLMUnavailable as error:
            problem = llm_unavailable(error)
            yield sse.event({"status": 503, "detail": problem.detail}, event="error")
            return
        text = "".join(written)
        sources = rag.sources_json(sources_of(text))
        saved = save_turn(state, user_id, conversation_id, question, text, sources)
        yield sse.event(
            {"answer": text, "sources": sources, "conversation_id": saved},
            event="done",
        )


@blp.route("/api/conversations")
class Conversations(MethodView):
    @auth_required(blp)
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, ConversationSummary(many=True))
    def get(self, page: dict[str, int]) -> list[Conversation]:
        """Your conversations, newest first."""
        return list(
            db_session().scalars(
                sa.select(Conversation)
                .where(Conversation.user_id == current_user().id)
                .order_by(Conversation.id.desc())
                .limit(page["limit"])
                .offset(page["offset"])
            )
        )


@blp.route("/api/conversations/<int:conversation_id>", endpoint="conversation")
class ConversationItem(MethodView):
    @auth_required(blp)
    @blp.response(200, schemas.ConversationResponse)
    @blp.problem_response(404, "You have no conversation with this id")
    def get(self, conversation_id: int) -> Conversation:
        """A conversation's questions and answers, oldest first, with each answer's sources."""
        return conversation_or_404(conversation_id, with_messages=True)

    @auth_required(blp)
    @blp.response(204)
    @blp.problem_response(404, "You have no conversation with this id")
    def delete(self, conversation_id: int) -> None:
        """Forget a conversation."""
        session = db_session()
        session.delete(conversation_or_404(conversation_id))
        session.commit()
        memory(notes_state()).forget(conversation_id)
