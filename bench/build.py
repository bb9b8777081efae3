"""Build the benchmark's dataset in the database of DATABASE_URL and say what it cost.

Run by bench/run.py (with the bench's environment): calls `generate_synthetic` and prints one
JSON line with the wall time and the CPU time of this process and of its PostgreSQL backend.
The CPU figures matter on a shared machine: their sum is what the load costs when nothing else
runs (the two take turns: Python prepares a batch, PostgreSQL writes it).
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process on this machine (None if not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> None:
    cases, adoptions, seed, registry = sys.argv[1:5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_before = process_cpu(backend)
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    call_command(
        "generate_synthetic",
        cases=int(cases),
        adoptions=int(adoptions),
        seed=int(seed),
        municipalities=Path(registry),
        verbosity=2,
        stdout=sys.stderr,
    )
    wall = time.monotonic() - started
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    backend_after = process_cpu(backend)
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    database = (
        backend_after - backend_before
        if backend_before is not None and backend_after is not None
        else None
    )
    print(
        json.dumps(
            {
                "wall_seconds": round(wall, 1),
                "python_cpu_seconds": round(own, 1),
                "postgresql_cpu_seconds": round(database, 1) if database is not None else None,
                "load_average": os.getloadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
