#!/usr/bin/env python3
"""Load-test harness for a RUNNING Kota Pintar server on this machine (loopback only).

Drives weighted URL lists (a scenario file, ``bench/scenarios/*.json``) at a fixed concurrency
for a bounded duration and/or number of requests, then writes JSON results with latency
percentiles, throughput, errors and a status histogram, per URL and in total::

    python bench/load.py --scenario bench/scenarios/foundation.json \\
        --base-url http://127.0.0.1:8765 --concurrency 20 --duration 30

Two load models: without ``--think-time`` each client sends its next request as soon as the
previous one is answered (closed loop, a capacity/stress figure: N clients keep N requests in
flight); with ``--think-time 1-3`` each client is a simulated *user* who waits a uniformly random
1-3 s between actions (the usual Locust-style user model), so N users offer about
N / (mean think time + response time) requests per second.

Standard library only (threads + ``http.client``), so it runs from any Python 3.11. It refuses
any host other than ``localhost`` or a loopback address: it is a benchmark, not a weapon.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import math
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPConnection, HTTPResponse
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

BENCH_DIR = Path(__file__).resolve().parent
MAX_DURATION_S = 3600.0
MAX_REQUESTS = 1_000_000
MAX_CONCURRENCY = 500
DEFAULT_DURATION_S = 30.0
USER_AGENT = "kotapintar-bench/1"


class BenchError(Exception):
    """Bad input or an unusable target; the message is meant for the person running it."""


# --- target ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    host: str
    port: int

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def parse_target(base_url: str) -> Target:
    """Accepts only http://localhost or a loopback IP literal (no DNS: names could rebind)."""
    parts = urlsplit(base_url)
    if parts.scheme != "http":
        raise BenchError(f"Only http:// URLs are supported, got {base_url!r}.")
    host = parts.hostname or ""
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise BenchError(
                f"Refusing to load-test {host!r}: only localhost and loopback addresses "
                "(127.0.0.0/8, ::1) are allowed."
            )
    return Target(host=host, port=parts.port or 80)


# --- scenario ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    path: str
    weight: float = 1.0
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    # POST only: form fields sent url-encoded with the CSRF token; "{uuid}" in a value becomes a
    # fresh random hex string per request (e.g. an idempotency key).
    form: dict[str, str] = field(default_factory=dict)
    # Optional: steps sharing a group (e.g. "search", "product") are also summarised together.
    group: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: list[Step]
    description: str = ""
    login_path: str = "/akun/masuk/"
    csrf_path: str = "/"  # fetched once per client for a CSRF cookie before its first POST


def load_scenario(path: Path) -> Scenario:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"Cannot read scenario {path}: {exc}") from exc
    steps = []
    for index, item in enumerate(data.get("requests", [])):
        step_path = str(item.get("path", ""))
        method = str(item.get("method", "GET")).upper()
        weight = float(item.get("weight", 1))
        form = item.get("form")
        if not step_path.startswith("/") or method not in {"GET", "HEAD", "POST"} or weight <= 0:
            raise BenchError(
                f"{path}: request #{index + 1} needs a path starting with '/', method GET, "
                "HEAD or POST and a positive weight."
            )
        if (method == "POST") != isinstance(form, dict):
            raise BenchError(f"{path}: request #{index + 1}: a POST needs a 'form' object (only).")
        steps.append(
            Step(
                name=str(item.get("name") or step_path),
                path=step_path,
                weight=weight,
                method=method,
                headers={str(k): str(v) for k, v in item.get("headers", {}).items()},
                form={str(k): str(v) for k, v in (form or {}).items()},
                group=str(item.get("group", "")),
            )
        )
    if not steps:
        raise BenchError(f"{path}: the scenario lists no requests.")
    if len({s.name for s in steps}) != len(steps):
        raise BenchError(f"{path}: request names must be unique.")
    return Scenario(
        name=str(data.get("name") or path.stem),
        steps=steps,
        description=str(data.get("description", "")),
        login_path=str(data.get("login_path", "/akun/masuk/")),
        csrf_path=str(data.get("csrf_path", "/")),
    )


