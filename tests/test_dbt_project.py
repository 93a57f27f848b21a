"""Static checks of the dbt project: in step with the source contract, house style and
the portable-SQL rules of docs/architecture.md#portable-sql. No build needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from schoolwh.core.settings import DBT_DIR
from schoolwh.core.sources import BULK_CATEGORIES, KITCHEN_MODES, SOURCES

MODELS = DBT_DIR / "models"
FOLDERS = ("staging", "intermediate", "marts")

# staging column -> raw column, where staging renames
RENAMED = {("issues", "issue_source"): "source"}


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _models(folder: str) -> dict[str, dict]:
    spec = _yaml(MODELS / folder / f"_{folder}__models.yml")
    return {m["name"]: m for m in spec.get("models", [])}


def _strip_jinja(sql: str) -> str:
    sql = re.sub(r"\{#.*?#\}", "", sql, flags=re.S)
    sql = re.sub(r"\{\{.*?\}\}", "x", sql, flags=re.S)
    return re.sub(r"\{%.*?%\}", "", sql, flags=re.S)


def _sql_files() -> list[Path]:
    return sorted([*MODELS.rglob("*.sql"), *(DBT_DIR / "tests").glob("*.sql")])


def test_sources_are_the_raw_tables_of_the_contract() -> None:
    spec = _yaml(MODELS / "staging" / "_staging__sources.yml")
    (raw,) = spec["sources"]
    assert raw["schema"] == "raw"
    assert {t["name"] for t in raw["tables"]} == set(SOURCES)


def test_every_source_has_a_staging_model() -> None:
    staged = _models("staging")
    assert set(staged) == {f"stg_{name}" for name in SOURCES}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_accepted_values_follow_the_source_enumerations(source: str) -> None:
    model = _models("staging")[f"stg_{source}"]
    tested: dict[str, set[str]] = {}
    for column in model.get("columns", []):
        for test in column.get("data_tests", []):
            if isinstance(test, dict) and "accepted_values" in test:
                values = test["accepted_values"]["arguments"]["values"]
                tested[RENAMED.get((source, column["name"]), column["name"])] = {
                    str(v) for v in values
                }
    enums = {c.name: set(c.enum) for c in SOURCES[source].columns if c.enum}
    for name, values in enums.items():
        assert tested.get(name) == values, f"stg_{source}.{name}"


def test_only_staging_reads_sources() -> None:
    for folder in ("intermediate", "marts"):
        for path in (MODELS / folder).glob("*.sql"):
            assert "source(" not in path.read_text(encoding="utf-8"), path.name


# Personal names and free text land in raw.* only (docs/contract.md): staging drops them.
RAW_ONLY = {
    "survey": ("comment",),
    "meal_companions": ("companion_name", "feedback"),
    "canteen_checks": ("inspector",),
    "training": ("topic",),
}


@pytest.mark.parametrize("source", sorted(RAW_ONLY))
def test_free_text_and_names_are_dropped_in_staging(source: str) -> None:
    sql = (MODELS / "staging" / f"stg_{source}.sql").read_text(encoding="utf-8")
    final = _strip_jinja(sql[sql.index("final as (") :])
    for column in RAW_ONLY[source]:
        assert SOURCES[source].column(column).kind == "text"
        assert not re.search(rf"\b{column}\b", final), f"stg_{source} selects {column}"
    staged = {c["name"] for c in _models("staging")[f"stg_{source}"].get("columns", [])}
    assert not staged & set(RAW_ONLY[source])


def test_bulk_categories_follow_the_contract() -> None:
    """The dbt var is a copy of sources.BULK_CATEGORIES (dbt cannot import Python)."""
    project = _yaml(DBT_DIR / "dbt_project.yml")
    assert tuple(project["vars"]["bulk_categories"]) == BULK_CATEGORIES
    food = set(SOURCES["deliveries"].column("category").enum or {})
    assert set(BULK_CATEGORIES) < food


def test_kitchen_lunch_modes_follow_the_contract() -> None:
    """The dbt var of macros/service_rules.sql is a copy of sources.KITCHEN_MODES."""
    project = _yaml(DBT_DIR / "dbt_project.yml")
    assert tuple(project["vars"]["kitchen_lunch_modes"]) == KITCHEN_MODES
    modes = set(SOURCES["schools"].column("lunch_mode").enum or {})
    assert set(KITCHEN_MODES) <= modes and not {"catering", "none"} & set(KITCHEN_MODES)


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_has_its_models_yaml_and_docs(folder: str) -> None:
    assert (MODELS / folder / f"_{folder}__models.yml").is_file()
    assert (MODELS / folder / f"_{folder}__docs.md").is_file()
    documented = _models(folder)
    for path in (MODELS / folder).glob("*.sql"):
        assert path.stem in documented, f"{path.name} has no entry in _{folder}__models.yml"
        assert documented[path.stem].get("description"), f"{path.stem} has no description"


def test_marts_document_every_column() -> None:
    for name, model in _models("marts").items():
        columns = model.get("columns", [])
        assert columns, name
        assert all(c.get("description") for c in columns), name


@pytest.mark.parametrize("path", _sql_files(), ids=lambda p: p.stem)
def test_sql_house_style_and_portability(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    sql = _strip_jinja(raw)
    assert raw == raw.lower() or _has_only_lowercase_sql(sql), f"{path.name}: uppercase SQL"
    # engine-specific syntax lives in dispatched macros (docs/architecture.md#portable-sql)
    for banned in ("strftime(", "date_diff(", "datediff(", "date_format(", "date_trunc("):
        assert banned not in sql, f"{path.name}: {banned} outside a dispatched macro"
    assert '"' not in sql, f"{path.name}: double quotes (a column on DuckDB, a string on Spark)"
    assert not re.search(r",\s*\n\s*from\b", sql), f"{path.name}: comma before from"
    if path.parent.name in FOLDERS:
        assert sql.rstrip().endswith("select * from final"), path.name


def _has_only_lowercase_sql(sql: str) -> bool:
    # string literals and comments may hold Chinese or capitals; keywords may not
    code = re.sub(r"'[^']*'", "''", sql)
    code = re.sub(r"--[^\n]*", "", code)
    return code == code.lower()
