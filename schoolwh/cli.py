"""The `schoolwh` command: one entry point, one subcommand per job.

Heavy libraries (dbt, Great Expectations, Streamlit) are imported inside the
subcommands that need them, so `schoolwh --help` and `schoolwh sql` start fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from schoolwh.core.settings import ENV_WAREHOUSE, resolve_warehouse

app = typer.Typer(
    name="schoolwh",
    help=(
        "学校午餐与课后服务数据仓库 schoolwh — school lunch and after-school warehouse.\n\n"
        "Typical use: `schoolwh load 收到的文件夹/` to load the spreadsheets you received, "
        'then `schoolwh dashboard` to view them, or `schoolwh sql "select ..."` to query.'
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        help=f"Warehouse file (default: ${ENV_WAREHOUSE}, else data/warehouse.duckdb).",
        envvar=ENV_WAREHOUSE,
        show_default=False,
    ),
]


def fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def internal_error(exc: BaseException) -> None:
    """An unexpected error: one sentence for the user, the traceback only on request."""
    if os.environ.get("SCHOOLWH_DEBUG"):
        raise exc
    fail(
        f"内部错误 / internal error: {type(exc).__name__}: {exc} "
        "(set SCHOOLWH_DEBUG=1 to see the details)",
        70,
    )


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Folder to write the sample files into.")],
    schools: Annotated[
        int, typer.Option(help="Number of schools (about 1,300 by default).")
    ] = 1300,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed writes the same files.")
    ] = 2025,
    clean: Annotated[
        bool, typer.Option("--clean", help="Plain UTF-8 CSV with canonical headers (benchmarks).")
    ] = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write a synthetic sample jurisdiction (16 districts of Zhengzhou) as bureau files."""
    from schoolwh.generator import GenerateError
    from schoolwh.generator import generate as run

    try:
        summary = run(out_dir, schools=schools, seed=seed, clean=clean)
    except GenerateError as exc:
        fail(str(exc), 2)
    typer.echo(str(summary))


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load (.csv, .xlsx).")],
    source: Annotated[
        str | None,
        typer.Option(
            help="Force the source (districts, schools, enrollment, participation, "
            "budget, expenditure, survey, issues) instead of recognising it by header."
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(help="Seconds to wait for another load to finish before giving up."),
    ] = 600.0,
    warehouse: WarehouseOpt = None,
) -> None:
    """Load spreadsheets: read, check, land, build, check again, publish; print a report."""
    from schoolwh.pipeline.load import run_load

    try:
        code = run_load(paths, resolve_warehouse(warehouse), source=source, wait=wait)
    except Exception as exc:  # never a traceback for a clerk
        internal_error(exc)
    raise typer.Exit(code)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One read-only SQL query.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format: table, csv or json.")
    ] = "table",
    timeout: Annotated[float, typer.Option(help="Seconds before the query is stopped.")] = 60.0,
    max_rows: Annotated[int, typer.Option(help="Most rows returned.")] = 10_000,
    warehouse: WarehouseOpt = None,
) -> None:
    """查询 Run one read-only query on the published warehouse (sandboxed).

    Example: schoolwh sql "select * from marts.kpi_overall where period = '2025-autumn'".
    A query starting with `--` needs `schoolwh sql -- "-- comment ..."`.
    """
    from schoolwh.sandbox import SqlError, format_result, row_count_text, run_sql

    if fmt not in ("table", "csv", "json"):
        fail(f"Unknown format {fmt!r}: use table, csv or json.", 2)
    try:
        result = run_sql(resolve_warehouse(warehouse), query, timeout=timeout, max_rows=max_rows)
    except SqlError as exc:
        fail(str(exc))
    sys.stdout.write(format_result(result, fmt))
    if result.truncated and fmt != "table":
        typer.echo(row_count_text(result), err=True)


@app.command()
def dashboard(
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    warehouse: WarehouseOpt = None,
) -> None:
    """看板 Serve the policy dashboard on the published warehouse (http://127.0.0.1:8501)."""
    from schoolwh.dashboard_cmd import serve

    raise typer.Exit(serve(resolve_warehouse(warehouse), host, port))


