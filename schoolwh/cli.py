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
from schoolwh.core.sources import SOURCES

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
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders to load (.csv, .xlsx, .xlsm, .xls, .ods)."),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            help=f"Force the source ({', '.join(SOURCES)}) instead of recognising it by header."
        ),
    ] = None,
    wait: Annotated[
        float,
        typer.Option(help="Seconds to wait for another load to finish before giving up."),
    ] = 600.0,
    mapping: Annotated[
        Path | None,
        typer.Option(
            help="A mapping (TOML) of the bureau's own column names, codes and constants; "
            "`schoolwh map FILE` writes a starter. Mappings in mappings/ beside the warehouse "
            "apply by themselves."
        ),
    ] = None,
    warehouse: WarehouseOpt = None,
    submitted_by: Annotated[
        str | None,
        typer.Option(
            "--submitted-by",
            hidden=True,
            help="The account that submitted the files (the upload page), kept in audit.loads.",
        ),
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            hidden=True,
            help="The submitter's districts, comma-separated ('' = none): rows outside them "
            "are quarantined as out_of_scope.",
        ),
    ] = None,
    build: Annotated[
        bool,
        typer.Option("--build/--no-build", hidden=True, help="--no-build stops after landing."),
    ] = True,
) -> None:
    """Load spreadsheets: read, check, land, build, check again, publish; print a report."""
    from schoolwh.pipeline.load import run_load

    districts = None if scope is None else tuple(d.strip() for d in scope.split(",") if d.strip())
    try:
        code = run_load(
            paths,
            resolve_warehouse(warehouse),
            source=source,
            wait=wait,
            mapping=mapping,
            build=build,
            submitted_by=submitted_by,
            scope=districts,
        )
    except Exception as exc:  # never a traceback for a clerk
        internal_error(exc)
    raise typer.Exit(code)


@app.command("map")
def map_cmd(
    file: Annotated[Path, typer.Argument(help="The spreadsheet to write a mapping for.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write it (default: FILE.toml).")
    ] = None,
) -> None:
    """映射 Write a starter mapping (TOML) for a file: its header paths, the closest source
    and the required columns still unmapped, for a clerk to complete."""
    from ingest.encodings import DecodeError
    from ingest.mappings import starter_for
    from ingest.readers import ReadError

    if not file.is_file():
        fail(f"找不到文件 / no such file: {file}", 2)
    try:
        text = starter_for(file)
    except (DecodeError, ReadError) as exc:
        fail(str(exc), 2)
    except Exception as exc:  # never a traceback for a clerk
        internal_error(exc)
    target = out or file.with_suffix(".toml")
    target.write_text(text, encoding="utf-8")
    typer.echo(f"已写入映射草稿 / starter mapping written: {target}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One read-only SQL query.")],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="Output format: table, csv, json or xlsx (--out)."),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Write to this file instead of the screen; a csv file gets a UTF-8 BOM "
            "so Excel reads its Chinese.",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds before the query is stopped.")] = 60.0,
    max_rows: Annotated[int, typer.Option(help="Most rows returned.")] = 10_000,
    warehouse: WarehouseOpt = None,
) -> None:
    """查询 Run one read-only query on the published warehouse (sandboxed).

    Example: schoolwh sql "select * from marts.kpi_overall where period = '2025-autumn'".
    For Excel: `schoolwh sql -f xlsx -o 结果.xlsx "..."` (or `-f csv -o 结果.csv`).
    A query starting with `--` needs `schoolwh sql -- "-- comment ..."`.
    """
    from schoolwh.sandbox import SqlError, format_result, row_count_text, run_sql
    from schoolwh.sandbox.formatting import sheet_rows

    if fmt not in ("table", "csv", "json", "xlsx"):
        fail(f"未知格式 {fmt!r}：可用 table、csv、json、xlsx / Unknown format {fmt!r}: "
             "use table, csv, json or xlsx.", 2)  # fmt: skip
    if fmt == "xlsx" and out is None:
        fail("xlsx 格式需用 --out 指定文件 / the xlsx format needs --out FILE.", 2)
    try:
        result = run_sql(resolve_warehouse(warehouse), query, timeout=timeout, max_rows=max_rows)
        if fmt == "xlsx":  # the timeout covers the formatting too
            columns, rows = sheet_rows(result)
        else:
            text = format_result(result, fmt)
    except SqlError as exc:
        fail(str(exc))
    if out is None:
        sys.stdout.write(text)
        if result.truncated and fmt != "table":
            typer.echo(row_count_text(result), err=True)
    else:
        try:
            if fmt == "xlsx":
                import pandas as pd

                from schoolwh.reading.downloads import to_xlsx_bytes

                out.write_bytes(to_xlsx_bytes(pd.DataFrame(rows, columns=columns), "sql"))
            else:  # utf-8-sig: the BOM that makes Excel read the file as UTF-8
                out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        except OSError as exc:
            fail(f"无法写入 {out} / cannot write {out}: {exc.strerror or exc}")
        typer.echo(f"已写入 / written: {out} ({row_count_text(result)})", err=True)


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


users_app = typer.Typer(
    help="账号 Accounts of the dashboard: roles bureau, district, analyst, clerk, admin.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")


def _account_store(warehouse: Path | None):
    from schoolwh.accounts import AccountStore

    return AccountStore(resolve_warehouse(warehouse))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt("密码 Password", hide_input=True, confirmation_prompt=True)


