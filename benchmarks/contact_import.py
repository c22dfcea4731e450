"""How fast 100,000 contacts are checked and imported from CSV, and how much memory that takes.

Run from the repository root:

    .venv/bin/python benchmarks/contact_import.py [ROWS]

It uses a fresh SQLite file in a temporary folder, or the database of QALIBRATE_DATABASE_URL
(which should be an empty database made for the purpose).
"""

import csv
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
AGENTS = 30
CHANNELS = ["call", "chat", "email", "ticket"]
LANGUAGES = ["en", "ru", "sv"]


def peak_memory_mb() -> float:
    # ru_maxrss is the peak resident size of the process so far, in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_write(*, path: Path, rows: int) -> None:
    """Write the file row by row, so that the benchmark itself never holds it in memory."""
    start = datetime(2026, 1, 1, 8, 0)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        handle.write(
            "external_id,channel,agent_id,occurred_at,duration,language,subject,transcript,"
            "queue,crm_case\r\n"  # the csv module's line ending, as for the rows
        )
        for i in range(rows):
            writer.writerow(
                [
                    f"BENCH-{i:07d}",
                    CHANNELS[i % len(CHANNELS)],
                    f"A{i % AGENTS:03d}",
                    (start + timedelta(minutes=7 * i)).strftime("%Y-%m-%d %H:%M"),
                    f"{i % 20}:{i % 60:02d}",
                    LANGUAGES[i % len(LANGUAGES)],
                    f"Question number {i} about the bill",
                    "Agent: Good morning, how can I help?\nCustomer: My bill is wrong.",
                    f"Queue {i % 5}",
                    f"CASE-{i}",
                ]
            )


def timed(label: str, rows: int, run) -> None:
    began = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - began
    print(
        f"{label}: {rows} rows in {seconds:.1f} s = {rows / seconds:.0f} rows/s"
        f" (creates {report.creates}, updates {report.updates}, problems {report.error_count});"
        f" peak memory {peak_memory_mb():.0f} MB"
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="qalibrate-bench-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "qalibrate.settings"
    os.environ["QALIBRATE_DATA_DIR"] = str(folder / "data")
    sys.path.insert(0, str(REPOSITORY))
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from qalibrate.accounts.models import Agent, Team
        from qalibrate.contacts.import_files import file_apply, file_check

        call_command("migrate", verbosity=0)
        team = Team.objects.create(name="Benchmark team")
        Agent.objects.bulk_create(
            Agent(full_name=f"Agent {n}", employee_id=f"A{n:03d}", team=team) for n in range(AGENTS)
        )
        path = folder / "contacts.csv"
        csv_write(path=path, rows=rows)
        print(f"database: {connection.vendor}; file: {path.stat().st_size / 2**20:.1f} MB")
        print(f"peak memory before: {peak_memory_mb():.0f} MB")

        with path.open("rb") as handle:
            timed("check", rows, lambda: file_check(file=handle, filename=path.name))
        with path.open("rb") as handle:
            timed("apply", rows, lambda: file_apply(file=handle, filename=path.name))
        with path.open("rb") as handle:
            timed("apply again", rows, lambda: file_apply(file=handle, filename=path.name))
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
