"""The CLI as a clerk meets it: help, errors as sentences, docs, generate options."""

from __future__ import annotations

from typer.testing import CliRunner

from schoolwh.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    out = runner.invoke(app, ["--help"]).output
    for command in (
        "load",
        "sql",
        "generate",
        "demo",
        "dashboard",
        "docs",
        "briefing",
        "export-raw",
    ):
        assert command in out
    assert "学校午餐" in out


def test_generate_refuses_bad_options_with_a_sentence(tmp_path):
    result = runner.invoke(app, ["generate", str(tmp_path / "x"), "--schools", "5"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "schools" in result.output.lower()


def test_docs_without_a_warehouse_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["docs", "--warehouse", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
    assert "schoolwh load" in result.output


def test_docs_writes_the_site_from_a_copy(demo_warehouse, tmp_path):
    before = demo_warehouse.read_bytes()
    result = runner.invoke(
        app, ["docs", "--warehouse", str(demo_warehouse), "--out", str(tmp_path / "site")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "index.html").exists()
    assert (tmp_path / "site" / "catalog.json").exists()
    assert demo_warehouse.read_bytes() == before


def test_load_of_nothing_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["load", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 4
    assert "no spreadsheet files to load" in result.output


def test_load_refuses_without_the_dbt_project(tmp_path, monkeypatch):
    """schoolwh runs from a checkout: without its dbt project a load changes nothing."""
    import schoolwh.pipeline.load as load_module
    from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv

    monkeypatch.setattr(load_module, "DBT_DIR", tmp_path / "no-dbt")
    inbox = write_csv(tmp_path / "in" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")])
    wh = tmp_path / "wh" / "warehouse.duckdb"
    result = runner.invoke(app, ["load", str(inbox), "--warehouse", str(wh)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "找不到 dbt 项目" in result.output
    assert "the dbt project is missing" in result.output
    assert str(tmp_path / "no-dbt" / "dbt_project.yml") in result.output
    assert not wh.parent.exists()  # nothing landed, archived or locked


def test_load_refuses_a_malformed_holiday_file(tmp_path, monkeypatch):
    from schoolwh.core import holidays
    from tests.filemaker import SCHOOLS_HEADER_ZH, school_row, write_csv

    broken = tmp_path / "holidays.toml"
    broken.write_text("[2040]\nmakeup_workdays = ['2040-09-29']\n", encoding="utf-8")
    monkeypatch.setattr(holidays, "OVERRIDES", broken)
    holidays.calendar.cache_clear()
    try:
        inbox = write_csv(
            tmp_path / "in" / "学校.csv", [SCHOOLS_HEADER_ZH, school_row("4101050001")]
        )
        wh = tmp_path / "wh" / "warehouse.duckdb"
        result = runner.invoke(app, ["load", str(inbox), "--warehouse", str(wh)])
    finally:
        holidays.calendar.cache_clear()
    assert result.exit_code == 4
    assert "Traceback" not in result.output
    assert "节假日日历文件有误" in result.output
    assert "holidays.toml [2040]: expected a list of dates" in result.output
    assert not wh.parent.exists()