# --- statistics --------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q % of values at or below it."""
    if not sorted_values:
        return None
    if not 0 < q <= 100:
        raise ValueError("q must be in (0, 100]")
    rank = math.ceil(q / 100 * len(sorted_values))
    return sorted_values[rank - 1]


def is_error(status: int | str) -> bool:
    """Transport failures (a string such as ``"error:TimeoutError"``) and HTTP 4xx/5xx."""
    return not isinstance(status, int) or status >= 400


def summarize(samples: Sequence[tuple[int | str, float]], elapsed_s: float) -> dict[str, Any]:
    """``samples`` are (status, latency in ms) pairs of one URL, or of all of them."""
    latencies = sorted(ms for _, ms in samples)
    statuses = Counter(str(status) for status, _ in samples)

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "requests": len(samples),
        "errors": sum(1 for status, _ in samples if is_error(status)),
        "throughput_rps": round(len(samples) / elapsed_s, 2) if elapsed_s > 0 else 0.0,
        "latency_ms": {
            "min": rounded(latencies[0] if latencies else None),
            "mean": rounded(sum(latencies) / len(latencies) if latencies else None),
            "p50": rounded(percentile(latencies, 50)),
            "p95": rounded(percentile(latencies, 95)),
            "p99": rounded(percentile(latencies, 99)),
            "max": rounded(latencies[-1] if latencies else None),
        },
        "status": dict(sorted(statuses.items())),
    }


# --- server memory (Linux /proc) ----------------------------------------------------------------


def _proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    if children:
        return sorted(set(children))
    # Kernels without the children file: scan every process for its parent id.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields and int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process so far (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    except (OSError, IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_snapshot(pid: int) -> dict[int, float]:
    """CPU seconds used so far by each worker of a server (its child processes)."""
    snapshot = {}
    for child in _children(pid):
        seconds = _cpu_seconds(child)
        if seconds is not None:
            snapshot[child] = seconds
    return snapshot


def server_cpu(before: dict[int, float], after: dict[int, float], requests: int) -> dict[str, Any]:
    """CPU the server's workers spent during a run, in total and per request: a cost figure
    that, unlike latency, does not depend on what else the machine was doing."""
    used = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
    return {
        "worker_cpu_s": round(used, 2),
        "cpu_ms_per_request": round(1000 * used / requests, 2) if requests else None,
    }


