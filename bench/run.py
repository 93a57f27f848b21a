"""`make bench`: how fast schoolwh loads and serves a city and a province.

Steps, all in one run (about 15-25 minutes on 2 cores):
1. generate `--clean` samples: a city (1,300 schools) and a province (20,000 schools,
   two calendar years of school days), and one more school day for every reporting school; and the
   same city and province as bureaus send them (`schoolwh generate`'s default: XLSX with
   titles, GBK CSV, 万元, notes and summary rows);
2. the floor of each: plain DuckDB reading the same CSV files (explicit types) plus one
   query computing the term KPIs (bench/floor.sql), checked against the marts;
3. a full `schoolwh load` of each into a new warehouse, in a child process: wall time,
   CPU time, peak memory (the child's maximum resident set) and the stage timings the
   loader writes when SCHOOLWH_TIMINGS names a file;
4. an incremental load: the extra day into the province warehouse;
4b. a cold full load of each bureau-shaped sample into a new warehouse (beside the clean
   CSV load of the same place);
5. every dashboard page's queries on the province warehouse (p50 / p95 over repeated
   runs, each on a newly opened read-only connection);
6. every dashboard page in headless Chromium on the city warehouse (bench/pages.py): the
   first page from opening the address, every other page from a click in the sidebar,
   until it is fully drawn (medians over a few rounds);
7. the briefing buttons (PNG, PDF, PPTX) of the overview and district pages on the city
   warehouse.
It prints a table, writes bench/results.json and refreshes the figures in
bench/RESULTS.md (between its `bench:results` markers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

WORK = BENCH_DIR / "work"
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
MD_START, MD_END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
STAGES = ("read_normalise", "land", "gx_batch", "dbt_build", "gx_marts", "publish", "data_docs")
GB = 1024**3

# (key, what, target, unit): a figure meets its target when it is at most the target
TARGETS = (
    ("province_full_s", "Province full load", 60.0, "s"),
    ("province_floor_ratio", "Province full load ÷ floor", 4.0, "×"),
    ("city_full_s", "City full load", 20.0, "s"),
    ("province_incremental_s", "Province incremental day", 15.0, "s"),
    ("dashboard_worst_p95_ms", "Slowest dashboard query p95", 200.0, "ms"),
    ("province_peak_gb", "Peak memory, province loads", 4.0, "GB"),
    ("city_bureau_s", "City bureau-shaped full load, cold", 20.0, "s"),
    ("city_bureau_ratio", "City bureau-shaped ÷ clean CSV load", 1.5, "×"),
    ("province_bureau_s", "Province bureau-shaped full load, cold", 90.0, "s"),
    ("browser_first_page_s", "Dashboard first page drawn (Chromium, city)", 3.0, "s"),
    ("browser_click_worst_s", "Slowest page drawn after a click (median, city)", 1.0, "s"),
    ("browser_cold_first_page_s", "First page of a freshly started server (city)", 3.0, "s"),
    ("browser_login_s", "登录 → overview drawn (Chromium, city, fresh server)", 3.0, "s"),
    ("check_week_s", "`schoolwh check`, one district's week of daily rows", 3.0, "s"),
    ("briefing_button_worst_s", "Slowest briefing button (PNG, PDF, PPTX; city)", 10.0, "s"),
)


# --- machine ------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024 / GB
    except OSError:
        pass
    return float("nan")


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"') + f" (kernel {platform.release()})"
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


def machine() -> dict[str, Any]:
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(_ram_gb(), 1),
        "cpu": _cpu_model(),
        "os": _os_name(),
        "python": platform.python_version(),
        "duckdb": _version("duckdb"),
        "dbt-core": _version("dbt-core"),
        "dbt-duckdb": _version("dbt-duckdb"),
        "polars": _version("polars"),
        "great-expectations": _version("great-expectations"),
    }


# --- child processes ----------------------------------------------------------------------


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants now (Linux /proc; 0 elsewhere)."""
    total, pending = 0, [pid]
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    pending += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_child(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command; wall seconds, CPU seconds, peak memory and exit code.

    Peak memory is the larger of the biggest single process (the kernel's maximum
    resident set over the child and its descendants) and the sum over the process tree
    sampled every 50 ms (a load builds in a second process at the same time).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    peak = {"tree": 0}
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak["tree"] = max(peak["tree"], _tree_rss(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    single = usage.ru_maxrss * 1024  # kilobytes on Linux
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_bytes": max(single, peak["tree"]),
        "peak_single_process_bytes": single,
        "peak_tree_sampled_bytes": peak["tree"],
        "exit_code": child.returncode,
        "load_average_before": load_before,
        "log": str(log.relative_to(PROJECT_ROOT)),
    }


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "schoolwh.cli", *args]


def generate(name: str, schools: int, bureau: bool = False) -> dict[str, Any]:
    """A clean CSV sample (`--clean`), or with `bureau` the same place as bureaus send it."""
    folder = WORK / name / ("bureau_inbox" if bureau else "inbox")
    if folder.exists():
        shutil.rmtree(folder)
    args = ["generate", str(folder), "--schools", str(schools)]
    run = run_child(
        _cli(*args) if bureau else _cli(*args, "--clean"),
        WORK / "logs" / f"generate_{name}{'_bureau' if bureau else ''}.log",
    )
    if run["exit_code"] != 0:
        raise SystemExit(f"generating the {name} sample failed: see {run['log']}")
    files = sorted(f for f in folder.iterdir() if f.suffix in (".csv", ".xlsx"))
    participation = [f for f in files if f.name.startswith("participation_")]
    return {
        "folder": str(folder.relative_to(PROJECT_ROOT)),
        "schools": schools,
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "participation_rows": sum(_data_lines(f) for f in participation),
        "seconds": run["seconds"],
    }


def _data_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1


def extra_day(inbox: Path, out_dir: Path) -> dict[str, Any]:
    """One more school day for every school that reported on the sample's last day: the
    rows of that day again, dated the first Monday after it."""
    import polars as pl

    latest = max(inbox.glob("participation_*.csv"))
    frame = pl.read_csv(latest, schema_overrides={"school_code": pl.String, "date": pl.Date})
    last = frame["date"].max()
    day = last + dt.timedelta(days=7 - last.weekday())
    rows = frame.filter(pl.col("date") == last).with_columns(pl.lit(day).alias("date"))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    target = out_dir / f"participation_{day.isoformat()}.csv"
    rows.write_csv(target, date_format="%Y-%m-%d")
    return {"date": day.isoformat(), "rows": rows.height, "file": str(target.name)}


def floor(name: str) -> dict[str, Any]:
    inbox = WORK / name / "inbox"
    db = WORK / name / "floor.duckdb"
    run = run_child(
        [sys.executable, str(BENCH_DIR / "floor.py"), str(inbox), str(db)],
        WORK / "logs" / f"floor_{name}.log",
    )
    if run["exit_code"] != 0:
        raise SystemExit(f"the {name} floor failed: see {run['log']}")
    inner = json.loads(Path(PROJECT_ROOT / run["log"]).read_text().strip().splitlines()[-1])
    return {**run, "statements": inner["statements"], "inner_seconds": inner["seconds"]}


def _parse_cached(warehouse: Path) -> bool | None:
    """Whether dbt's saved parse of this project version exists (a load without it parses
    the whole project first: several seconds; it is kept per project version, not per
    warehouse path)."""
    try:
        from schoolwh.pipeline.dbt_runner import _parse_cache, _project_key

        return (_parse_cache(_project_key(None)) / "partial_parse.msgpack").is_file()
    except (ImportError, AttributeError, TypeError):
        return None


_PARSE = """
import json, sys, time
from pathlib import Path
from schoolwh.pipeline.dbt_runner import ENV_DBT_PATH, run_dbt
path = str(Path(sys.argv[1]).resolve())
started = time.perf_counter()
result = run_dbt(["parse"], env={ENV_DBT_PATH: path}, cache_key=path)
print(json.dumps({"seconds": time.perf_counter() - started, "success": result.success}))
"""


def warm_dbt_parse(name: str, warehouse: Path) -> dict[str, Any]:
    """Parse the dbt project before the timed loads.

    dbt's parse is kept per project version (schoolwh/pipeline/dbt_runner.py), whatever
    the warehouse path: only the first load after the project changes parses it whole.
    Parsing ahead makes the timed loads show the time of every later load; the parse
    itself is reported.
    """
    from schoolwh.pipeline.publish import BuildCopy

    warehouse.parent.mkdir(parents=True, exist_ok=True)
    copy = BuildCopy(warehouse.resolve()).path
    cached = _parse_cached(warehouse)
    run = run_child(
        [sys.executable, "-c", _PARSE, str(copy)], WORK / "logs" / f"dbt_parse_{name}.log"
    )
    inner = json.loads((PROJECT_ROOT / run["log"]).read_text().strip().splitlines()[-1])
    return {"saved_before": cached, "parse_seconds": inner["seconds"], "ok": inner["success"]}


def load(name: str, folder: Path, warehouse: Path, fresh: bool) -> dict[str, Any]:
    if fresh and warehouse.parent.exists():
        shutil.rmtree(warehouse.parent)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    parse_cached = _parse_cached(warehouse)
    timings = WORK / "logs" / f"timings_{name}.json"
    timings.unlink(missing_ok=True)
    env = {**os.environ, "SCHOOLWH_TIMINGS": str(timings)}
    run = run_child(
        _cli("load", str(folder), "--warehouse", str(warehouse)),
        WORK / "logs" / f"load_{name}.log",
        env,
    )
    record = json.loads(timings.read_text()) if timings.is_file() else {}
    stages = record.get("timings", {})
    return {
        **run,
        "published": record.get("published", False),
        "rows_landed": record.get("rows_landed"),
        "stages": {s: stages[s] for s in STAGES if s in stages},
        "stages_cpu": record.get("cpu", {}),
        "load_seconds": stages.get("total"),
        "dbt_parse_cached": parse_cached,
        # interpreter start, imports, finding files, the report: the rest of the process
        "other": max(run["seconds"] - stages.get("total", run["seconds"]), 0.0),
        "warehouse_bytes": warehouse.stat().st_size if warehouse.exists() else None,
    }


def floor_agreement(floor_db: Path, warehouse: Path) -> dict[str, Any]:
    """How far the floor's term KPIs are from the warehouse's (they compute the same; the
    marts publish each figure rounded to 6 decimals, dbt/macros/kpi_rules.sql, so the
    floor's figure is rounded the same way before the comparison)."""
    import duckdb

    con = duckdb.connect(str(floor_db), read_only=True)
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        row = con.execute(
            """
            select
                count(*),
                count(*) filter (where k.kpi is null),
                count(*) filter (where (f.value is null) <> (k.value is null)),
                coalesce(max(abs(round(f.value, 6) - k.value)), 0)
            from term_kpis f
            left join (
                select district_code, period as term, kpi, value
                from wh.marts.kpi_district where period_type = 'term'
                union all
                select null, period, kpi, value from wh.marts.kpi_overall
                where period_type = 'term'
            ) k
                on k.kpi = f.kpi and k.term = f.term
                and coalesce(k.district_code, '') = coalesce(f.district_code, '')
            """
        ).fetchone()
    finally:
        con.close()
    rows, missing, null_mismatch, max_diff = row
    return {
        "rows": rows,
        "missing_in_marts": missing,
        "null_mismatch": null_mismatch,
        "max_abs_diff": max_diff,
        "agree": missing == 0 and null_mismatch == 0 and max_diff < 1e-9,
    }


def check_week(inbox: Path, out_dir: Path) -> dict[str, Any]:
    """`schoolwh check` on one district's week of daily rows (a clerk's upload), cut from
    the city sample's daily file: the whole command, interpreter start included."""
    import polars as pl

    first = min(inbox.glob("participation_*.csv"))
    rows = pl.read_csv(first, schema_overrides={"school_code": pl.String, "date": pl.Date})
    district = rows["school_code"].str.slice(0, 6).mode()[0]
    week = sorted(rows["date"].unique())[:7]
    part = rows.filter(pl.col("school_code").str.starts_with(district) & pl.col("date").is_in(week))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "week.csv"
    part.write_csv(target, date_format="%Y-%m-%d")
    run = run_child(_cli("check", str(target)), WORK / "logs" / "check_week.log")
    return {**run, "rows": part.height, "district": district}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def browser_pages(warehouse: Path, rounds: int) -> dict[str, Any]:
    """Every dashboard page in headless Chromium on a warehouse (bench/pages.py); a failure
    is reported in the results instead of ending the run."""
    from pages import report_browser_times, time_pages_in_browser

    try:
        result = time_pages_in_browser(warehouse.resolve(), rounds, port=_free_port())
    except Exception as exc:  # the other figures still count
        print(f"the dashboard in Chromium was not measured: {exc}", file=sys.stderr)
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    print(report_browser_times(result), flush=True)
    return {**result, "rounds": rounds}


def browser_login(warehouse: Path, rounds: int) -> dict[str, Any]:
    """A fresh server with an account: health check, login form, 登录 → overview
    (bench/pages.py); a failure is reported in the results instead of ending the run."""
    from pages import report_login_times, time_login_in_browser

    try:
        result = time_login_in_browser(warehouse.resolve(), rounds, port=_free_port())
    except Exception as exc:  # the other figures still count
        print(f"the login was not measured: {exc}", file=sys.stderr)
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    print(report_login_times(result), flush=True)
    return result


def briefing_buttons(warehouse: Path) -> dict[str, Any]:
    """The PNG/PDF/PPTX buttons' files (bench/pages.py); a failure is reported in the
    results instead of ending the run."""
    from pages import time_briefing_buttons

    try:
        result = time_briefing_buttons(warehouse.resolve())
    except Exception as exc:  # the other figures still count
        print(f"the briefing buttons were not measured: {exc}", file=sys.stderr)
        return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    for what, seconds in result["seconds"].items():
        print(f"  {what}: {seconds:.1f} s (≤ {result['target_s']:.0f} s)", flush=True)
    return result


# --- report -------------------------------------------------------------------------------


def summary(results: dict[str, Any]) -> dict[str, float | None]:
    loads, floors = results["loads"], results["floors"]
    pages = results.get("dashboard", {})
    browser = results.get("browser", {})
    p95s = [v["p95_ms"] for page in pages.values() for v in page["queries"].values()]
    prov = loads.get("province_full", {})
    inc = loads.get("province_incremental", {})
    peaks = [r["peak_rss_bytes"] for r in (prov, inc) if r]
    return {
        "province_full_s": prov.get("seconds"),
        "province_floor_ratio": (
            prov["seconds"] / floors["province"]["seconds"]
            if prov and "province" in floors
            else None
        ),
        "city_full_s": loads.get("city_full", {}).get("seconds"),
        "province_incremental_s": inc.get("seconds"),
        "dashboard_worst_p95_ms": max(p95s) if p95s else None,
        "province_peak_gb": max(peaks) / GB if peaks else None,
        "city_bureau_s": loads.get("city_bureau_full", {}).get("seconds"),
        "city_bureau_ratio": (
            loads["city_bureau_full"]["seconds"] / loads["city_full"]["seconds"]
            if "city_bureau_full" in loads and "city_full" in loads
            else None
        ),
        "province_bureau_s": loads.get("province_bureau_full", {}).get("seconds"),
        "browser_first_page_s": browser.get("first_page_s"),
        "browser_click_worst_s": (
            max(browser["after_click_s"].values()) if browser.get("after_click_s") else None
        ),
        "browser_cold_first_page_s": browser.get("first_page_cold_s"),
        "browser_login_s": results.get("login", {}).get("login_to_page_s"),
        "check_week_s": results.get("check_week", {}).get("seconds"),
        "briefing_button_worst_s": results.get("briefing_buttons", {}).get("worst_s"),
    }


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    values = summary(results)
    rows = []
    for key, what, target, unit in TARGETS:
        value = values[key]
        rows.append(
            {
                "key": key,
                "what": what,
                "value": value,
                "target": target,
                "unit": unit,
                "met": None if value is None else value <= target,
            }
        )
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value:.0f} ms"
    if unit == "×":
        return f"{value:.1f}×"
    if unit == "GB":
        return f"{value:.2f} GB"
    return f"{value:.1f} s"


