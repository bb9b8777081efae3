"""`make bench`: build (or reuse) the dataset, serve the site in production mode, load it, report.

Steps (see bench/README.md):

1. datasets: the full one (100 000 cases, 300 000 adoptions by default) and a small one (1 000 /
   3 000) in dedicated PostgreSQL databases, built with `generate_synthetic` and reused when a
   marker table says they were built with the same parameters, generator and registry;
2. query counts: bench/probe.py requests every scenario once through Django's test client on
   both datasets and counts the SQL queries (they must not grow with the data);
3. load: gunicorn in production settings (DEBUG off, several workers sharing a Redis cache that
   is emptied first, see --redis) on 127.0.0.1, serving a copy of the dataset, driven by wrk
   (or a small Python load generator when wrk is missing) after a warm-up, one scenario at a
   time, with the CPU time the workers and their PostgreSQL backends spent per request; the
   groups of bench/scenarios.py in turn: repeated addresses, new queries (bench/words.py,
   bench/rotate.lua), one client asking again, the next visitor after a write through the API
   (bench/writers.py), 16 connections;
4. the change feed: a full sync from no cursor, following next_cursor to the end, timed;
5. the workers' memory and what the shared cache holds;
6. a table with each figure's ratio to its group's floor and the goals met (bench/figures.py)
   on stdout, and everything in bench/results.json.

Only 127.0.0.1 is ever loaded, for a bounded time per scenario.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import redis
from figures import (
    add_ratios,
    fmt,
    markdown_table,
    memory_row,
    percentile,
    queries_constant,
    text_table,
    verdict,
)
from scenarios import (
    CONCURRENCY,
    GROUPS,
    MEMORY_GOAL_MB,
    SYNC_NAME,
    SYNC_PATH,
    SYNC_TARGET_SECONDS,
    WRITE_PATH,
    Scenario,
)
from words import API, PAGE, Pool, pick_words, query_paths

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEFAULT_REGISTRY = ROOT.parent / "shared" / "data" / "municipalities.csv"
RESULTS = BENCH / "results.json"
TICKS = os.sysconf("SC_CLK_TCK")
MARKER = "bench_dataset"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# Databases -------------------------------------------------------------------------------------


def server_url(args, database: str = "postgres") -> str:
    return f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{database}"


def connect(args, database: str):
    connection = psycopg2.connect(
        host=args.pg_host, port=args.pg_port, user=args.pg_user, dbname=database
    )
    connection.autocommit = True
    return connection


def fingerprint(args, cases: int, adoptions: int) -> dict:
    """What a dataset depends on: a change in any of these rebuilds it."""

    def digest(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]

    def digest_package(folder: Path) -> str:
        # Each module's path as well as its text: moving code between modules counts too.
        sha = hashlib.sha256()
        for path in sorted(folder.rglob("*.py")):
            sha.update(path.relative_to(folder).as_posix().encode() + b"\0")
            sha.update(path.read_bytes() + b"\0")
        return sha.hexdigest()[:16]

    return {
        "cases": cases,
        "adoptions": adoptions,
        "seed": args.seed,
        "registry": digest(Path(args.municipalities)),
        "generator": digest_package(ROOT / "demo" / "synthetic"),
    }


def stored_marker(args, database: str) -> dict | None:
    try:
        connection = connect(args, database)
    except psycopg2.OperationalError:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT params, build, built_at::text FROM {MARKER}")
            row = cursor.fetchone()
            return {"params": row[0], "build": row[1], "built_at": row[2]} if row else None
    finally:
        connection.close()


def django_env(args, database: str) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": server_url(args, database),
            "DEBUG": "0",
            "BENCH_FLOOR_VIEW": "1",
            "SECRET_KEY": args.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "API_THROTTLE_ANON": "1000000/s",
            "API_THROTTLE_USER": "1000000/s",
            "EXPENSIVE_PAGES_PER_CLIENT": "1000000/s",
            "CONN_MAX_AGE": "600",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "console",
        }
    )
    return env


def manage(args, database: str, *command: str) -> None:
    subprocess.run(
        [str(PYTHON), "manage.py", *command],
        cwd=ROOT,
        env=django_env(args, database),
        check=True,
    )


def ensure_dataset(args, database: str, cases: int, adoptions: int) -> dict:
    """The dataset in `database`, built now or reused; returns its build record."""
    wanted = fingerprint(args, cases, adoptions)
    marker = stored_marker(args, database)
    if marker and marker["params"] == wanted and not args.rebuild:
        log(f"{database}: reusing the dataset built {marker['built_at']} ({cases} cases)")
        manage(args, database, "migrate", "--noinput", "-v0")  # new migrations, if any
        return {**marker["build"], "reused": True, "built_at": marker["built_at"]}
    log(f"{database}: building {cases} cases and {adoptions} adoptions (seed {args.seed})")
    admin = connect(args, "postgres")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
        cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    manage(args, database, "migrate", "--noinput", "-v0")
    completed = subprocess.run(
        [
            str(PYTHON),
            str(BENCH / "build.py"),
            str(cases),
            str(adoptions),
            str(args.seed),
            str(args.municipalities),
        ],
        cwd=ROOT,
        env=django_env(args, database),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    build = json.loads(completed.stdout.strip().splitlines()[-1])
    log(
        f"{database}: generated in {build['wall_seconds']} s "
        f"(CPU: Python {build['python_cpu_seconds']} s, PostgreSQL "
        f"{build['postgresql_cpu_seconds']} s)"
    )
    connection = connect(args, database)
    with connection.cursor() as cursor:
        # The load writes each case row three times (inserted, then its term masks, then its
        # counters), leaving the table three parts free space: compact it, as migration 0019
        # leaves a live site's. Then the visibility map and statistics, as autovacuum would.
        cursor.execute("VACUUM (FULL) cases_case")
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute(
            f"CREATE TABLE {MARKER} (params jsonb, build jsonb, built_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} (params, build) VALUES (%s, %s)",
            [json.dumps(wanted), json.dumps(build)],
        )
    connection.close()
    return {**build, "reused": False}


def probe(args, database: str, words: list[str] | None = None) -> dict:
    """bench/probe.py's findings on the database; with `words`, their match counts only."""
    completed = subprocess.run(
        [str(PYTHON), str(BENCH / "probe.py"), *([json.dumps(words)] if words else [])],
        cwd=ROOT,
        env=django_env(args, database),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


# CPU accounting -----------------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent by gunicorn's workers and the PostgreSQL backends serving them."""

    def __init__(self, args, database: str, master: int):
        self.args, self.database, self.master = args, database, master

    def pids(self) -> list[int]:
        connection = connect(self.args, "postgres")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            backends = [row[0] for row in cursor.fetchall()]
        connection.close()
        return [self.master, *children_of(self.master), *backends]

    def sample(self) -> dict[int, float]:
        return {pid: process_cpu(pid) for pid in self.pids()}

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(after[pid] - before.get(pid, 0.0) for pid in after)

    def drain(self, limit: float = 90) -> float:
        """Wait until the server is idle: a request the load tool gave up on still runs in its
        worker, and must not be counted against the next scenario. Returns the seconds waited."""
        started = time.monotonic()
        previous = self.sample()
        while time.monotonic() - started < limit:
            time.sleep(0.5)
            current = self.sample()
            if self.spent(previous, current) < 0.05:  # under 10 % of a core over 0.5 s
                break
            previous = current
        return time.monotonic() - started


# The server ---------------------------------------------------------------------------------------


def prepare_cache(args) -> str | None:
    """The REDIS_URL the workers share as their cache, emptied so that no figure depends on an
    earlier run; None (each worker caches in its own memory) with --redis none or when Redis
    cannot be reached. By default a database numbered after the port, so that runs on
    different ports keep apart."""
    if args.redis == "none":
        return None
    url = args.redis or f"redis://127.0.0.1:6379/{args.port % 16}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except (redis.RedisError, OSError) as error:
        log(f"Redis at {url} cannot be used ({error}): each worker caches in its own memory")
        return None
    log(f"cache: Redis {url} (emptied), shared by the workers")
    return url


def start_server(args, database: str) -> subprocess.Popen:
    log(f"gunicorn: {args.workers} workers on 127.0.0.1:{args.port}")
    env = django_env(args, database)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "config.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting; see its output above")
        try:
            status, _body = get(args, "/_floor/")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def get(args, path: str, connection: http.client.HTTPConnection | None = None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Accept-Language": "nb"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def post_json(args, path: str, body: dict, token: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={
                "Authorization": f"Token {token}",
                "Content-Type": "application/json",
                "Accept-Language": "nb",
            },
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# Load ---------------------------------------------------------------------------------------------