def server_memory(pid: int) -> dict[str, Any]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a server and its workers, in MB."""

    def mb(kb: int | None) -> float | None:
        return None if kb is None else round(kb / 1024, 1)

    workers = [
        {
            "pid": child,
            "peak_rss_mb": mb(_proc_status_kb(child, "VmHWM")),
            "rss_mb": mb(_proc_status_kb(child, "VmRSS")),
        }
        for child in _children(pid)
    ]
    peaks = [w["peak_rss_mb"] for w in workers if w["peak_rss_mb"] is not None]
    return {
        "server_pid": pid,
        "master_peak_rss_mb": mb(_proc_status_kb(pid, "VmHWM")),
        "workers": workers,
        "worker_peak_rss_mb_max": max(peaks) if peaks else None,
        "worker_peak_rss_mb_sum": round(sum(peaks), 1) if peaks else None,
    }


# --- HTTP --------------------------------------------------------------------------------------


def _cookies_from(response: HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for key, morsel in cookie.items():
            jar[key] = morsel.value


def login(target: Target, login_path: str, email: str, password: str, timeout: float) -> str:
    """Logs in through the HTML form and returns the Cookie header carrying the session."""
    jar: dict[str, str] = {}
    conn = HTTPConnection(target.host, target.port, timeout=timeout)
    try:
        conn.request("GET", login_path, headers={"User-Agent": USER_AGENT})
        response = conn.getresponse()
        response.read()
        _cookies_from(response, jar)
        if "csrftoken" not in jar:
            raise BenchError(f"No CSRF cookie from {login_path} (status {response.status}).")
        body = urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": jar["csrftoken"]}
        )
        conn.request(
            "POST",
            login_path,
            body=body,
            headers={
                "User-Agent": USER_AGENT,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "Referer": target.base_url + login_path,
            },
        )
        response = conn.getresponse()
        response.read()
        _cookies_from(response, jar)
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise BenchError(f"Login as {email} failed (status {response.status}).")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass(frozen=True)
class ThinkTime:
    """Seconds a simulated user waits between requests, uniform in [low, high]."""

    low: float
    high: float

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2


MAX_THINK_TIME_S = 600.0


def parse_think_time(text: str) -> ThinkTime:
    """``"2"`` (fixed) or ``"1-3"`` (uniform between 1 and 3 seconds)."""
    low_text, dash, high_text = text.strip().partition("-")
    try:
        low = float(low_text)
        high = float(high_text) if dash else low
    except ValueError as exc:
        raise BenchError(f"--think-time must be SECONDS or MIN-MAX, got {text!r}.") from exc
    if not 0 <= low <= high <= MAX_THINK_TIME_S:
        raise BenchError(
            f"--think-time must satisfy 0 <= MIN <= MAX <= {MAX_THINK_TIME_S:g}, got {text!r}."
        )
    return ThinkTime(low, high)


class Budget:
    """Shared stop condition: a deadline and/or a number of requests, whichever comes first."""

    def __init__(self, duration_s: float | None, max_requests: int | None) -> None:
        self.deadline = time.monotonic() + duration_s if duration_s else None
        self.remaining = max_requests
        self._lock = threading.Lock()

    def take(self) -> bool:
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return False
        if self.remaining is None:
            return True
        with self._lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True

    def pause(self, seconds: float) -> None:
        """Sleeps for a user's think time, but never past the deadline."""
        if self.deadline is not None:
            seconds = min(seconds, self.deadline - time.monotonic())
        if seconds > 0:
            time.sleep(seconds)