@app.command()
def demo(
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Stop after loading; do not start the dashboard.")
    ] = False,
    schools: Annotated[int, typer.Option(help="Number of schools in the sample.")] = 1300,
    seed: Annotated[int, typer.Option(help="Random seed of the sample.")] = 2025,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    warehouse: WarehouseOpt = None,
) -> None:
    """演示 Make the synthetic sample, load it, and open the dashboard."""
    from schoolwh.generator import generate as make_sample
    from schoolwh.pipeline.load import EXIT_OK, run_load

    wh = resolve_warehouse(warehouse)
    inbox = wh.parent / "sample_inbox"
    typer.echo(f"生成示例数据（合成数据）/ writing the synthetic sample to {inbox}")
    from schoolwh.generator import GenerateError

    try:
        typer.echo(str(make_sample(inbox, schools=schools, seed=seed)))
    except GenerateError as exc:
        fail(str(exc), 2)
    try:
        code = run_load([inbox], wh)
    except Exception as exc:  # never a traceback for a clerk
        internal_error(exc)
    if code != EXIT_OK:
        fail("示例数据导入失败 / the sample did not load cleanly (see the report above)", code)
    if no_serve:
        return
    from schoolwh.dashboard_cmd import serve

    raise typer.Exit(serve(wh, host, port))


@app.command()
def briefing(
    period: Annotated[
        str,
        typer.Option("--period", "-p", help="2025-autumn (term), 2025-09 (month) or 2025 (year)."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the figures and the deck.")],
    district: Annotated[
        str | None, typer.Option(help="One district, by code or name (default: all).")
    ] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    jurisdiction: Annotated[
        str | None, typer.Option(help="Place on the title slide (default: the codes' city).")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """简报 Write briefing figures (PNG, SVG) and a PPTX deck for a period."""
    from schoolwh.briefing import BriefingError, ExportError, make_briefing

    if lang not in ("zh", "en"):
        fail(f"Unknown language {lang!r}: use zh or en.", 2)
    try:
        result = make_briefing(
            resolve_warehouse(warehouse),
            period,
            out,
            district=district,
            lang=lang,
            jurisdiction=jurisdiction,
        )
    except (BriefingError, ExportError) as exc:
        fail(str(exc))
    except Exception as exc:  # never a traceback for a clerk
        internal_error(exc)
    typer.echo(result.summary())


@app.command()
def docs(
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the documentation site (default: data/dbt_docs)."),
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """文档 Write the data documentation (dbt docs: every table, column and lineage)."""
    import shutil
    import tempfile

    from schoolwh.pipeline.dbt_runner import docs as dbt_docs

    wh = resolve_warehouse(warehouse)
    if not wh.exists():
        fail(f"还没有数据仓库 / no warehouse at {wh}: run `schoolwh load FOLDER` first.", 2)
    target = out or wh.parent / "dbt_docs"
    # dbt opens its database for writing: document a private copy, never the published file.
    with tempfile.TemporaryDirectory(prefix="schoolwh-docs-") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(wh, copy)
        result = dbt_docs(copy, target)
    if not result.success:
        fail(f"文档未生成 / docs not written: {result.message}", 1)
    typer.echo(f"文档已写入 / docs written: {target / 'index.html'}")


@app.command("export-raw")
def export_raw_cmd(
    out_dir: Annotated[Path, typer.Argument(help="Folder for one Parquet folder per raw source.")],
    warehouse: WarehouseOpt = None,
) -> None:
    """导出 Write the raw layer as Parquet (one folder per source) for Spark or any engine."""
    from schoolwh.pipeline.export_raw import ExportError, export_raw

    try:
        written = export_raw(resolve_warehouse(warehouse), out_dir)
    except ExportError as exc:
        fail(str(exc), 2)
    for name, path in written.items():
        typer.echo(f"{name}: {path}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
