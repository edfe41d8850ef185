"""The wrk output parser behind the benchmarks (the benchmarks themselves are not tests)."""

import pytest

from bench.load import LoadToolMissing, parse_wrk, run_wrk

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:40417/api/articles?limit=20
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.41ms    1.92ms  30.11ms   91.20%
    Req/Sec     2.06k   201.33     2.40k    73.00%
  Latency Distribution
     50%    2.95ms
     75%    3.52ms
     90%    4.61ms
     99%   12.58ms
  20524 requests in 10.00s, 104.15MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   2052.31
Transfer/sec:     10.41MB
"""


def test_parses_throughput_percentiles_and_errors():
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(2052.31)
    assert (result.p50_ms, result.p99_ms) == (pytest.approx(2.95), pytest.approx(12.58))
    assert (result.requests, result.errors) == (20524, 3)


@pytest.mark.parametrize(("text", "millis"), [("850.00us", 0.85), ("1.20s", 1200.0)])
def test_latencies_in_other_units_become_milliseconds(text: str, millis: float):
    output = WRK_OUTPUT.replace("2.95ms", text)
    assert parse_wrk(output).p50_ms == pytest.approx(millis)


def test_socket_errors_count_as_errors():
    output = WRK_OUTPUT.replace(
        "  Non-2xx or 3xx responses: 3\n",
        "  Socket errors: connect 0, read 2, write 0, timeout 5\n",
    )
    assert parse_wrk(output).errors == 7


def test_a_missing_wrk_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LoadToolMissing, match="apt-get install wrk"):
        run_wrk("http://127.0.0.1:1/", seconds=1, connections=1)