def _known_districts(wh: Path) -> set[str] | None:
    if not wh.exists():
        return None
    import duckdb

    try:
        con = duckdb.connect(str(wh), read_only=True)
    except duckdb.Error:
        return None
    try:
        return {
            r[0] for r in con.execute("select district_code from marts.dim_district").fetchall()
        }
    except duckdb.Error:
        return None
    finally:
        con.close()


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option(help="bureau, district, analyst, clerk or admin.")],
    district: Annotated[
        list[str] | None,
        typer.Option("--district", help="District code (repeat for several)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """添加账号 Add an account (the password is asked for, or read with --password-stdin)."""
    from schoolwh.accounts import AccountError

    wh = resolve_warehouse(warehouse)
    codes = tuple(district or ())
    known = _known_districts(wh)
    unknown = [c for c in codes if known is not None and c not in known]
    if unknown:
        fail(
            f"数据仓库中没有区县 {'、'.join(unknown)} / no district {', '.join(unknown)} in {wh}",
            2,
        )
    try:
        account = _account_store(warehouse).add(name, role, codes, _read_password(password_stdin))
    except AccountError as exc:
        fail(str(exc), 2)
    if account.scope:
        from schoolwh.pipeline.extracts import ExtractError, ensure_extract

        try:
            for code in account.scope:  # one extract per district
                ensure_extract(wh, (code,))
        except (ExtractError, OSError) as exc:
            typer.echo(f"区县数据子集未写入 / extract not written: {exc}", err=True)
    where = f" ({', '.join(account.districts)})" if account.districts else ""
    typer.echo(f"已添加账号 / added: {account.name} — {account.role}{where}")


@users_app.command("list")
def users_list(warehouse: WarehouseOpt = None) -> None:
    """列出账号 List the accounts (never their passwords)."""
    accounts = _account_store(warehouse).list()
    if not accounts:
        typer.echo("还没有账号 / no accounts yet")
        return
    for a in accounts:
        info = a.public()
        districts = ",".join(info["districts"]) or "全部 all"
        locked = "  已锁定 LOCKED" if info["locked"] else ""
        typer.echo(f"{a.name}\t{a.role}\t{districts}\t{info['created_at']}{locked}")


@users_app.command("remove")
def users_remove(
    name: Annotated[str, typer.Argument(help="User name.")], warehouse: WarehouseOpt = None
) -> None:
    """删除账号 Remove an account."""
    from schoolwh.accounts import AccountError

    try:
        _account_store(warehouse).remove(name)
    except AccountError as exc:
        fail(str(exc), 2)
    typer.echo(f"已删除账号 / removed: {name}")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    warehouse: WarehouseOpt = None,
) -> None:
    """修改密码 Set a new password (also unlocks the account)."""
    from schoolwh.accounts import AccountError

    store = _account_store(warehouse)
    if store.get(name) is None:
        fail(f"没有账号「{name}」/ no account {name!r}", 2)
    try:
        store.set_password(name, _read_password(password_stdin))
    except AccountError as exc:
        fail(str(exc), 2)
    typer.echo(f"密码已更新 / password changed: {name}")


@users_app.command("policy")
def users_policy(
    district_sees_city: Annotated[
        bool,
        typer.Option(
            "--district-sees-city/--district-own-only",
            help="May district accounts see the city-level figures they are ranked against?",
        ),
    ],
    warehouse: WarehouseOpt = None,
) -> None:
    """全局设置 Bureau-wide setting: may district accounts see the city-level figures?"""
    from schoolwh.pipeline.extracts import ExtractError, write_extracts

    wh = resolve_warehouse(warehouse)
    _account_store(warehouse).set_district_sees_city(district_sees_city)
    try:
        write_extracts(wh)
    except (ExtractError, OSError) as exc:
        fail(f"区县数据子集未写入 / extracts not written: {exc}")
    state = "可以 allowed" if district_sees_city else "不可以 not allowed"
    typer.echo(f"区县账号查看全市数据 / district accounts see the city figures: {state}")


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to check.")],
    source: Annotated[
        str | None,
        typer.Option(help=f"Force the source ({', '.join(SOURCES)}) instead of its header."),
    ] = None,
    district: Annotated[
        list[str] | None,
        typer.Option("--district", help="Quarantine rows outside these districts (a clerk's)."),
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """检查 Check files exactly as a load would, publishing nothing (exit 1: a load would
    reject a file)."""
    from schoolwh.pipeline.check import check_paths, report_lines

    if source is not None and source not in SOURCES:
        fail(
            f"未知的数据类型「{source}」/ unknown source {source!r}; use one of: "
            + ", ".join(SOURCES),
            4,
        )
    scope = tuple(district) if district else None
    try:
        report = check_paths(
            paths, source=source, scope=scope, warehouse=resolve_warehouse(warehouse)
        )
    except Exception as exc:  # never a traceback for a clerk
        internal_error(exc)
    if not report.files and not report.missing:
        fail("没有可检查的 .csv / .xlsx 文件 / no .csv or .xlsx files to check", 4)
    for line in report_lines(report):
        typer.echo(line)
    raise typer.Exit(report.exit_code)


@app.command()
def template(
    source: Annotated[str, typer.Argument(help=f"The source: {', '.join(SOURCES)}.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .xlsx file to write.")],
    district: Annotated[
        str | None, typer.Option(help="Pre-fill this district's active schools.")
    ] = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """模板 Write a fill-in template (XLSX) for a source, with drop-down lists."""
    from schoolwh.pipeline.templates import TemplateError, write_template

    try:
        info = write_template(
            source, out, district=district, warehouse=resolve_warehouse(warehouse)
        )
    except TemplateError as exc:
        fail(str(exc), 2)
    typer.echo(info)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
