"""Data Docs: HTML pages of a load's quality checks, built after the publish.

`build_data_docs` takes the `CheckRun`s that `check_batch` and `check_marts` returned
(they keep GX's validation results in memory) and writes into `out_dir`:

- `index.html` — a self-contained bilingual summary of every check (no scripts, no
  external assets: it reads the same offline), failures first, with the example rows
  and a link to each suite's GX page;
- `gx/` — GX's own Data Docs site (validation pages per suite, expectation suites).
  GX's pages take Bootstrap, jQuery and icons from public CDNs. The validation pages
  are rendered on the server, so offline they are unstyled but complete; GX's own
  `gx/index.html` lists its pages with JavaScript from a CDN and is empty offline,
  which is why `index.html` above is the entry point.

The folder is rebuilt whole for each load (built beside it, then swapped in), so it
always shows one load; the history of results is in `audit.dq_results`.
"""

from __future__ import annotations

import html
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from expectations.runner import CheckRun, new_context
from schoolwh.core.atomic import replace_folder
from schoolwh.core.audit import CheckResult

SITE_NAME = "schoolwh"
GX_DIR = "gx"


class DataDocsError(RuntimeError):
    """The Data Docs folder could not be written (the message says where and why)."""


def build_data_docs(runs: Iterable[CheckRun], out_dir: Path) -> Path:
    """Write the Data Docs of these check runs into out_dir; return its index.html.

    Raises DataDocsError when the folder cannot be written; the published warehouse is
    never touched, so a caller can report the message and carry on.
    """
    runs = [r for r in runs if r is not None]
    out_dir = Path(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        pages = _build_gx_site(runs, tmp / GX_DIR)
        (tmp / "index.html").write_text(render_index(runs, pages), encoding="utf-8")
        replace_folder(tmp, out_dir)
    except OSError as exc:
        raise DataDocsError(
            f"无法写入数据质量报告 / cannot write the Data Docs to {out_dir}: {exc}"
        ) from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out_dir / "index.html"


def _build_gx_site(runs: list[CheckRun], site_dir: Path) -> dict[tuple[str, str], str]:
    """GX's Data Docs for every kept validation; returns (stage, suite) -> page path."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    validations = [(run, v) for run in runs for v in run.validations]
    if not validations:
        return {}
    context = new_context()
    context.add_data_docs_site(
        site_name=SITE_NAME,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(site_dir),
            },
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "show_cta_footer": False,
            },
        },
    )
    added: set[str] = set()
    keys = set()
    for run, v in validations:
        if v.suite not in added:
            expectations = []
            for r in v.result.results:
                expectation = r.expectation_config.to_domain_obj()
                expectation.id = None  # a copy: it joins this context's suite afresh
                expectations.append(expectation)
            context.suites.add(gx.ExpectationSuite(name=v.suite, expectations=expectations))
            added.add(v.suite)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=v.suite),
            run_id=RunIdentifier(run_name=f"load-{run.load_id}", run_time=run.run_time),
            batch_identifier=run.stage,
        )
        v.result.meta["run_id"] = key.run_id  # GX's pages show the run name and time
        context.validation_results_store.set(key, v.result)
        keys.add((run.stage, v.suite, run.load_id))
    context.build_data_docs(site_names=[SITE_NAME])
    for page in site_dir.rglob("*.html"):
        _add_offline_fallback(page)
    pages = {}
    for stage, suite, load_id in keys:
        pattern = f"validations/{suite.replace('.', '/')}/load-{load_id}/*/{stage}.html"
        found = sorted(site_dir.glob(pattern))
        if found:
            pages[(stage, suite)] = found[-1].relative_to(site_dir.parent).as_posix()
    return pages


# GX marks each expectation passed or failed with icons from a CDN icon font. This style,
# placed first in <head>, draws them as text when the font cannot load; when it does
# load, its own later rules (same specificity) win.
OFFLINE_FALLBACK = """<style>
.fa-check-circle::before { content: "✔"; color: #2e7d32; }
.fa-times::before { content: "✘"; color: #c62828; }
.fa-exclamation-triangle::before { content: "⚠"; color: #b26a00; }
table { border-collapse: collapse; }
th, td { padding: 2px 8px; vertical-align: top; }
</style>"""


def _add_offline_fallback(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    if "<head>" in text:
        page.write_text(text.replace("<head>", "<head>" + OFFLINE_FALLBACK, 1), encoding="utf-8")


# --- the offline summary page --------------------------------------------------------------

STYLE = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left;
         font-size: 0.9em; }
th { background: #f3f3f3; }
td.num { text-align: right; white-space: nowrap; }
table.examples { width: auto; margin-top: 4px; }
table.examples th, table.examples td { font-size: 0.8em; border-color: #ddd; }
.fail-critical { background: #fde2e1; } .fail-warning { background: #fff4d6; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 3px; font-weight: bold; }
.badge.critical { background: #c62828; color: #fff; }
.badge.warning { background: #f9a825; color: #000; }
.badge.passed { background: #2e7d32; color: #fff; }
.summary td { font-size: 1em; }
.note { color: #555; font-size: 0.85em; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _examples_table(examples: list[dict[str, Any]]) -> str:
    if not examples:
        return ""
    columns: list[str] = []
    for ex in examples:
        columns.extend(c for c in ex if c not in columns)
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(_cell(ex.get(c)))}</td>" for c in columns) + "</tr>"
        for ex in examples
    )
    return f'<table class="examples"><tr>{head}</tr>{body}</table>'


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _order(r: CheckResult) -> tuple[int, str, str]:
    rank = 0 if r.blocks_publish else 1 if not r.success else 2
    return rank, r.suite, r.check_name


def _row(r: CheckResult, pages: dict[tuple[str, str], str]) -> str:
    if r.success:
        css, badge = "", '<span class="badge passed">通过 passed</span>'
    else:
        css = f"fail-{r.severity}"
        label = "严重 critical" if r.severity == "critical" else "警告 warning"
        badge = f'<span class="badge {r.severity}">{label}</span>'
    page = pages.get((r.stage, r.suite))
    suite = f'<a href="{_e(page)}">{_e(r.suite)}</a>' if page else _e(r.suite)
    counts = ""
    if r.unexpected_count is not None:
        counts = f"{r.unexpected_count:,} / {r.element_count or 0:,}"
    elif r.element_count is not None:
        counts = f"– / {r.element_count:,}"
    return (
        f'<tr class="{css}"><td>{badge}</td><td>{_e(r.severity)}</td><td>{suite}</td>'
        f"<td>{_e(r.column_name)}</td><td>{_e(r.message)}<br>"
        f'<span class="note">{_e(r.check_name)}</span>{_examples_table(r.unexpected_examples)}'
        f'</td><td class="num">{counts}</td></tr>'
    )


def render_index(runs: list[CheckRun], pages: dict[tuple[str, str], str]) -> str:
    """The offline summary page: every check of every run, failures first."""
    load_ids = sorted({r.load_id for r in runs})
    results = [r for run in runs for r in run]
    critical = sum(r.blocks_publish for r in results)
    warned = sum(1 for r in results if not r.success and r.severity != "critical")
    passed = sum(r.success for r in results)
    run_times = ", ".join(sorted({run.run_time.strftime("%Y-%m-%d %H:%M:%S UTC") for run in runs}))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>数据质量检查 Data quality checks — load {_e(', '.join(map(str, load_ids)))}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>数据质量检查 / Data quality checks</h1>",
        f"<p>导入批次 load {_e(', '.join(map(str, load_ids)))} · {_e(run_times)}</p>",
        '<table class="summary" style="width:auto"><tr>'
        f'<td><span class="badge critical">严重 critical</span> {critical}</td>'
        f'<td><span class="badge warning">警告 warning</span> {warned}</td>'
        f'<td><span class="badge passed">通过 passed</span> {passed}</td></tr></table>',
        '<p class="note">严重问题阻止发布；警告会记录并显示。历史结果见 audit.dq_results。'
        " / A failed critical check stops the publish; warnings are recorded and shown. "
        "Earlier loads' results are in audit.dq_results. The suite links open the Great "
        "Expectations pages (styled from a CDN when online, plain but complete offline).</p>",
    ]
    titles = {"batch": "新批次 / New batch (raw)", "marts": "数据集市 / Marts"}
    for run in runs:
        parts.append(f"<h2>{_e(titles.get(run.stage, run.stage))}</h2>")
        if not len(run):
            parts.append('<p class="note">无检查 / no checks ran.</p>')
            continue
        parts.append(
            "<table><tr><th>结果 Result</th><th>级别 Severity</th><th>检查集 Suite</th>"
            "<th>列 Column</th><th>检查 Check</th><th>异常/总数 Unexpected/Total</th></tr>"
        )
        parts.extend(_row(r, pages) for r in sorted(run, key=_order))
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
