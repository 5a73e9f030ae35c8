"""The complaints benchmark's user model in bench/load.py: think time between requests.

(The harness itself is tested in kotapintar/core/tests/test_api_load_harness.py.)
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings


def _load_harness() -> ModuleType:
    path = Path(settings.BASE_DIR) / "bench" / "load.py"
    spec = importlib.util.spec_from_file_location("kotapintar_bench_load_think", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


load: Any = _load_harness()


@pytest.mark.parametrize(
    ("text", "low", "high"), [("1-3", 1.0, 3.0), ("2", 2.0, 2.0), ("0.5-0.5", 0.5, 0.5)]
)
def test_think_time_is_seconds_or_a_range(text: str, low: float, high: float) -> None:
    think = load.parse_think_time(text)
    assert (think.low, think.high, think.mean) == (low, high, (low + high) / 2)


@pytest.mark.parametrize("text", ["3-1", "-1", "a-b", "1-", "1-700"])
def test_bad_think_time_is_refused(text: str) -> None:
    with pytest.raises(load.BenchError):
        load.parse_think_time(text)


def test_bad_think_time_exits_2_before_any_request(tmp_path: Path) -> None:
    scenario = Path(settings.BASE_DIR) / "bench" / "scenarios" / "foundation.json"
    code = load.main(
        [
            "--scenario",
            str(scenario),
            "--base-url",
            "http://127.0.0.1:9",
            "--think-time",
            "5-1",
            "--results-dir",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert list(tmp_path.iterdir()) == []


def test_a_pause_never_runs_past_the_deadline() -> None:
    budget = load.Budget(0.2, None)
    started = time.monotonic()
    budget.pause(30)
    assert time.monotonic() - started < 1
    assert budget.take() is False


def test_users_with_think_time_send_fewer_requests_than_closed_loop_clients() -> None:
    """Against a closed port every request fails at once: closed-loop clients send many,
    users who think 0.2-0.3 s between requests send about duration / think time each."""
    target = load.parse_target("http://127.0.0.1:9")
    scenario = load.Scenario(name="t", steps=[load.Step(name="home", path="/")])
    closed, _ = load.run(
        target=target, scenario=scenario, concurrency=2, duration_s=0.5, max_requests=None
    )
    users, elapsed = load.run(
        target=target,
        scenario=scenario,
        concurrency=2,
        duration_s=0.5,
        max_requests=None,
        think_time=load.ThinkTime(0.2, 0.3),
    )
    assert elapsed < 1.5
    assert 2 <= len(users) <= 8
    assert len(closed) > 4 * len(users)


def test_server_cpu_is_the_workers_cpu_spent_during_the_run_per_request() -> None:
    before = {101: 10.0, 102: 4.0}
    after = {101: 10.5, 102: 4.25, 103: 0.25}  # 103: a worker started during the run
    assert load.server_cpu(before, after, 100) == {
        "worker_cpu_s": 1.0,
        "cpu_ms_per_request": 10.0,
    }
    assert load.server_cpu({}, {}, 0) == {"worker_cpu_s": 0, "cpu_ms_per_request": None}


def test_cpu_snapshot_reads_this_process_children() -> None:
    import os
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    try:
        snapshot = load.server_cpu_snapshot(os.getpid())
        assert child.pid in snapshot
        assert snapshot[child.pid] >= 0
    finally:
        child.kill()
        child.wait()