@dataclass
class Target:
    """What one load run asks for: one address again and again, or a stretch of a pool's
    addresses (`file` holds them, one a line; the run starts at `start`)."""

    path: str | None
    connections: int
    pool: Pool | None = None
    file: Path | None = None

    def describe(self) -> str:
        return self.path if self.pool is None else f"{len(self.pool.paths)} new queries"


def threads_for(connections: int) -> int:
    return min(connections, 2)


def run_wrk(args, target: Target, seconds: float) -> dict:
    threads = threads_for(target.connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{target.connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-H",
        "Accept-Language: nb",
        "-s",
        str(BENCH / ("report.lua" if target.pool is None else "rotate.lua")),
    ]
    if target.pool is None:
        command.append(f"http://127.0.0.1:{args.port}{target.path}")
    else:
        command += [
            f"http://127.0.0.1:{args.port}/",
            "--",
            str(target.file),
            str(target.pool.start()),
            str(threads),
        ]
    completed = subprocess.run(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    match = re.search(r"BENCH_JSON (\{.*\})", completed.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no result:\n{completed.stdout}")
    raw = json.loads(match.group(1))
    used = re.search(r"BENCH_ROTATE (\{.*\})", completed.stdout)
    if target.pool is not None:
        target.pool.consumed(json.loads(used.group(1))["used"] if used else raw["requests"])
    if raw["requests"] == 0 or raw["max_us"] == 0:
        return {
            "requests": 0,
            "rps": 0.0,
            "p50_ms": None,
            "p95_ms": None,
            "p99_ms": None,
            "max_ms": None,
            "errors": raw["timeouts"] + raw["status_errors"],
            "non_2xx": 0,
            "note": "no request finished within wrk's 10 s timeout",
        }
    errors = sum(
        raw[key]
        for key in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
    )
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": errors,
        "non_2xx": raw["status_errors"],
    }


def run_python_load(args, target: Target, seconds: float) -> dict:
    """A closed-loop load generator: `connections` threads, each one request at a time."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    pool = target.pool

    def next_path() -> str:
        if pool is None:
            return target.path or "/"
        with lock:
            path = pool.paths[pool.next % len(pool.paths)]
            pool.consumed(1)
        return path

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        own: list[float] = []
        while time.monotonic() < deadline:
            path = next_path()
            started = time.perf_counter()
            try:
                status, _body = get(args, path, connection)
                if status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
            own.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(own)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(target.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    milliseconds = [latency * 1000 for latency in latencies]
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(milliseconds, 50),
        "p95_ms": percentile(milliseconds, 95),
        "p99_ms": percentile(milliseconds, 99),
        "max_ms": max(milliseconds, default=None),
        "errors": errors[0],
        "non_2xx": errors[0],
    }


def load(args, target: Target, seconds: float) -> dict:
    if args.tool == "wrk":
        return run_wrk(args, target, seconds)
    return run_python_load(args, target, seconds)


def prime(args, target: Target) -> float:
    """One request per worker at once, without a time limit worth the name: every worker's
    per-process caches (stems, cached statistics) are filled before the load starts, as on a
    site that has been running. Returns the slowest of them (ms): the cold latency. A pool's
    addresses are taken from the pool, so that the measured requests do not meet them again."""
    times: list[float] = []
    if target.pool is None:
        paths = [target.path or "/"] * args.workers
    else:
        start = target.pool.start()
        paths = [
            target.pool.paths[(start + i) % len(target.pool.paths)] for i in range(args.workers)
        ]
        target.pool.consumed(args.workers)

    def one(path: str):
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=300)
            get(args, path, connection)
            connection.close()
        except (OSError, http.client.HTTPException):
            pass
        times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=one, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return max(times)


def measure_load(args, meter: CpuMeter, target: Target) -> dict:
    """Prime, warm up, drain, then load for args.duration: the figures and the CPU spent."""
    meter.drain()
    cold_ms = prime(args, target)
    load(args, target, args.warmup)
    waited = meter.drain()
    before = meter.sample()
    load_average = os.getloadavg()[0]
    start = target.pool.start() if target.pool else 0
    result = load(args, target, args.duration)
    # Requests still running when the load tool stopped belong to this scenario too.
    meter.drain()
    cpu = CpuMeter.spent(before, meter.sample())
    result.update(
        {
            "cpu_ms_per_request": round(cpu / max(result["requests"], 1) * 1000, 1),
            "load_average_1m": round(load_average, 2),
            "drained_after_warmup_s": round(waited, 1),
            "cold_ms_one_request_per_worker": round(cold_ms, 1),
        }
    )
    if target.pool is not None:
        result["distinct_addresses"] = target.pool.next - start
        result["repeats"] = target.pool.exhausted
    return result


# After a write ------------------------------------------------------------------------------------


class WritersExhausted(Exception):
    """Every writer has reused this case already (a case reused by most municipalities
    leaves fewer of them to write than --writes)."""


class Writes:
    """Adoptions recorded through the API, each by a municipality with a token (writers.py)
    for a case it has not reused: the next one for a given case, or for the next case."""

    def __init__(self, prepared: dict):
        self.writers = prepared["writers"]
        self.cases = prepared["cases"]
        self.most_reused = prepared["most_reused"]
        self.next_writer = 0
        self.next_case = 0
        self.used: set[tuple[int, int]] = set()

    def next(self, case: dict | None) -> tuple[dict, dict]:
        """(writer, case) for a new adoption; the case given, or the next unused one."""
        if case is None:
            case = self.cases[self.next_case % len(self.cases)]
            self.next_case += 1
        for _ in range(len(self.writers)):
            writer = self.writers[self.next_writer % len(self.writers)]
            self.next_writer += 1
            if (writer["organisation"], case["id"]) not in self.used:
                self.used.add((writer["organisation"], case["id"]))
                return writer, case
        raise WritersExhausted(case["id"])


def after_a_write(args, writes: Writes, scenario: Scenario, values: dict) -> dict:
    """Record an adoption through the API, then time one request of the scenario's address
    from a new connection (the next visitor), --writes times with a pause between them so
    that each visitor meets the state the write left. The p95 is over those visitors."""
    visitors: list[float] = []
    write_times: list[float] = []
    errors = 0
    for _ in range(args.writes):
        most_reused = "{most_reused_slug}" in scenario.path
        try:
            writer, case = writes.next(writes.most_reused if most_reused else None)
        except WritersExhausted:
            log(f"{scenario.name}: every writer has reused the case: {len(visitors)} writes")
            break
        started = time.perf_counter()
        status, body = post_json(
            args,
            WRITE_PATH.format(case_id=case["id"]),
            {"organisation": writer["organisation"], "mode": "adapted", "channel": "platform"},
            writer["token"],
        )
        write_times.append((time.perf_counter() - started) * 1000)
        if status != 201:
            errors += 1
            log(f"{scenario.name}: the write answered {status}: {body[:200]!r}")
        path = scenario.path.format(**values, written_slug=case["slug"])
        started = time.perf_counter()
        status, _body = get(args, path)
        visitors.append((time.perf_counter() - started) * 1000)
        if status >= 400:
            errors += 1
        time.sleep(args.write_pause / 1000)
    return {
        "path": scenario.path.format(**values, written_slug="<written case>"),
        "requests": len(visitors),
        "rps": None,
        "p50_ms": percentile(visitors, 50),
        "p95_ms": percentile(visitors, 95),
        "p99_ms": percentile(visitors, 99),
        "max_ms": max(visitors, default=None),
        "write_p95_ms": percentile(write_times, 95),
        "errors": errors,
    }


# The change feed ----------------------------------------------------------------------------------


def full_sync(args, expected_entries: int) -> dict:
    """Follow the change feed from no cursor to the end; bounded in pages and time."""
    connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
    path = SYNC_PATH
    pages = entries = upserts = 0
    max_pages = expected_entries // 1000 * 2 + 20
    started = time.monotonic()
    slowest_page = 0.0
    while pages < max_pages and time.monotonic() - started < args.sync_limit:
        page_started = time.monotonic()
        status, body = get(args, path, connection)
        slowest_page = max(slowest_page, time.monotonic() - page_started)
        if status != 200:
            raise RuntimeError(f"change feed answered {status} at {path}")
        page = json.loads(body)
        pages += 1
        entries += len(page["results"])
        upserts += sum(1 for entry in page["results"] if entry["action"] == "upsert")
        if not page["has_more"]:
            break
        path = f"{SYNC_PATH}&since={urllib.parse.quote(page['next_cursor'])}"
    connection.close()
    seconds = time.monotonic() - started
    complete = entries >= expected_entries
    return {
        "seconds": round(seconds, 1),
        "pages": pages,
        "entries": entries,
        "upserts": upserts,
        "complete": complete,
        # Stopped at the time limit: the whole sync at the pace measured so far.
        "projected_seconds": round(seconds * expected_entries / max(entries, 1), 1),
        "slowest_page_ms": round(slowest_page * 1000, 1),
        "mean_page_ms": round(seconds / max(pages, 1) * 1000, 1),
    }


# Memory -------------------------------------------------------------------------------------------


def worker_memory(master: int) -> dict:
    """The gunicorn workers' resident memory (RSS, and PSS: shared pages divided among the
    processes sharing them) in MB, the largest of each."""
    rss: list[float] = []
    pss: list[float] = []
    for pid in children_of(master):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    (rss if name == "Rss" else pss).append(int(rest.split()[0]) / 1024)
        except OSError:
            continue
    return {
        "workers": len(rss),
        "worker_rss_max_mb": round(max(rss), 1) if rss else None,
        "worker_pss_max_mb": round(max(pss), 1) if pss else None,
    }


def cache_memory(url: str | None, sample: int = 500) -> dict | None:
    """What the shared cache holds after the run: keys, memory, and the mean bytes of a key per
    kind (the text before the first colon past Django's prefix), from up to `sample` keys."""
    if url is None:
        return None
    client = redis.Redis.from_url(url)
    kinds: dict[str, list[int]] = {}
    for index, key in enumerate(client.scan_iter(count=200)):
        if index >= sample:
            break
        name = key.decode(errors="replace").split(":")
        # Django's keys are prefix:version:key; a key's kind is its first word or two.
        kind = ":".join(part for part in name[2:4] if part.isalpha()) or name[-1][:12]
        kinds.setdefault(kind, []).append(client.memory_usage(key) or 0)
    return {
        "keys": client.dbsize(),
        "used_memory_mb": round(client.info("memory")["used_memory"] / 2**20, 1),
        "bytes_per_key": {
            kind: {"sampled": len(sizes), "mean_bytes": round(sum(sizes) / len(sizes))}
            for kind, sizes in sorted(kinds.items())
        },
    }


# Report -------------------------------------------------------------------------------------------


def print_table(rows: list[dict], sync: dict | None, memory: dict) -> None:
    print()
    print(text_table(rows))
    if sync:
        queries = f"{fmt(sync.get('queries_small'))}/{fmt(sync.get('queries_full'))}"
        total = (
            f"total {sync['seconds']} s"
            if sync["complete"]
            else f"stopped after {sync['seconds']} s, projected total {sync['projected_seconds']} s"
        )
        print(
            f"{SYNC_NAME}: {total}, {sync['pages']} pages, {sync['entries']} entries "
            f"(mean page {sync['mean_page_ms']} ms, CPU {fmt(sync.get('cpu_ms_per_page'))} "
            f"ms/page); queries/page {queries}; target <{SYNC_TARGET_SECONDS} s: "
            f"{verdict(sync['meets'])}"
        )
    print(
        f"memory per worker: RSS {fmt(memory.get('worker_rss_max_mb'))} MB at most, PSS "
        f"{fmt(memory.get('worker_pss_max_mb'))} MB; goal {memory['goal']}: "
        f"{verdict(memory['met'])}"
    )
    print(f"queries per request the same on both datasets: {verdict(queries_constant(rows))}")
    print()


# The run ------------------------------------------------------------------------------------------


def ensure_wrk(args) -> None:
    """wrk, installed with apt-get when missing and this runs as root; otherwise the Python
    load generator, and a line that says how to get wrk."""
    if args.tool is not None:
        return
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk not found: apt-get install -y wrk")
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            check=False,
        )
    args.tool = "wrk" if shutil.which("wrk") else "python"
    if args.tool == "python":
        log("wrk not found: using the Python load generator (as root: apt-get install -y wrk)")


def copy_database(args, source: str, copy: str) -> None:
    """A copy of the dataset for the server: the after-a-write scenarios add adoptions, and the
    dataset must stay as built for the next run (CREATE DATABASE ... TEMPLATE copies files)."""
    admin = connect(args, "postgres")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    admin.close()


def drop_database(args, name: str) -> None:
    admin = connect(args, "postgres")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def prepare_writes(args, database: str) -> Writes:
    completed = subprocess.run(
        [str(PYTHON), str(BENCH / "writers.py"), str(args.writes), str(args.writes * 8)],
        cwd=ROOT,
        env=django_env(args, database),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return Writes(json.loads(completed.stdout.strip().splitlines()[-1]))


def build_pools(args, words: dict, counts: dict[str, int]) -> dict[tuple[str, str], Pool]:
    """One pool of new-query addresses per kind of address and band of words, each written to
    the file wrk reads. The mixed pool (common and rare words in turn) shares addresses with
    the others, but the 16-connection group that uses it runs after the writes, which changed
    the data version every cached search is keyed on."""
    pools = {}
    for kind in (PAGE, API):
        for band in ("common", "rare", "mixed"):
            chosen = words["common"] + words["rare"] if band == "mixed" else words[band]
            pool = Pool(query_paths(kind, chosen, counts, args.salt))
            pool_file(args, kind.variations_of, band).write_text("\n".join(pool.paths) + "\n")
            pools[kind.variations_of, band] = pool
    return pools


def pool_file(args, kind_name: str, band: str) -> Path:
    return BENCH / f".pool-{args.port}-{kind_name}-{band}.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--adoptions", type=int, default=300_000)
    parser.add_argument("--small-cases", type=int, default=1_000)
    parser.add_argument("--small-adoptions", type=int, default=3_000)
    parser.add_argument(
        "--small",
        action="store_true",
        help="serve and load the small dataset (no full one is built): a quick run",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--municipalities", type=Path, default=DEFAULT_REGISTRY)
    parser.add_argument("--database", default="innovasjon_bench")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--rebuild", action="store_true", help="build the datasets again")
    parser.add_argument("--duration", type=float, default=15, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds per scenario")
    parser.add_argument("--connections", type=int, default=2, help="concurrent requests")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--tool", choices=["wrk", "python"], default=None)
    parser.add_argument(
        "--writes", type=int, default=40, help="writes per after-a-write scenario (%(default)s)"
    )
    parser.add_argument(
        "--write-pause",
        type=float,
        default=200,
        help="ms between one after-a-write visitor and the next write (%(default)s)",
    )
    parser.add_argument(
        "--salt",
        type=int,
        default=None,
        help="orders the new-query addresses (default: random, so runs differ)",
    )
    parser.add_argument(
        "--redis",
        default=None,
        metavar="URL",
        help="Redis the workers share as their cache (REDIS_URL), emptied before the run "
        "(default redis://127.0.0.1:6379/<port %% 16>; 'none': each worker's own memory)",
    )
    parser.add_argument(
        "--sync-limit",
        type=float,
        default=2 * SYNC_TARGET_SECONDS,
        help="stop a full sync after this many seconds and project its total (%(default)s)",
    )
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    args = parser.parse_args()
    args.secret_key = secrets.token_urlsafe(48)
    if args.salt is None:
        args.salt = secrets.randbelow(1_000_000)
    ensure_wrk(args)
    started = time.monotonic()
    load_before = os.getloadavg()

    small_db = f"{args.database}_small"
    full_db = small_db if args.small else args.database
    datasets = {"small": ensure_dataset(args, small_db, args.small_cases, args.small_adoptions)}
    datasets["full"] = (
        datasets["small"]
        if args.small
        else ensure_dataset(args, full_db, args.cases, args.adoptions)
    )
    log("collectstatic")
    manage(args, small_db, "collectstatic", "--noinput", "-v0")
    log("choosing the new-query words from the small dataset")
    small = probe(args, small_db)
    chosen = pick_words(small["facts"]["word_matches"], small["facts"]["published_cases"])
    words = {"common": chosen[0], "rare": chosen[1]}
    log(f"{len(words['common'])} common words, {len(words['rare'])} rare words; salt {args.salt}")
    log("counting queries per request on the small and the full dataset")
    probe_words = [*words["common"], *words["rare"]]
    small = probe(args, small_db, probe_words)
    full = small if args.small else probe(args, full_db, probe_words)
    counts = full["facts"]["word_matches"]
    pools = build_pools(args, words, counts)

    served_db = f"{full_db}_run"
    log(f"{served_db}: a copy of {full_db} for the server (the writes change it)")
    copy_database(args, full_db, served_db)
    writes = prepare_writes(args, served_db)

    rows: list[dict] = []
    sync = None
    memory: dict = {}
    cache = None
    args.redis_url = prepare_cache(args)
    server = start_server(args, served_db)
    try:
        meter = CpuMeter(args, served_db, server.pid)
        for group, scenarios in GROUPS.items():
            for scenario in scenarios:
                if (
                    args.only
                    and args.only not in scenario.name
                    and not scenario.name.endswith("floor")
                ):
                    continue
                rows.append(run_scenario(args, meter, group, scenario, small, full, pools, writes))
        if not args.only or args.only in SYNC_NAME:
            log("change feed: full sync from no cursor")
            meter.drain()
            before = meter.sample()
            sync = full_sync(args, full["facts"]["change_entries"])
            cpu = CpuMeter.spent(before, meter.sample())
            sync["cpu_ms_per_page"] = round(cpu / max(sync["pages"], 1) * 1000, 1)
            sync.update(
                {
                    "queries_small": small["results"][SYNC_NAME]["queries"],
                    "queries_full": full["results"][SYNC_NAME]["queries"],
                    "meets": sync["seconds"] < SYNC_TARGET_SECONDS and sync["complete"],
                }
            )
        memory = worker_memory(server.pid)
        cache = cache_memory(args.redis_url)
    finally:
        stop_server(server)
        drop_database(args, served_db)
        for kind_name, band in pools:
            pool_file(args, kind_name, band).unlink(missing_ok=True)

    add_ratios(rows)
    memory.update(memory_row(memory.get("worker_rss_max_mb"), MEMORY_GOAL_MB))
    print_table(rows, sync, memory)
    connection = connect(args, "postgres")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgresql = cursor.fetchone()[0]
    connection.close()
    results = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "postgresql": postgresql,
            "python": platform.python_version(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "settings": {
            "tool": args.tool,
            "connections": args.connections,
            "connections_concurrent": CONCURRENCY,
            "workers": args.workers,
            "cache": args.redis_url or "per-process memory",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "writes": args.writes,
            "write_pause_ms": args.write_pause,
            "salt": args.salt,
            "served": "small" if args.small else "full",
        },
        "datasets": {
            "full": {
                "database": full_db,
                **datasets["full"],
                **full["facts"],
                **{k: v for k, v in full["values"].items() if k != "stats"},
            },
            "small": {"database": small_db, **datasets["small"], **small["facts"]},
        },
        "new_query_words": {band: {w: counts.get(w) for w in ws} for band, ws in words.items()},
        "scenarios": rows,
        "sync": sync,
        "memory": memory,
        "cache": cache,
        "queries_constant": queries_constant(rows),
        "readme_table": markdown_table(rows),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"written {RESULTS.relative_to(ROOT)} in {results['total_seconds']} s in all")


def run_scenario(args, meter, group, scenario, small, full, pools, writes) -> dict:
    """One row: the scenario measured the way its group measures."""
    row: dict = {"name": scenario.name, "group": group, "target_ms": scenario.target_ms}
    measured = full["results"].get(scenario.name)
    if measured and "skipped" in measured:
        log(f"{scenario.name}: skipped ({measured['skipped']})")
        return {**row, "skipped": measured["skipped"]}
    if "{stats}" in scenario.path and full["values"]["stats"] is None:
        return {**row, "skipped": "no URL named stats-dashboard on this site"}
    if group == "after a write":
        meter.drain()
        result = after_a_write(args, writes, scenario, full["values"])
    else:
        connections = {"asked again": 1, "16 connections": CONCURRENCY}.get(group, args.connections)
        if scenario.pool:
            kind_name, band = scenario.pool
            target = Target(
                None, connections, pools[scenario.pool], pool_file(args, kind_name, band)
            )
        else:
            target = Target(full["paths"][scenario.name], connections)
        result = measure_load(args, meter, target)
        result["path"] = target.describe()
    row.update(result)
    if measured:
        # A new query is asked once: its queries are those of the first request.
        key = "cold_queries" if scenario.pool else "queries"
        row.update(
            {
                "queries_small": small["results"][scenario.name].get(key),
                "queries_full": measured[key],
                "status": measured["status"],
                "sql_ms_single_request": measured["sql_ms"],
                "single_request_cold_ms": measured["cold_ms"],
                "single_request_warm_ms": measured["warm_ms"],
                "slowest_queries": measured["slowest"],
            }
        )
    if scenario.target_ms:
        row["meets"] = (
            result["p95_ms"] is not None
            and result["p95_ms"] < scenario.target_ms
            and not result["errors"]
        )
    log(
        f"{scenario.name}: {fmt(result.get('rps'))} req/s, p95 {fmt(result['p95_ms'])} ms"
        + (f", {result['errors']} errors" if result["errors"] else "")
        + (" (addresses repeated)" if result.get("repeats") else "")
    )
    return row


if __name__ == "__main__":
    main()
