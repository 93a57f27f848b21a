"""The upload page's check under several clerks at once: the dashboard process' memory.

`python bench/upload_memory.py --files 6 --mb 8` makes `--files` different daily reports
of about `--mb` MB each (CSV, a district's schools day after day), checks one of the same
size alone, then all of them from as many threads at once, as the upload page does for
as many clerks uploading together (schoolwh/pipeline/check.py `checked_upload`), and
again (every result kept: no file is checked twice). It prints one JSON line: the growth
of the process's peak resident set over the files already in memory, alone and together,
the checks run, and what the kept results hold. `--at-once N` overrides CHECKS_AT_ONCE
(to see what the bound saves). tests/test_upload.py runs it and holds the bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schoolwh.pipeline import check


def peak_mb() -> float:
    """The process's peak resident set so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def daily_report(seed: int, mb: float) -> bytes:
    """A district's daily lunch report of about `mb` MB: 9,000 schools a day."""
    lines = ["学校代码,日期,就餐人数,课后服务人数"]
    start = dt.date(2025, 9, 1)
    size, i = 0, 0
    while size < mb * 1024 * 1024:
        day = (start + dt.timedelta(days=i // 9000)).isoformat()
        line = f"41{seed:02d}05{i % 9000:04d},{day},{300 + i % 7},{i % 120}"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return "\n".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--mb", type=float, default=8.0)
    parser.add_argument("--at-once", type=int, default=None)
    parser.add_argument("--alone", action="store_true", help="check one file alone only")
    args = parser.parse_args()
    if args.at_once is not None:
        check._running = threading.BoundedSemaphore(args.at_once)
    files = [daily_report(seed, args.mb) for seed in range(args.files)]
    check.checked_upload("warm.csv", daily_report(99, 0.05))  # imports and first use
    base = peak_mb()
    if args.alone:  # in a thread of its own too, as a page's script runs
        alone = threading.Thread(target=check.checked_upload, args=("alone.csv", files[0]))
        alone.start()
        alone.join()
    else:
        threads = [
            threading.Thread(target=check.checked_upload, args=(f"clerk{i}.csv", data))
            for i, data in enumerate(files)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        runs = check.CHECK_RUNS["count"]
        for i, data in enumerate(files):  # every rerun of every page: kept results
            check.checked_upload(f"clerk{i}.csv", data)
        assert check.CHECK_RUNS["count"] == runs
    kept = list(check._kept.values())
    print(
        json.dumps(
            {
                "files": args.files,
                "mb": args.mb,
                "at_once": args.at_once or check.CHECKS_AT_ONCE,
                "alone": args.alone,
                "growth_mb": round(peak_mb() - base, 1),
                "checks_run": check.CHECK_RUNS["count"] - 1,
                "most_at_once": check.CHECK_RUNS["most_at_once"],
                "kept": len(kept),
                "kept_mb": round(sum(r.size for r in kept) / 2**20, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
