"""The leaderboard on a real Redis: ranks and ties, TTLs, MULTI writes and WATCHed reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import redis

from day17.leaderboard import (
    MAX_TOP,
    WEEKLY_TTL,
    Entry,
    Leaderboard,
    check_score,
    ranked,
    weekly_key,
)
from day17.validation import InvalidInput


@pytest.fixture
def board(redis_client: redis.Redis) -> Leaderboard:
    board = Leaderboard(redis_client, "scores")
    for player, score in [("ada", 120), ("grace", 95), ("linus", 95), ("alan", 80), ("bob", 95)]:
        board.set_score(player, score)
    return board


def test_ties_share_a_rank_and_the_next_rank_skips_them(board: Leaderboard) -> None:
    assert board.top(5) == [
        Entry(1, "ada", 120),
        Entry(2, "bob", 95),
        Entry(2, "grace", 95),
        Entry(2, "linus", 95),
        Entry(5, "alan", 80),
    ]


def test_a_tie_at_the_cut_is_returned_whole(board: Leaderboard) -> None:
    assert [entry.player for entry in board.top(2)] == ["ada", "bob", "grace", "linus"]
    assert [entry.player for entry in board.top(1)] == ["ada"]


def test_top_of_a_board_smaller_than_n_is_the_whole_board(board: Leaderboard) -> None:
    assert len(board.top(MAX_TOP)) == 5


def test_top_of_a_missing_board_is_empty(redis_client: redis.Redis) -> None:
    assert Leaderboard(redis_client, "nobody-played").top(3) == []


def test_rank_counts_the_players_strictly_above(board: Leaderboard) -> None:
    assert board.rank("ada") == Entry(1, "ada", 120)
    assert board.rank("grace") == Entry(2, "grace", 95)
    assert board.rank("linus") == Entry(2, "linus", 95)
    assert board.rank("alan") == Entry(5, "alan", 80)
    assert board.rank("nobody") is None


def test_redis_zrevrank_breaks_ties_by_member_name_backwards(board: Leaderboard) -> None:
    # Why rank() counts scores instead: ZREVRANK gives tied players different positions.
    positions = {p: board.client.zrevrank(board.key, p) for p in ("bob", "grace", "linus")}
    assert positions == {"linus": 1, "grace": 2, "bob": 3}


def test_fractional_scores_rank_exactly(redis_client: redis.Redis) -> None:
    board = Leaderboard(redis_client, "fractions")
    board.set_score("a", 0.1)
    board.add_points("b", 0.05)
    board.add_points("b", 0.05)

    # 0.05 + 0.05 is exactly 0.1 in binary floating point, so the two tie.
    assert board.rank("b") == Entry(1, "b", 0.1)
    assert [entry.rank for entry in board.top(2)] == [1, 1]


def test_add_points_starts_at_zero_and_may_go_down(redis_client: redis.Redis) -> None:
    board = Leaderboard(redis_client, "points")

    assert board.add_points("ada", 10) == 10.0
    assert board.add_points("ada", -15) == -5.0
    assert board.score("ada") == -5.0
    assert board.score("nobody") is None


def test_set_score_replaces_the_old_score(board: Leaderboard) -> None:
    board.set_score("alan", 7)

    assert board.score("alan") == 7.0
    assert board.size() == 5


def test_names_are_stripped_so_one_player_has_one_entry(board: Leaderboard) -> None:
    board.add_points("  ada ", 1)

    assert board.score("ada") == 121.0
    assert board.size() == 5


def test_transfer_moves_points_and_keeps_the_total(board: Leaderboard) -> None:
    board.transfer("ada", "alan", 30)

    assert (board.score("ada"), board.score("alan")) == (90.0, 110.0)
    assert board.rank("alan") == Entry(1, "alan", 110)


def test_transfer_is_one_multi_exec(
    board: Leaderboard, sent_commands: Callable[..., list[str]]
) -> None:
    sent = sent_commands(lambda: board.transfer("ada", "alan", 30))

    assert sent == ["MULTI", "ZINCRBY scores -30.0 ada", "ZINCRBY scores 30.0 alan", "EXEC"]


def test_a_weekly_board_write_is_one_multi_with_expire_nx(
    redis_client: redis.Redis, sent_commands: Callable[..., list[str]]
) -> None:
    board = Leaderboard.weekly(redis_client, "weekly", date(2026, 12, 2))

    sent = sent_commands(lambda: board.add_points("ada", 5))

    assert sent == [
        "MULTI",
        "ZINCRBY weekly:2026-W49 5.0 ada",
        f"EXPIRE weekly:2026-W49 {WEEKLY_TTL} NX",
        "EXEC",
    ]


def test_a_weekly_board_gets_a_ttl_with_its_first_score(redis_client: redis.Redis) -> None:
    board = Leaderboard.weekly(redis_client, "weekly", date(2026, 12, 2))

    board.set_score("ada", 1)

    left = board.seconds_left()
    assert left is not None and 0 < left <= WEEKLY_TTL, left


def test_later_scores_do_not_push_the_expiry_back(redis_client: redis.Redis) -> None:
    board = Leaderboard.weekly(redis_client, "weekly", date(2026, 12, 2))
    board.set_score("ada", 1)
    redis_client.expire(board.key, 5)  # as if the week were nearly over

    board.add_points("grace", 3)
    board.transfer("grace", "ada", 1)

    left = board.seconds_left()
    assert left is not None and 0 < left <= 5, left


def test_a_board_without_ttl_never_expires(board: Leaderboard) -> None:
    assert board.client.ttl(board.key) == -1
    assert board.seconds_left() is None


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 12, 2), "s:2026-W49"),
        (date(2026, 11, 30), "s:2026-W49"),  # Monday starts the week
        (date(2026, 12, 6), "s:2026-W49"),  # Sunday ends it
        (date(2026, 12, 7), "s:2026-W50"),
        (date(2027, 1, 1), "s:2026-W53"),  # a Friday: still week 53 of ISO year 2026
        (date(2027, 1, 4), "s:2027-W01"),
    ],
)
def test_weekly_key_names_the_iso_week(day: date, key: str) -> None:
    assert weekly_key("s", day) == key


def test_top_reads_again_when_the_board_changes_after_its_watched_read(
    redis_client: redis.Redis, redis_url: str
) -> None:
    rival = redis.Redis.from_url(redis_url, decode_responses=True)
    calls: list[int] = []

    def bob_drops_between_the_reads() -> None:
        calls.append(1)
        if len(calls) == 1:
            rival.zadd("race", {"bob": 70})

    board = Leaderboard(redis_client, "race", after_watched_read=bob_drops_between_the_reads)
    for player, score in [("ada", 100), ("bob", 90), ("cy", 80)]:
        board.set_score(player, score)

    # The first read puts the cut of a top 2 at bob's 90; then bob falls to 70. Reading on
    # with that cut would return ada alone; EXEC fails on the watched key and top() starts over.
    assert board.top(2) == [Entry(1, "ada", 100), Entry(2, "cy", 80)]
    assert len(calls) == 2
    rival.close()


def test_rank_reads_again_when_the_board_changes_after_its_watched_read(
    redis_client: redis.Redis, redis_url: str
) -> None:
    rival = redis.Redis.from_url(redis_url, decode_responses=True)
    calls: list[int] = []

    def bob_overtakes_between_the_reads() -> None:
        calls.append(1)
        if len(calls) == 1:
            rival.zadd("race", {"bob": 150})

    board = Leaderboard(redis_client, "race", after_watched_read=bob_overtakes_between_the_reads)
    board.set_score("ada", 100)
    board.set_score("bob", 90)

    # Counting players above the 90 seen first would find ada and bob himself: rank 3.
    assert board.rank("bob") == Entry(1, "bob", 150)
    assert len(calls) == 2
    rival.close()


def test_ranked_orders_by_score_then_name() -> None:
    rows = [("b", 1.0), ("a", 2.0), ("c", 1.0), ("d", 0.5), ("e", 2.0)]

    assert ranked(rows) == [
        Entry(1, "a", 2.0),
        Entry(1, "e", 2.0),
        Entry(3, "b", 1.0),
        Entry(3, "c", 1.0),
        Entry(5, "d", 0.5),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.set_score("", 1), "player must not be empty"),
        (lambda b: b.set_score("   ", 1), "player must not be empty"),
        (
            lambda b: b.set_score("x" * 65, 1),
            "player must be at most 64 characters, got 65: 'xxxxxxxxxxxxxxxxxxxx'…",
        ),
        (
            lambda b: b.set_score("a\nb", 1),
            "player must not contain control characters, got 'a\\nb'",
        ),
        (lambda b: b.set_score(7, 1), "player must be a string, got 7"),
        (lambda b: b.set_score("ada", float("nan")), "score must be a finite number, got nan"),
        (lambda b: b.set_score("ada", float("-inf")), "score must be a finite number, got -inf"),
        (lambda b: b.set_score("ada", "12"), "score must be a number, got '12'"),
        (lambda b: b.set_score("ada", True), "score must be a number, got True"),
        (lambda b: b.add_points("ada", None), "points must be a number, got None"),
        (lambda b: b.add_points("", 1), "player must not be empty"),
        (
            lambda b: b.transfer("ada", "bob", float("nan")),
            "points must be a finite number, got nan",
        ),
        (lambda b: b.score(""), "player must not be empty"),
        (lambda b: b.transfer("ada", "ada", 1), "giver and receiver must differ, got 'ada' twice"),
        (lambda b: b.transfer("", "ada", 1), "giver must not be empty"),
        (lambda b: b.transfer("ada", "", 1), "receiver must not be empty"),
        (lambda b: b.top(0), "n must be from 1 to 100, got 0"),
        (lambda b: b.top(101), "n must be from 1 to 100, got 101"),
        (lambda b: b.top(2.5), "n must be a whole number, got 2.5"),
        (lambda b: b.rank(""), "player must not be empty"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    board: Leaderboard, call: Callable[[Leaderboard], object], message: str
) -> None:
    before = board.top(MAX_TOP)

    with pytest.raises(InvalidInput) as refused:
        call(board)

    assert str(refused.value) == message
    assert board.top(MAX_TOP) == before


def test_a_name_of_64_characters_is_the_longest_accepted(board: Leaderboard) -> None:
    board.set_score("x" * 64, 1)

    assert board.score("x" * 64) == 1.0


def test_set_score_on_a_board_without_ttl_is_one_multi_exec(
    board: Leaderboard, sent_commands: Callable[..., list[str]]
) -> None:
    assert sent_commands(lambda: board.set_score("ada", 7)) == [
        "MULTI",
        "ZADD scores 7.0 ada",
        "EXEC",
    ]


def test_seconds_left_is_zero_in_the_last_half_second(board: Leaderboard) -> None:
    board.client.pexpire(board.key, 400)

    assert board.seconds_left() == 0


@pytest.mark.parametrize(
    ("key", "ttl", "message"),
    [
        ("", None, "key must not be empty"),
        ("k" * 201, None, "key must be at most 200 characters, got 201"),
        ("k", 0, "ttl must be from 1 to 31622400, got 0"),
        ("k", 1.5, "ttl must be a whole number, got 1.5"),
    ],
)
def test_a_board_refuses_a_bad_key_or_ttl(
    redis_client: redis.Redis, key: str, ttl: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        Leaderboard(redis_client, key, ttl=ttl)  # type: ignore[arg-type]


def test_check_score_keeps_ints_and_floats_as_floats() -> None:
    assert check_score(3) == 3.0
    assert check_score(-0.25) == -0.25
    assert isinstance(check_score(3), float)