def _cookie_jar(cookie: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    for part in cookie.split(";"):
        key, _, value = part.strip().partition("=")
        if key:
            jar[key] = value
    return jar


def _form_body(step: Step, csrf_token: str) -> str:
    fields = {k: v.replace("{uuid}", uuid.uuid4().hex) for k, v in step.form.items()}
    fields["csrfmiddlewaretoken"] = csrf_token
    return urlencode(fields)


def _worker(
    target: Target,
    scenario: Scenario,
    budget: Budget,
    cookie: str,
    seed: int,
    timeout: float,
    out: list[tuple[str, int | str, float]],
    think_time: ThinkTime | None = None,
) -> None:
    rng = random.Random(seed)  # picks URLs and think times, not secrets
    weights = [s.weight for s in scenario.steps]
    jar = _cookie_jar(cookie)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    conn = HTTPConnection(target.host, target.port, timeout=timeout)
    if think_time is not None:
        # Users arrive spread over one think time rather than all in the same instant.
        budget.pause(rng.uniform(0, think_time.high))
    try:
        while budget.take():
            step = rng.choices(scenario.steps, weights)[0]
            extra = dict(step.headers)
            body = None
            if step.method == "POST" and "csrftoken" not in jar:
                _fetch_csrf_cookie(conn, scenario.csrf_path, headers, jar)
            if jar:
                extra["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
            if step.method == "POST":
                body = _form_body(step, jar.get("csrftoken", ""))
                extra["Content-Type"] = "application/x-www-form-urlencoded"
                extra["Referer"] = target.base_url + step.path
            started = time.perf_counter()
            status: int | str
            try:
                conn.request(step.method, step.path, body=body, headers={**headers, **extra})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, ValueError) as exc:  # http.client errors derive from these
                status = f"error:{type(exc).__name__}"
                conn.close()  # reconnects on the next request
            out.append((step.name, status, (time.perf_counter() - started) * 1000))
            if think_time is not None:
                budget.pause(rng.uniform(think_time.low, think_time.high))
    finally:
        conn.close()


def _fetch_csrf_cookie(
    conn: HTTPConnection, path: str, headers: dict[str, str], jar: dict[str, str]
) -> None:
    """One untimed GET that gives this client a CSRF cookie (anonymous POST scenarios)."""
    try:
        request_headers = dict(headers)
        if jar:
            request_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        conn.request("GET", path, headers=request_headers)
        response = conn.getresponse()
        response.read()
        _cookies_from(response, jar)
    except (OSError, ValueError):
        conn.close()


def run(
    *,
    target: Target,
    scenario: Scenario,
    concurrency: int,
    duration_s: float | None,
    max_requests: int | None,
    cookie: str = "",
    seed: int = 1,
    timeout: float = 10.0,
    think_time: ThinkTime | None = None,
) -> tuple[list[tuple[str, int | str, float]], float]:
    """Runs the load; returns (samples as (step name, status, ms), elapsed seconds).

    Without ``think_time`` the clients are closed-loop (back to back); with it each client is a
    user who waits a random think time after every answer.
    """
    budget = Budget(duration_s, max_requests)
    outputs: list[list[tuple[str, int | str, float]]] = [[] for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_worker,
            args=(target, scenario, budget, cookie, seed * 1000 + i, timeout, outputs[i]),
            kwargs={"think_time": think_time},
            daemon=True,
        )
        for i in range(concurrency)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return [sample for output in outputs for sample in output], elapsed


def build_report(
    *,
    scenario: Scenario,
    target: Target,
    samples: Sequence[tuple[str, int | str, float]],
    elapsed_s: float,
    config: dict[str, Any],
    started_at: datetime,
    memory: dict[str, Any] | None = None,
) -> dict[str, Any]:
    by_step: dict[str, list[tuple[int | str, float]]] = defaultdict(list)
    for name, status, ms in samples:
        by_step[name].append((status, ms))
    return {
        "scenario": scenario.name,
        "description": scenario.description,
        "base_url": target.base_url,
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed_s, 3),
        "config": config,
        "total": summarize([(status, ms) for _, status, ms in samples], elapsed_s),
        "per_url": {
            step.name: {"path": step.path, **summarize(by_step.get(step.name, []), elapsed_s)}
            for step in scenario.steps
        },
        "memory": memory,
        **_per_group(scenario, by_step, elapsed_s),
    }


def _per_group(
    scenario: Scenario, by_step: dict[str, list[tuple[int | str, float]]], elapsed_s: float
) -> dict[str, Any]:
    """``{"per_group": {group: summary}}`` when the scenario groups its steps, else ``{}``."""
    groups: dict[str, list[tuple[int | str, float]]] = defaultdict(list)
    for step in scenario.steps:
        if step.group:
            groups[step.group].extend(by_step.get(step.name, []))
    if not groups:
        return {}
    return {"per_group": {name: summarize(rows, elapsed_s) for name, rows in groups.items()}}


