#!/usr/bin/env python3
"""Mixed civil-registration load: citizens submitting applications with uploads through the API
while officers work their queues, at the same time, against a RUNNING server on loopback.

    python bench/load_uploads.py --scenario bench/scenarios/civil-registration-mixed.json \\
        --tokens /tmp/kotapintar-bench-var/cr-tokens.json --base-url http://127.0.0.1:8771 \\
        --citizens 200 --officers 22 --duration 60 --citizen-think-time 10-30 \\
        --officer-think-time 1-3

Citizens (one API token each): ``POST applications/`` as multipart with a small JPEG and a small
PDF per requirement, a fresh ``Idempotency-Key`` and a fresh synthetic NIK on every request;
a share of the submissions is sent twice with the same key (a retry must answer 200 with the
same application). Officers (one token each, one per unit): the queue, the queue of unclaimed
applications, a case page, claiming an unclaimed application and checking its documents.

Reuses ``bench/load.py`` (loopback-only target, percentiles, summaries, think time, deadline,
server memory); this file only adds multipart bodies, token authentication, per-request unique
values and a report per request *kind* (submission vs officer). Standard library only.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (  # the harness next to this file
    BENCH_DIR,
    MAX_CONCURRENCY,
    USER_AGENT,
    BenchError,
    Budget,
    Target,
    ThinkTime,
    parse_target,
    parse_think_time,
    server_memory,
    summarize,
)

Sample = tuple[str, str, int | str, float]  # (kind, request name, status, ms)


def _load_samples() -> ModuleType:
    """``kotapintar/core/demo/samples.py`` loaded by path: importing it as part of its package
    would import the Django demo generators too, and the bench runs without Django."""
    path = Path(__file__).resolve().parent.parent / "kotapintar/core/demo/samples.py"
    spec = importlib.util.spec_from_file_location("kotapintar_samples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


samples = _load_samples()

# A 1x1 JPEG and a one-page PDF: real files the upload rules accept, a few hundred bytes each.
FILES = {
    "jpeg": ("dokumen.jpg", "image/jpeg", samples.TINY_JPEG),
    "pdf": ("dokumen.pdf", "application/pdf", samples.tiny_pdf()),
}


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = f"kotapintar-bench-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(value.encode() + b"\r\n")
    for name, (filename, content_type, data) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Nik:
    """Synthetic, structurally valid NIKs: unique per worker within a run (the serial is the
    worker's) and unlikely to repeat across runs (a random slot and starting date per run), so
    that no submission meets an open application of the same NIK from an earlier run."""

    DATES = 28 * 12 * 100

    def __init__(self, prefix: str, worker: int) -> None:
        run = random.SystemRandom()
        self.prefix = prefix
        self.serial = 1 + (worker + 500 * run.randrange(19)) % 9999
        self.index = run.randrange(self.DATES)

    def next(self) -> str:
        self.index = (self.index + 1) % self.DATES
        day = 1 + self.index % 28
        month = 1 + (self.index // 28) % 12
        year = (self.index // 336) % 100
        return f"{self.prefix}{day:02d}{month:02d}{year:02d}{self.serial:04d}"


ERROR_DETAILS: Counter[str] = Counter()  # "<status> <error code> <fields>" of 4xx answers
_ERROR_LOCK = threading.Lock()


def _note_error(name: str, status: int | str, data: bytes) -> None:
    if not isinstance(status, int) or status < 400:
        return
    try:
        error = json.loads(data)["error"]
        detail = f"{error.get('code')} {sorted(error.get('fields', {}))}"
    except (ValueError, KeyError, TypeError):
        detail = "?"
    with _ERROR_LOCK:
        ERROR_DETAILS[f"{name} {status} {detail}"] += 1


def _request(
    conn: HTTPConnection, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int | str, bytes, HTTPConnection]:
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), conn
    except (OSError, ValueError) as exc:
        conn.close()
        return f"error:{type(exc).__name__}", b"", conn


def citizen(
    target: Target,
    scenario: dict[str, Any],
    token: str,
    budget: Budget,
    think: ThinkTime | None,
    seed: int,
    worker: int,
    timeout: float,
    out: list[Sample],
) -> None:
    spec = scenario["citizen"]
    rng = random.Random(seed)
    niks = Nik(spec.get("nik_prefix", "127101"), worker)
    headers = {
        "User-Agent": USER_AGENT,
        "Authorization": f"Token {token}",
        "Accept-Encoding": "identity",
    }
    files = {f"documents.{code}": FILES[kind] for code, kind in spec["files"].items()}
    conn = HTTPConnection(target.host, target.port, timeout=timeout)
    if think is not None:
        budget.pause(rng.uniform(0, think.high))
    try:
        while budget.take():
            fields = {**spec["fields"], "subject_nik": niks.next()}
            body, content_type = multipart(fields, files)
            request_headers = {
                **headers,
                "Content-Type": content_type,
                "Idempotency-Key": uuid.uuid4().hex,
            }
            started = time.perf_counter()
            status, data, conn = _request(conn, "POST", spec["path"], request_headers, body)
            out.append(("submission", "submit", status, (time.perf_counter() - started) * 1000))
            _note_error("submit", status, data)
            if status == 201 and rng.random() < spec.get("retry_share", 0.0):
                first = json.loads(data)["id"]
                started = time.perf_counter()
                status, data, conn = _request(conn, "POST", spec["path"], request_headers, body)
                same = status == 200 and json.loads(data).get("id") == first
                out.append(
                    (
                        "submission",
                        "submit-retry",
                        status if same else f"mismatch:{status}",
                        (time.perf_counter() - started) * 1000,
                    )
                )
            if think is not None:
                budget.pause(rng.uniform(think.low, think.high))
    finally:
        conn.close()


def officer(
    target: Target,
    scenario: dict[str, Any],
    token: str,
    budget: Budget,
    think: ThinkTime | None,
    seed: int,
    timeout: float,
    out: list[Sample],
) -> None:
    spec = scenario["officer"]
    base = spec["path"]
    rng = random.Random(seed)
    headers = {
        "User-Agent": USER_AGENT,
        "Authorization": f"Token {token}",
        "Accept-Encoding": "identity",
    }
    names = list(spec["weights"])
    weights = [spec["weights"][n] for n in names]
    seen: list[str] = []  # ids from the last queue page
    unclaimed: list[str] = []
    mine: list[str] = []  # claimed by this officer, documents still to check
    conn = HTTPConnection(target.host, target.port, timeout=timeout)
    if think is not None:
        budget.pause(rng.uniform(0, think.high))

    def call(name: str, method: str, path: str, body: bytes | None = None) -> tuple[int | str, Any]:
        nonlocal conn
        extra = {"Content-Type": "application/json"} if body is not None else {}
        started = time.perf_counter()
        status, data, conn = _request(conn, method, path, {**headers, **extra}, body)
        out.append(("officer", name, status, (time.perf_counter() - started) * 1000))
        _note_error(name, status, data)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, None

    try:
        while budget.take():
            name = rng.choices(names, weights)[0]
            if name == "claim" and not unclaimed:
                name = "queue-unassigned"
            if name == "verify" and not mine:
                name = "case" if seen else "queue"
            if name == "case" and not seen:
                name = "queue"
            if name == "queue":
                status, data = call(name, "GET", base)
                if status == 200:
                    seen = [row["id"] for row in data["results"]]
            elif name == "queue-unassigned":
                status, data = call(name, "GET", f"{base}?unassigned=true&status=diajukan")
                if status == 200:
                    unclaimed = [row["id"] for row in data["results"]]
                    seen = unclaimed[:] or seen
            elif name == "case":
                call(name, "GET", f"{base}{rng.choice(seen)}/")
            elif name == "claim":
                application = unclaimed.pop(rng.randrange(len(unclaimed)))
                status, _data = call(name, "POST", f"{base}{application}/claim/")
                if status == 200:
                    mine.append(application)
            elif name == "verify":
                application = mine.pop(0)
                status, data = call("case-assigned", "GET", f"{base}{application}/")
                if status == 200:
                    for document in data["documents"]:
                        if document["status"] == "pending" and not document["is_superseded"]:
                            call(
                                "verify",
                                "POST",
                                f"{base}{application}/documents/{document['id']}/verify/",
                                json.dumps({"valid": True}).encode(),
                            )
            if think is not None:
                budget.pause(rng.uniform(think.low, think.high))
    finally:
        conn.close()


def report(samples: Sequence[Sample], elapsed: float) -> dict[str, Any]:
    by_kind: dict[str, list[tuple[int | str, float]]] = defaultdict(list)
    by_name: dict[str, list[tuple[int | str, float]]] = defaultdict(list)
    for kind, name, status, ms in samples:
        by_kind[kind].append((status, ms))
        by_name[f"{kind}:{name}"].append((status, ms))
    return {
        "per_kind": {kind: summarize(rows, elapsed) for kind, rows in sorted(by_kind.items())},
        "per_request": {name: summarize(rows, elapsed) for name, rows in sorted(by_name.items())},
        "total": summarize([(s, ms) for _, _, s, ms in samples], elapsed),
    }


def format_summary(result: dict[str, Any]) -> str:
    config = result["config"]
    lines = [
        f"Scenario {result['scenario']}: {config['citizens']} citizens (think "
        f"{config['citizen_think_time_s'] or 'none'} s) + {config['officers']} officers (think "
        f"{config['officer_think_time_s'] or 'none'} s), {result['elapsed_s']} s",
        f"{'kind / request':<30}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50':>9}{'p95':>9}"
        f"{'p99':>9}{'max':>9}  (ms)",
    ]
    rows = [*result["per_kind"].items(), *result["per_request"].items(), ("TOTAL", result["total"])]
    for name, summary in rows:
        latency = summary["latency_ms"]
        cells = [latency[key] for key in ("p50", "p95", "p99", "max")]
        lines.append(
            f"{name[:29]:<30}{summary['requests']:>9}{summary['errors']:>8}"
            f"{summary['throughput_rps']:>9}"
            + "".join(f"{'-' if c is None else c:>9}" for c in cells)
        )
    lines.append(f"status: {result['total']['status']}")
    if result.get("error_details"):
        lines.append(f"4xx answers: {result['error_details']}")
    memory = result.get("memory")
    if memory:
        lines.append(
            f"memory: worker peak RSS max {memory['worker_peak_rss_mb_max']} MB over "
            f"{len(memory['workers'])} workers"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", type=Path, required=True)
    parser.add_argument(
        "--tokens", type=Path, required=True, help='{"citizens": [...], "officers": [...]}'
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8771")
    parser.add_argument("--citizens", type=int, default=200)
    parser.add_argument("--officers", type=int, default=22)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--citizen-think-time", metavar="MIN-MAX", help="none: closed loop")
    parser.add_argument("--officer-think-time", metavar="MIN-MAX", help="none: closed loop")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    try:
        target = parse_target(args.base_url)
        scenario = json.loads(args.scenario.read_text(encoding="utf-8"))
        tokens = json.loads(args.tokens.read_text(encoding="utf-8"))
        if not 0 <= args.citizens <= len(tokens["citizens"]):
            raise BenchError(f"--citizens must be at most {len(tokens['citizens'])} (tokens).")
        if not 0 <= args.officers <= len(tokens["officers"]):
            raise BenchError(f"--officers must be at most {len(tokens['officers'])} (tokens).")
        if args.citizens + args.officers > MAX_CONCURRENCY or not 0 < args.duration <= 3600:
            raise BenchError("At most 500 clients and 3600 s.")
        citizen_think = (
            parse_think_time(args.citizen_think_time) if args.citizen_think_time else None
        )
        officer_think = (
            parse_think_time(args.officer_think_time) if args.officer_think_time else None
        )
    except (BenchError, OSError, ValueError, KeyError) as exc:
        print(f"load_uploads.py: {exc}", file=sys.stderr)
        return 2

    budget = Budget(args.duration, None)
    outputs: list[list[Sample]] = [[] for _ in range(args.citizens + args.officers)]
    threads = [
        threading.Thread(
            target=citizen,
            args=(
                target,
                scenario,
                tokens["citizens"][i],
                budget,
                citizen_think,
                args.seed * 1000 + i,
                i,
                args.timeout,
                outputs[i],
            ),
            daemon=True,
        )
        for i in range(args.citizens)
    ] + [
        threading.Thread(
            target=officer,
            args=(
                target,
                scenario,
                tokens["officers"][j],
                budget,
                officer_think,
                args.seed * 5000 + j,
                args.timeout,
                outputs[args.citizens + j],
            ),
            daemon=True,
        )
        for j in range(args.officers)
    ]
    started_at = datetime.now(UTC)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    samples = [s for output in outputs for s in output]
    result = {
        "scenario": scenario.get("name", args.scenario.stem),
        "description": scenario.get("description", ""),
        "base_url": target.base_url,
        "started_at": started_at.isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed, 3),
        "config": {
            "citizens": args.citizens,
            "officers": args.officers,
            "duration_s": args.duration,
            "citizen_think_time_s": [citizen_think.low, citizen_think.high]
            if citizen_think
            else None,
            "officer_think_time_s": [officer_think.low, officer_think.high]
            if officer_think
            else None,
            "timeout_s": args.timeout,
            "seed": args.seed,
        },
        **report(samples, elapsed),
        "memory": server_memory(args.server_pid) if args.server_pid else None,
        "error_details": dict(ERROR_DETAILS.most_common()),
    }
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{result['scenario']}-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(format_summary(result))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
