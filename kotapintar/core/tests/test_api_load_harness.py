"""The load-test harness in bench/load.py: its statistics and a short run against a live server.

The benchmarks themselves are not part of the test suite (see bench/README.md).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from pytest_django.live_server_helper import LiveServer
from rest_framework.throttling import SimpleRateThrottle


def _load_harness() -> ModuleType:
    path = Path(settings.BASE_DIR) / "bench" / "load.py"
    spec = importlib.util.spec_from_file_location("kotapintar_bench_load", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


load: Any = _load_harness()


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]

    assert [load.percentile(values, q) for q in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert load.percentile([3.0, 7.0], 50) == 3.0
    assert load.percentile([3.0, 7.0], 51) == 7.0
    assert load.percentile([5.0], 99) == 5.0
    assert load.percentile([], 50) is None
    with pytest.raises(ValueError):
        load.percentile(values, 0)


def test_summary_counts_errors_throughput_and_status_histogram() -> None:
    samples = [(200, 10.0), (200, 20.0), (404, 30.0), ("error:TimeoutError", 40.0)]

    assert load.summarize(samples, 2.0) == {
        "requests": 4,
        "errors": 2,
        "throughput_rps": 2.0,
        "latency_ms": {
            "min": 10.0,
            "mean": 25.0,
            "p50": 20.0,
            "p95": 40.0,
            "p99": 40.0,
            "max": 40.0,
        },
        "status": {"200": 2, "404": 1, "error:TimeoutError": 1},
    }


def test_summary_of_nothing_has_empty_latencies() -> None:
    summary = load.summarize([], 1.0)

    assert summary["requests"] == 0
    assert summary["throughput_rps"] == 0.0
    assert set(summary["latency_ms"].values()) == {None}


@pytest.mark.parametrize(
    "url", ["http://localhost:8000", "http://127.0.0.1:8765", "http://127.9.9.9", "http://[::1]:80"]
)
def test_loopback_targets_are_accepted(url: str) -> None:
    assert load.parse_target(url).port in {8000, 8765, 80}


@pytest.mark.parametrize(
    "url",
    [
        "http://192.0.2.10:8000",
        "http://10.0.0.1",
        "http://example.com",
        "http://localhost.example.com",
        "https://127.0.0.1",
        "ftp://127.0.0.1",
    ],
)
def test_non_loopback_targets_are_refused_before_any_request(url: str, tmp_path: Path) -> None:
    with pytest.raises(load.BenchError):
        load.parse_target(url)
    scenario = _scenario(tmp_path, [{"path": "/healthz"}])

    code = load.main(
        ["--scenario", str(scenario), "--base-url", url, "--results-dir", str(tmp_path / "r")]
    )

    assert code == 2
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "args",
    [["--duration", "0"], ["--duration", "3601"], ["--requests", "0"], ["--concurrency", "501"]],
)
def test_unbounded_or_excessive_runs_are_refused(args: list[str], tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, [{"path": "/healthz"}])

    assert load.main(["--scenario", str(scenario), "--results-dir", str(tmp_path), *args]) == 2


def test_invalid_scenario_is_refused(tmp_path: Path) -> None:
    with pytest.raises(load.BenchError, match="path starting with"):
        load.load_scenario(_scenario(tmp_path, [{"path": "healthz"}]))
    with pytest.raises(load.BenchError, match="no requests"):
        load.load_scenario(_scenario(tmp_path, []))


def test_shipped_scenarios_are_valid() -> None:
    files = sorted((Path(settings.BASE_DIR) / "bench" / "scenarios").glob("*.json"))

    assert any(f.name == "foundation.json" for f in files)
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("driver") == "load_uploads.py":
            # Multipart submissions with officers at the same time: read by bench/load_uploads.py.
            assert data["name"] == path.stem
            assert {"citizen", "officer"} <= data.keys()
            continue
        scenario = load.load_scenario(path)
        assert scenario.name == path.stem


def test_server_memory_reads_peak_rss_of_the_children() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"up\n"  # running Python, not still exec'ing
        memory = load.server_memory(os.getpid())
    finally:
        child.kill()
        child.communicate()

    [worker] = [w for w in memory["workers"] if w["pid"] == child.pid]
    assert worker["peak_rss_mb"] > 0
    assert memory["master_peak_rss_mb"] > 0
    assert memory["worker_peak_rss_mb_max"] >= worker["peak_rss_mb"]


def _scenario(tmp_path: Path, requests: list[dict[str, Any]]) -> Path:
    path = tmp_path / "smoke.json"
    path.write_text(json.dumps({"name": "smoke", "requests": requests}))
    return path


@pytest.fixture
def no_throttling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min"}
    )


@pytest.mark.django_db(transaction=True)
def test_one_second_run_against_a_live_server_writes_the_results(
    live_server: LiveServer, tmp_path: Path, no_throttling: None
) -> None:
    scenario = _scenario(
        tmp_path,
        [
            {"name": "healthz", "path": "/healthz", "weight": 3},
            {"name": "meta", "path": "/api/v1/meta/", "weight": 1},
        ],
    )
    results = tmp_path / "results"

    code = load.main(
        [
            "--scenario", str(scenario),
            "--base-url", live_server.url,
            "--concurrency", "2",
            "--duration", "1",
            "--results-dir", str(results),
            "--server-pid", str(os.getpid()),
        ]
    )  # fmt: skip

    assert code == 0
    [path] = list(results.glob("smoke-*.json"))
    report = json.loads(path.read_text())
    assert set(report) == {
        "scenario", "description", "base_url", "started_at", "elapsed_s", "config", "total",
        "per_url", "memory",
    }  # fmt: skip
    assert report["scenario"] == "smoke"
    assert report["config"]["concurrency"] == 2
    assert 1.0 <= report["elapsed_s"] < 5.0
    total = report["total"]
    assert set(total) == {"requests", "errors", "throughput_rps", "latency_ms", "status"}
    assert set(total["latency_ms"]) == {"min", "mean", "p50", "p95", "p99", "max"}
    assert total["requests"] > 0
    assert total["errors"] == 0
    assert total["status"] == {"200": total["requests"]}
    assert set(report["per_url"]) == {"healthz", "meta"}
    assert sum(u["requests"] for u in report["per_url"].values()) == total["requests"]
    assert report["per_url"]["meta"]["path"] == "/api/v1/meta/"
    latency = total["latency_ms"]
    assert (
        0 < latency["min"] <= latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    )
    assert report["memory"]["server_pid"] == os.getpid()


@pytest.mark.django_db(transaction=True)
def test_request_budget_stops_the_run_exactly(
    live_server: LiveServer, tmp_path: Path, no_throttling: None
) -> None:
    scenario = _scenario(tmp_path, [{"path": "/healthz"}, {"path": "/no-such-page/"}])

    code = load.main(
        [
            "--scenario", str(scenario),
            "--base-url", live_server.url,
            "--concurrency", "3",
            "--requests", "25",
            "--results-dir", str(tmp_path),
        ]
    )  # fmt: skip

    assert code == 0
    [path] = list(tmp_path.glob("smoke-*.json"))
    report = json.loads(path.read_text())
    assert report["total"]["requests"] == 25
    assert (
        report["per_url"]["/no-such-page/"]["errors"]
        == report["per_url"]["/no-such-page/"]["requests"]
    )
    assert report["total"]["errors"] == report["per_url"]["/no-such-page/"]["requests"]
    assert report["memory"] is None