def format_summary(report: dict[str, Any]) -> str:
    think = report["config"].get("think_time_s")
    model = (
        f"{report['config']['concurrency']} users, think time {think[0]:g}-{think[1]:g} s"
        if think
        else f"{report['config']['concurrency']} clients without think time"
    )
    lines = [
        f"Scenario {report['scenario']} against {report['base_url']}: "
        f"{model}, {report['elapsed_s']} s, offered {report['total']['throughput_rps']} req/s",
        f"{'url':<28}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50':>9}{'p95':>9}{'p99':>9}"
        f"{'max':>9}  (ms)",
    ]
    groups = [(f"GROUP {name}", summary) for name, summary in report.get("per_group", {}).items()]
    rows = [*report["per_url"].items(), *groups, ("TOTAL", report["total"])]
    for name, summary in rows:
        latency = summary["latency_ms"]
        cells = [latency[key] for key in ("p50", "p95", "p99", "max")]
        lines.append(
            f"{name[:27]:<28}{summary['requests']:>9}{summary['errors']:>8}"
            f"{summary['throughput_rps']:>9}"
            + "".join(f"{'-' if c is None else c:>9}" for c in cells)
        )
    lines.append(f"status: {report['total']['status']}")
    memory = report.get("memory")
    if memory and "worker_cpu_s" in memory:
        lines.append(
            f"server CPU: {memory['worker_cpu_s']} s over the run, "
            f"{memory['cpu_ms_per_request']} ms per request"
        )
    if memory:
        lines.append(
            f"memory: worker peak RSS max {memory['worker_peak_rss_mb_max']} MB, "
            f"sum {memory['worker_peak_rss_mb_sum']} MB over {len(memory['workers'])} workers"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, required=True, help="scenario JSON file")
    parser.add_argument("--base-url", default="http://127.0.0.1:8765")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument(
        "--duration",
        type=float,
        help=f"seconds (default {DEFAULT_DURATION_S:g} without --requests)",
    )
    parser.add_argument("--requests", type=int, help="stop after this many requests")
    parser.add_argument("--login", metavar="EMAIL", help="log in first and send the session")
    parser.add_argument("--password", default="demo12345!", help="password for --login")
    parser.add_argument("--server-pid", type=int, help="gunicorn master pid: record worker RSS")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout (s)")
    parser.add_argument(
        "--think-time",
        metavar="MIN-MAX",
        help="seconds each client waits between requests, uniform (e.g. 1-3): simulated users "
        "instead of closed-loop clients",
    )
    args = parser.parse_args(argv)

    try:
        target = parse_target(args.base_url)
        scenario = load_scenario(args.scenario)
        if not 1 <= args.concurrency <= MAX_CONCURRENCY:
            raise BenchError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}.")
        duration = args.duration
        if duration is None and args.requests is None:
            duration = DEFAULT_DURATION_S
        if duration is not None and not 0 < duration <= MAX_DURATION_S:
            raise BenchError(f"--duration must be in (0, {MAX_DURATION_S:g}] seconds.")
        if args.requests is not None and not 1 <= args.requests <= MAX_REQUESTS:
            raise BenchError(f"--requests must be between 1 and {MAX_REQUESTS}.")
        think_time = parse_think_time(args.think_time) if args.think_time else None
        cookie = ""
        if args.login:
            cookie = login(target, scenario.login_path, args.login, args.password, args.timeout)
    except BenchError as exc:
        print(f"load.py: {exc}", file=sys.stderr)
        return 2

    started_at = datetime.now(UTC)
    cpu_before = server_cpu_snapshot(args.server_pid) if args.server_pid else {}
    samples, elapsed = run(
        target=target,
        scenario=scenario,
        concurrency=args.concurrency,
        duration_s=duration,
        max_requests=args.requests,
        cookie=cookie,
        seed=args.seed,
        timeout=args.timeout,
        think_time=think_time,
    )
    config = {
        "concurrency": args.concurrency,
        "duration_s": duration,
        "max_requests": args.requests,
        "logged_in": bool(args.login),
        "seed": args.seed,
        "timeout_s": args.timeout,
        "model": "users with think time" if think_time else "closed loop (no think time)",
        "think_time_s": [think_time.low, think_time.high] if think_time else None,
    }
    report = build_report(
        scenario=scenario,
        target=target,
        samples=samples,
        elapsed_s=elapsed,
        config=config,
        started_at=started_at,
        memory=server_memory(args.server_pid) if args.server_pid else None,
    )
    if report["memory"] is not None:  # the server's resources: memory, and CPU during the run
        report["memory"].update(
            server_cpu(cpu_before, server_cpu_snapshot(args.server_pid), len(samples))
        )
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    path = args.results_dir / f"{scenario.name}-{stamp}.json"
    serial = 1
    while path.exists():  # two runs within one second
        serial += 1
        path = args.results_dir / f"{scenario.name}-{stamp}-{serial}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(format_summary(report))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