def _mark(met: bool | None) -> str:
    return "-" if met is None else ("✓" if met else "✗")


def _load_text(results: dict[str, Any]) -> str:
    def three(values: Any) -> str:
        return " / ".join(f"{v:.2f}" for v in values) if isinstance(values, list) else "-"

    before = results.get("load_averages_before")
    if before is None:
        return f"Load average before the run: {results['load_average_before']:.1f}."
    return (
        f"Load averages (1 / 5 / 15 min) before the run: {three(before)}; after: "
        f"{three(results.get('load_averages_after'))}."
    )


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Run on {results['date']} — {m['nproc']} cores, {m['ram_gb']} GB RAM, {m['cpu']}; "
        f"{m['os']}; Python {m['python']}, DuckDB {m['duckdb']}, dbt-core {m['dbt-core']} "
        f"(dbt-duckdb {m['dbt-duckdb']}), polars {m['polars']}, great-expectations "
        f"{m['great-expectations']}. {_load_text(results)}",
        "",
        "| Figure | Value | Target | |",
        "| --- | ---: | ---: | :-: |",
    ]
    for v in verdicts(results):
        lines.append(
            f"| {v['what']} | {_fmt(v['value'], v['unit'])} | ≤ {_fmt(v['target'], v['unit'])} "
            f"| {_mark(v['met'])} |"
        )
    lines += [
        "",
        "Loads: wall seconds per stage. `gx_batch` validates the batch while `dbt_build` "
        "runs (dbt works in a child process), so the stages add up to more than the total; "
        "`other` is starting Python and the report. CPU: user + system seconds of the load "
        "and its build process; peak: resident memory of the load's processes together "
        "(sampled every 50 ms), or of its largest process if that is more.",
        "",
    ]
    header = ["load", "rows", "total", *STAGES, "other", "CPU", "peak"]
    lines += ["| " + " | ".join(header) + " |", "|" + " ---: |" * len(header)]
    for name, r in results["loads"].items():
        cells = [
            name,
            f"{r['rows_landed'] or 0:,}",
            f"{r['seconds']:.1f}",
            *(f"{r['stages'][s]:.1f}" if s in r["stages"] else "-" for s in STAGES),
            f"{r['other']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['peak_rss_bytes'] / GB:.2f} GB",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    parses = results.get("dbt_parse", {})
    if parses:
        cold = [n for n, p in parses.items() if not p.get("saved_before")]
        text = ", ".join(f"{n} {p['parse_seconds']:.1f} s" for n, p in parses.items())
        lines += [
            "",
            "dbt's parse is kept per project version: the bench parses before the timed loads "
            f"(parse: {text}; "
            + (
                f"no parse was saved before for {', '.join(cold)}: a first load after the "
                "project changed takes that much longer"
                if cold
                else "a parse was saved by an earlier run"
            )
            + ").",
        ]
    lines += [
        "",
        "Floor (plain DuckDB: read the CSV files with explicit types, one KPI query):",
        "",
    ]
    lines += ["| sample | floor | read CSV | KPI query | full load ÷ floor | KPIs agree |"]
    lines += ["| --- | ---: | ---: | ---: | ---: | :-: |"]
    for name, f in results["floors"].items():
        read = sum(v for k, v in f["statements"].items() if k != "term_kpis")
        full = results["loads"].get(f"{name}_full", {}).get("seconds")
        ratio = f"{full / f['seconds']:.1f}×" if full else "-"
        agree = f.get("agreement", {})
        ok = _mark(agree.get("agree")) if agree else "-"
        lines.append(
            f"| {name} | {f['seconds']:.1f} s | {read:.1f} s | "
            f"{f['statements'].get('term_kpis', 0):.2f} s | {ratio} | {ok} |"
        )
    pages = results.get("dashboard", {})
    if pages:
        lines += [
            "",
            f"Dashboard on the province warehouse ({results['dashboard_repeat']} runs of each "
            "query, each on a newly opened read-only connection):",
            "",
            "| page | queries | slowest query (p95) | p95 | page total p50 |",
            "| --- | ---: | --- | ---: | ---: |",
        ]
        for page, r in pages.items():
            label, worst = max(r["queries"].items(), key=lambda kv: kv[1]["p95_ms"])
            lines.append(
                f"| {page} | {len(r['queries'])} | {label} | {worst['p95_ms']:.0f} ms | "
                f"{r['page_p50_ms']:.0f} ms |"
            )
    browser = results.get("browser", {})
    if browser.get("after_click_s"):
        lines += [
            "",
            f"Dashboard in headless Chromium on the city warehouse ({browser['rounds']} rounds, "
            "medians): seconds until the page is fully drawn (its title shown, the script "
            "finished, every chart drawn); the first page from opening the address, the others "
            "from a click on their entry in the sidebar, made once the page before is at rest "
            "(the browser answering timers on time for 300 ms; the first page is at rest "
            f"{browser.get('first_page_settled_s', float('nan')):.2f} s after opening it):",
            "",
            "| page | drawn after | target | |",
            "| --- | ---: | ---: | :-: |",
            f"| overview (first page) | {browser['first_page_s']:.2f} s | "
            f"≤ {browser['targets']['first_page_s']:.1f} s | {_mark(browser['first_page_ok'])} |",
        ]
        limit = browser["targets"]["after_click_s"]
        for page, seconds in browser["after_click_s"].items():
            lines.append(
                f"| {page} (click) | {seconds:.2f} s | ≤ {limit:.1f} s | "
                f"{_mark(seconds <= limit)} |"
            )
    elif browser.get("error"):
        lines += ["", f"Dashboard in Chromium: not measured ({browser['error']})."]
    buttons = results.get("briefing_buttons", {})
    if buttons.get("seconds"):
        lines += [
            "",
            "The briefing buttons on the city warehouse (latest term; the district page: its "
            "first district), seconds from the click to the file:",
            "",
            "| page and file | made in | target | |",
            "| --- | ---: | ---: | :-: |",
        ]
        for what, seconds in buttons["seconds"].items():
            lines.append(
                f"| {what} | {seconds:.1f} s | ≤ {buttons['target_s']:.0f} s | "
                f"{_mark(seconds <= buttons['target_s'])} |"
            )
    elif buttons.get("error"):
        lines += ["", f"Briefing buttons: not measured ({buttons['error']})."]
    return "\n".join(lines)


def print_table(results: dict[str, Any]) -> None:
    print()
    print(markdown(results))
    print()


def update_results_md(results: dict[str, Any]) -> None:
    block = f"{MD_START}\n{markdown(results)}\n{MD_END}"
    if RESULTS_MD.exists():
        text = RESULTS_MD.read_text(encoding="utf-8")
        if MD_START in text and MD_END in text:
            head, rest = text.split(MD_START, 1)
            tail = rest.split(MD_END, 1)[1]
            RESULTS_MD.write_text(head + block + tail, encoding="utf-8")
            return
    RESULTS_MD.write_text(f"# Benchmark results\n\n{block}\n", encoding="utf-8")


# --- main ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city-schools", type=int, default=1300)
    parser.add_argument("--province-schools", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each dashboard query")
    parser.add_argument(
        "--browser-rounds", type=int, default=5, help="rounds of the dashboard in Chromium"
    )
    parser.add_argument(
        "--city-only", action="store_true", help="only the city sample (no province steps)"
    )
    parser.add_argument(
        "--no-markdown", action="store_true", help="do not refresh bench/RESULTS.md"
    )
    args = parser.parse_args(argv)

    def step(text: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)

    results: dict[str, Any] = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": os.getloadavg()[0],
        "load_averages_before": [round(v, 2) for v in os.getloadavg()],
        "datasets": {},
        "floors": {},
        "loads": {},
    }
    WORK.mkdir(parents=True, exist_ok=True)
    places = [("city", args.city_schools)]
    if not args.city_only:
        places.append(("province", args.province_schools))
    for name, schools in places:
        step(f"generating the {name} sample ({schools:,} schools)")
        results["datasets"][name] = generate(name, schools)
        step(f"generating the {name} sample as bureaus send it")
        results["datasets"][f"{name}_bureau"] = generate(name, schools, bureau=True)
    day_dir = WORK / "province" / "day"
    if not args.city_only:
        step("writing one more school day for the province")
        results["datasets"]["province_day"] = extra_day(WORK / "province" / "inbox", day_dir)

    results["dbt_parse"] = {}
    for name, _ in places:
        warehouse = WORK / name / "wh" / "warehouse.duckdb"
        if warehouse.parent.exists():
            shutil.rmtree(warehouse.parent)
        step(f"dbt parse before the {name} loads (kept per project version)")
        results["dbt_parse"][name] = warm_dbt_parse(name, warehouse)
        step(f"floor: {name}")
        results["floors"][name] = floor(name)
        step(f"full load: {name}")
        results["loads"][f"{name}_full"] = load(
            f"{name}_full", WORK / name / "inbox", warehouse, False
        )
        results["floors"][name]["agreement"] = floor_agreement(
            WORK / name / "floor.duckdb", WORK / name / "wh" / "warehouse.duckdb"
        )
        step(f"full load, bureau-shaped, cold: {name}")
        results["loads"][f"{name}_bureau_full"] = load(
            f"{name}_bureau_full",
            WORK / name / "bureau_inbox",
            WORK / name / "bureau_wh" / "warehouse.duckdb",
            True,
        )
        if name == "city":
            step("schoolwh check on one district's week of daily rows")
            results["check_week"] = check_week(WORK / name / "inbox", WORK / name / "check")
            step(f"dashboard in Chromium on the city warehouse ({args.browser_rounds} rounds)")
            results["browser"] = browser_pages(warehouse, args.browser_rounds)
            step("a fresh server with an account: login form, 登录 → overview (city)")
            results["login"] = browser_login(warehouse, min(args.browser_rounds, 3))
            step("the briefing buttons of the overview and district pages (city)")
            results["briefing_buttons"] = briefing_buttons(warehouse)
    if not args.city_only:
        step("incremental load: one more day into the province warehouse")
        results["loads"]["province_incremental"] = load(
            "province_incremental", day_dir, WORK / "province" / "wh" / "warehouse.duckdb", False
        )
        step(f"dashboard queries on the province warehouse ({args.repeat} runs each)")
        from pages import time_pages

        province_wh = WORK / "province" / "wh" / "warehouse.duckdb"
        results["dashboard"] = time_pages(province_wh, args.repeat)
        results["dashboard_repeat"] = args.repeat
    results["load_averages_after"] = [round(v, 2) for v in os.getloadavg()]
    results["verdicts"] = verdicts(results)
    results["bench_peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    RESULTS_JSON.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print_table(results)
    if not args.no_markdown:
        update_results_md(results)
    step(f"wrote {RESULTS_JSON.relative_to(PROJECT_ROOT)}")
    failed = [r for r in results["loads"].values() if r["exit_code"] not in (0,)]
    for r in failed:
        print(f"a load exited with code {r['exit_code']}: see {r['log']}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
