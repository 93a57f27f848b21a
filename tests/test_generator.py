"""The sample-data generator: determinism, calibration, seed facts, and bureau file forms.

Files are read back the way a person or a loader would (csv module, polars, fastexcel,
openpyxl), never from the generator's in-memory frames, except where a test compares
the two on purpose.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl
import pytest

from schoolwh.core.holidays import calendar
from schoolwh.core.reasons import REASONS
from schoolwh.core.sources import BULK_CATEGORIES, SCORE_MAX, SOURCES, aliases
from schoolwh.generator import (
    GenerateError,
    GenerateSummary,
    Jurisdiction,
    build_jurisdiction,
    generate,
)
from schoolwh.generator.calendar import DATA_END, TERMS, YEARS, school_days
from schoolwh.reading import charts, queries
from schoolwh.reading import formatting as fmt
from schoolwh.reading.connection import Warehouse

DISTRICTS = {
    "410102": ("中原区", "district"),
    "410103": ("二七区", "district"),
    "410104": ("管城回族区", "district"),
    "410105": ("金水区", "district"),
    "410106": ("上街区", "district"),
    "410108": ("惠济区", "district"),
    "410122": ("中牟县", "county"),
    "410181": ("巩义市", "county_city"),
    "410182": ("荥阳市", "county_city"),
    "410183": ("新密市", "county_city"),
    "410184": ("新郑市", "county_city"),
    "410185": ("登封市", "county_city"),
    "410171": ("经开区", "dev_zone"),
    "410172": ("高新区", "dev_zone"),
    "410173": ("航空港区", "dev_zone"),
    "410100ZD": ("郑东新区", "dev_zone"),
}
CORE = ("410102", "410103", "410104", "410105", "410106", "410108", "410100ZD", "410171", "410172")
NOTE_WORDS = ("填表人", "填报人", "填报单位", "审核人", "联系电话", "注：", "说明")
SUMMARY_WORDS = ("合计", "总计", "小计", "Total")
CODES = {"school_code": pl.String, "district_code": pl.String}


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def city(tmp_path_factory) -> tuple[Path, GenerateSummary]:
    """The default sample: 1,300 schools, bureau files."""
    out = tmp_path_factory.mktemp("city")
    return out, generate(out)


@pytest.fixture(scope="session")
def city_data() -> Jurisdiction:
    """The default sample's data as the generator holds it, for comparisons."""
    return build_jurisdiction(1300, 2025)


@pytest.fixture(scope="session")
def small(tmp_path_factory) -> Path:
    """80 schools, clean CSV."""
    out = tmp_path_factory.mktemp("small")
    generate(out, schools=80, clean=True)
    return out


def read_clean(folder: Path, source: str) -> pl.DataFrame:
    files = sorted(folder.glob(f"{source}*.csv"))
    assert files, f"no {source} file"
    return pl.concat([pl.read_csv(f, schema_overrides=CODES, try_parse_dates=True) for f in files])


# ------------------------------------------------- reading bureau files back


def norm(header: object) -> str:
    """A header as the contract matches it: no spaces, half-width brackets, no unit."""
    text = str(header or "").strip().replace("（", "(").replace("）", ")")
    return re.sub(r"\(.*\)$", "", text).strip().lower()


def decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("undecodable CSV")


@functools.cache
def sheets_of(path: Path) -> dict[str | None, list[list[str | None]]]:
    """Every sheet of a file as rows of strings (None for empty cells), row 1 first.

    Cached: files are read many times; callers must not change the rows.
    """
    if path.suffix == ".csv":
        text, _ = decode(path.read_bytes())
        rows = [[c if c != "" else None for c in r] for r in csv.reader(io.StringIO(text))]
        return {None: rows}
    book = fastexcel.read_excel(str(path))
    out = {}
    for name in book.sheet_names:
        frame = book.load_sheet(name, header_row=None, dtypes="string").to_polars()
        out[name] = [list(r) for r in frame.iter_rows()]
    return out


def header_index(rows: list[list[str | None]], source: str) -> int | None:
    names = {norm(a): c.name for c in SOURCES[source].columns for a in aliases(c)}
    required = set(SOURCES[source].required)
    for i, row in enumerate(rows[:10]):
        found = {names[norm(v)] for v in row if norm(v) in names}
        if required <= found:
            return i
    return None


def is_data(row: list[str | None]) -> bool:
    cells = [c.strip() for c in row if c is not None and c.strip()]
    if not cells:
        return False
    return not (cells[0] in SUMMARY_WORDS or cells[0].startswith(NOTE_WORDS))


def table(path: Path, source: str, sheet: str | None = None):
    """(header names as canonical columns, [(spreadsheet row, {column: raw text})])."""
    sheets = sheets_of(path)
    rows = sheets[sheet] if sheet is not None else next(iter(sheets.values()))
    h = header_index(rows, source)
    assert h is not None, f"{path.name}: no {source} header in the first 10 rows"
    names = {norm(a): c.name for c in SOURCES[source].columns for a in aliases(c)}
    columns = [names.get(norm(v)) for v in rows[h]]
    data = []
    for i, row in enumerate(rows[h + 1 :], start=h + 2):
        if is_data(row):
            data.append((i, {c: v for c, v in zip(columns, row, strict=False) if c}))
    return columns, data


def files_of(summary: GenerateSummary, source: str) -> list[str]:
    return [f.name for f in summary.files if f.sources == (source,)]


def flaws_in(summary: GenerateSummary, name: str) -> dict[int, str]:
    return {f.row: f.kind for f in summary.flaws if f.file == name}


def number(text: str) -> float:
    full = str.maketrans("０１２３４５６７８９", "0123456789")
    return float(text.translate(full).replace(",", "").strip())


def parse_day(text: str) -> date:
    text = text.strip()
    if re.fullmatch(r"\d{4,5}(\.0)?", text):
        return date(1899, 12, 30) + timedelta(days=int(float(text)))
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?( 00:00:00)?", text)
    if not m:
        raise ValueError(f"unexpected date {text!r}")
    return date(int(m[1]), int(m[2]), int(m[3]))


def code(text: str) -> str:
    text = text.strip()
    return text[:-2] if text.endswith(".0") else text


# ------------------------------------------------------------- determinism


@pytest.mark.parametrize("clean", [False, True])
def test_same_options_write_identical_files(tmp_path, clean):
    first, second = tmp_path / "a", tmp_path / "b"
    generate(first, schools=80, seed=7, clean=clean)
    generate(second, schools=80, seed=7, clean=clean)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        a, b = first / name, second / name
        assert a.read_bytes() == b.read_bytes(), name
        assert a.stat().st_mtime == b.stat().st_mtime, name


def test_seed_changes_the_data(tmp_path):
    generate(tmp_path / "a", schools=40, seed=1, clean=True)
    generate(tmp_path / "b", schools=40, seed=2, clean=True)
    a = (tmp_path / "a" / "participation_2025-09.csv").read_bytes()
    assert a != (tmp_path / "b" / "participation_2025-09.csv").read_bytes()


# ----------------------------------------------- counts and calibration (80)


def test_small_run_counts(small):
    districts = read_clean(small, "districts")
    assert {r["district_code"]: (r["district_name"], r["district_kind"])
            for r in districts.iter_rows(named=True)} == DISTRICTS  # fmt: skip
    schools = read_clean(small, "schools")
    assert schools.height == 80
    assert schools["school_code"].n_unique() == 80
    assert set(schools["district_code"]) == set(DISTRICTS)
    assert schools["has_after_school"].all()
    autumn = read_clean(small, "enrollment").filter(pl.col("term") == "2025-autumn")
    assert abs(autumn["enrolled"].sum() / (1_180_000 * 80 / 1300) - 1) < 0.05
    # a few schools have no enrolment row in a term
    assert autumn.height < schools.filter("active").height
    for source in ("budget", "expenditure", "survey", "issues"):
        assert read_clean(small, source).height > 0, source


def test_small_run_is_calibrated(small):
    schools = read_clean(small, "schools").filter("active")
    term = TERMS[-1]
    serving = (pl.col("lunch_mode") != "none") & (pl.col("lunch_start_date") <= term.end)
    coverage = schools.select(serving.mean()).item()
    assert coverage == pytest.approx(0.90, abs=0.05)

    daily = read_clean(small, "participation").filter(pl.col("date") >= term.first_day)
    average = daily.group_by("school_code").agg(pl.col("lunch_students").mean().alias("avg"))
    enrolled = (
        read_clean(small, "enrollment")
        .filter(pl.col("term") == term.code)
        .join(schools.select("school_code", "district_code"), on="school_code")
        .join(average, on="school_code", how="left")
        .with_columns(pl.col("avg").fill_null(0), core=pl.col("district_code").is_in(CORE))
    )
    share = enrolled["avg"].sum() / enrolled["enrolled"].sum()
    assert share == pytest.approx(0.71, abs=0.05)
    by_region = enrolled.group_by("core").agg(pl.col("avg").sum() / pl.col("enrolled").sum())
    shares = dict(by_region.iter_rows())
    assert shares[True] > shares[False] + 0.1, "the urban core should eat at school more"


def test_participation_follows_the_school_calendar_of_both_years(small):
    days = set(read_clean(small, "participation")["date"].unique())
    allowed = {d.item() for t in TERMS for d in school_days(t.first_day, t.last_day)}
    assert days <= allowed
    assert min(days) == date(2024, 2, 26) and max(days) == DATA_END == date(2025, 12, 31)
    for holiday in (date(2024, 4, 4), date(2024, 10, 3), date(2025, 1, 1), date(2025, 4, 4),
                    date(2025, 5, 2), date(2025, 6, 2), date(2025, 10, 3)):  # fmt: skip
        assert holiday not in days
    # every term's first and last teaching day; the 2024 autumn term runs into January
    for day in (date(2024, 7, 5), date(2024, 9, 2), date(2025, 1, 17), date(2025, 2, 17),
                date(2025, 7, 4), date(2025, 9, 1)):  # fmt: skip
        assert day in days, day
    assert not [d for d in days if d.month == 8 or (d.year == 2024 and d.month == 1)]
    assert not [d for d in days if date(2025, 1, 18) <= d < date(2025, 2, 17)]
    weekend = {d for d in days if d.weekday() >= 5}
    assert weekend and weekend <= set(calendar().workdays)  # only official make-up days


def test_the_sample_covers_two_years(small):
    """Every source holds both years, so every period has the same period a year before."""
    assert YEARS == (2024, 2025)
    assert [t.code for t in TERMS] == ["2024-spring", "2024-autumn", "2025-spring", "2025-autumn"]
    enrollment = read_clean(small, "enrollment")
    assert sorted(enrollment["term"].unique()) == sorted(t.code for t in TERMS)
    months = {f.stem.split("_")[1] for f in small.glob("participation_*.csv")}
    assert {f"{y}-{m:02d}" for y in YEARS for m in (3, 6, 9, 12)} <= months
    assert "2025-01" in months and "2024-01" not in months
    assert set(read_clean(small, "budget")["fiscal_year"]) == set(YEARS)
    for source, column in (("expenditure", "date"), ("survey", "date"), ("issues", "found_date")):
        years = set(read_clean(small, source)[column].dt.year())
        assert years == set(YEARS), source
    prefixes = {r[:7] for r in read_clean(small, "survey")["response_id"]}
    assert prefixes == {"WJ2024C", "WJ2024Q", "WJ2025C", "WJ2025Q"}


def test_the_years_differ_plausibly(city_data):
    """The year before is a little lower on most district figures, not on all; schools
    open and close; almost every issue of the first year is closed by the end."""
    j = city_data
    by_term = j.enrollment.group_by("term").agg(pl.col("enrolled").sum())
    enrolled = dict(by_term.iter_rows())
    assert enrolled["2024-autumn"] < enrolled["2025-autumn"] < 1.05 * enrolled["2024-autumn"]

    first, last = j.schools["first_term"], j.schools["last_term"]
    assert 0 < int((first > 0).sum()) <= 20, "a few new schools"
    closed = j.schools.filter(~pl.col("active"))
    assert set(closed["last_term"]) == {0, 2}, "closed in summer 2024 and in summer 2025"
    assert int((last == len(TERMS) - 1).sum()) == j.schools["active"].sum()
    rows = j.enrollment.join(j.schools.select("school_code", "first_term", "last_term"),
                             on="school_code")  # fmt: skip
    term_no = pl.col("term").replace_strict({t.code: i for i, t in enumerate(TERMS)})
    assert rows.filter(
        (term_no < pl.col("first_term")) | (term_no > pl.col("last_term"))
    ).is_empty()

    ok = (pl.col("overall") >= 4).mean()
    survey = j.survey.join(j.schools.select("school_code", "district_code"), on="school_code")
    by_year = survey.group_by("district_code", pl.col("response_id").str.slice(2, 5)).agg(ok)
    wide = by_year.pivot("response_id", index="district_code", values="overall")
    better = (wide["2025Q"] > wide["2024Q"]).sum()
    assert len(wide) // 2 < better < len(wide), "satisfaction rises in most districts, not all"
    assert wide["2024Q"].mean() < wide["2025Q"].mean()

    budget = j.budget.group_by("fiscal_year").agg(pl.col("amount").sum())
    assert set(budget["fiscal_year"]) == set(YEARS) and (budget["amount"] > 1e8).all()

    found = pl.col("found_date").dt.year()
    first_year = j.issues.filter(found == YEARS[0])
    assert (first_year["status"] == "closed").mean() >= 0.95
    assert (j.issues.filter(found == YEARS[-1])["status"] == "closed").mean() < 0.95


def test_reporting_has_gaps_and_some_late_starters(city_data):
    j = city_data
    schools = j.schools.filter("active")
    autumn = j.participation.filter(pl.col("date") >= TERMS[-1].first_day)
    days = autumn["date"].n_unique()
    serving = schools.filter(pl.col("lunch_mode") != "none")
    reported = autumn.join(serving.select("school_code", "core"), on="school_code")
    per_region = (
        reported.group_by("core")
        .len()
        .join(serving.group_by("core").len().rename({"len": "n"}), on="core")
    )
    completeness = {r[0]: r[1] / (r[2] * days) for r in per_region.iter_rows()}
    assert 0.97 <= completeness[True] <= 0.995
    assert 0.93 <= completeness[False] < completeness[True]
    late = schools.filter(pl.col("lunch_start_date") > TERMS[-1].first_day)
    assert 5 <= late.height <= 30
    assert j.no_enrollment.height >= 4


def test_clean_files_are_canonical(small):
    for path in sorted(small.glob("*.csv")):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        header = data.decode("utf-8").splitlines()[0].split(",")
        source = path.stem if path.stem in SOURCES else path.stem.split("_")[0]
        assert tuple(header) == SOURCES[source].names, path.name
        assert "合计" not in data.decode("utf-8")
    schools = (small / "schools.csv").read_text(encoding="utf-8").splitlines()
    assert all(line.count(",true,") or line.count(",false,") for line in schools[1:])
    budget = read_clean(small, "budget")
    assert budget["amount"].min() >= 100  # yuan, not 万元
    assert read_clean(small, "expenditure")["amount"].min() < 0  # refunds


# ---------------------------------------------------- seed facts (1,300)


def test_seed_facts_at_default_scale(city):
    folder, summary = city
    assert summary.schools == 1300
    assert abs(summary.students / 1_180_000 - 1) < 0.02

    _, schools = table(folder / "学校基本信息表.xlsx", "schools", "学校名录")
    kitchens = [r for _, r in schools if r["district_code"] == "410105"
                and r["lunch_mode"] == "中央厨房"]  # fmt: skip
    assert len(kitchens) == 13

    # amounts in the 金额（万元） column are 万元
    _, lines = table(folder / "2025年学校午餐及课后服务资金下达情况表.xlsx", "budget")
    canteens: dict[str, list[tuple[str, float]]] = {}
    for _, r in lines:
        if r["program"] == "食堂建设":
            canteens.setdefault(r["district_code"], []).append(
                (r["school_code"], number(r["amount"]))
            )
    for district, schools_n, wan in (("410108", 25, 16800), ("410173", 58, 1200),
                                     ("410105", 13, 2500)):  # fmt: skip
        rows = canteens[district]
        assert len({s for s, _ in rows if s}) == schools_n == len(rows), district
        assert sum(a for _, a in rows) == pytest.approx(wan, abs=0.001), district


# ------------------------------------------------------ bureau file forms


def test_bureau_files_are_written_like_a_bureau(city):
    folder, summary = city
    csvs = sorted(folder.glob("*.csv"))
    encodings = Counter(decode(p.read_bytes())[1] for p in csvs)
    assert encodings["gb18030"] >= 5
    gbk = folder / "2025年10月午餐及课后服务日报.csv"
    with pytest.raises(UnicodeDecodeError):
        gbk.read_bytes().decode("utf-8")
    assert "学校代码,日期,午餐人数".encode("gbk") in gbk.read_bytes()
    boms = [p for p in csvs if p.read_bytes().startswith(b"\xef\xbb\xbf")]
    assert boms, "a UTF-8 CSV with BOM"

    for written in summary.files:
        for rows in sheets_of(folder / written.name).values() if written.sources else ():
            h = header_index(rows, written.sources[0])
            if h is not None:
                assert h >= 1 and rows[0][0], f"{written.name}: a title above the header"
    for path in csvs:
        rows = sheets_of(path)[None]
        if not path.name.endswith("学校午餐满意度调查.csv"):  # an export: no totals
            assert any(r and r[0] in ("合计", "小计") for r in rows), f"{path.name}: 合计"
        assert any(r and r[0] and r[0].startswith(NOTE_WORDS) for r in rows), path.name

    budget = sheets_of(folder / "2025年学校午餐及课后服务资金下达情况表.xlsx")["资金下达"]
    assert [c for c in budget[1] if c] == ["单位：万元"]
    assert "金额（万元）" in budget[3]

    correction = folder / "问题整改台账（更正）.xlsx"
    others = [p for p in folder.iterdir() if p != correction]
    assert correction.stat().st_mtime > max(p.stat().st_mtime for p in others)
    assert datetime.fromtimestamp(correction.stat().st_mtime).year == 2026

    guide = sheets_of(folder / "学校基本信息表.xlsx")["说明"]
    assert not any(header_index(guide, s) is not None for s in SOURCES)
    assert "统计" in sheets_of(folder / "2025年学校食堂问题整改台账.xlsx")


def test_bureau_cells_vary_like_real_spreadsheets(city):
    folder, _ = city
    book = openpyxl.load_workbook(folder / "2025年3月午餐及课后服务日报.xlsx", read_only=True)
    row = next(book.active.iter_rows(min_row=4, max_row=4, values_only=True))
    assert isinstance(row[0], int) and isinstance(row[1], datetime)  # number code, date cell
    book.close()

    texts = "".join(decode(p.read_bytes())[0] for p in sorted(folder.glob("*日报.csv")))
    for pattern in (r"2025/9|2025/10/\d", r"2025年\d+月\d+日", r"2025\.7\.\d", r'"1,\d{3}"'):
        assert re.search(pattern, texts), pattern
    _, spring = table(folder / "2025年春季学期在校生情况统计表.xlsx", "enrollment")
    _, autumn = table(folder / "2025年秋季学期在校生情况统计表.csv", "enrollment")
    terms = {r["term"] for _, r in spring + autumn}
    assert {"2025春", "2025年春季学期", "2025-2026学年第一学期", "2025年秋季学期"} <= terms
    assert any(re.search("[０-９]", r["enrolled"] or "") for _, r in autumn)


def test_bureau_headers_and_labels_follow_the_contract(city):
    folder, summary = city
    for written in summary.files:
        if not written.sources:
            continue
        (source,) = written.sources
        path = folder / written.name
        for name, rows in sheets_of(path).items():
            h = header_index(rows, source)
            if h is None:
                continue
            known = {norm(a) for c in SOURCES[source].columns for a in aliases(c)}
            extra = [v for v in rows[h] if v and norm(v) not in known]
            assert extra in ([], ["序号"]), f"{written.name}: {extra}"
            columns, data = table(path, source, name)
            unknown = {f.row for f in summary.flaws if f.file == written.name
                       and f.kind == "unknown_label"}  # fmt: skip
            not_bool = {f.row for f in summary.flaws if f.file == written.name
                        and f.kind == "bad_boolean"}  # fmt: skip
            for col in SOURCES[source].columns:
                if col.name not in columns:
                    continue
                values = {r: d.get(col.name) for r, d in data}
                if col.enum:
                    bad = {r for r, v in values.items() if v and v not in col.enum.values()}
                    assert bad <= unknown, f"{written.name} {col.name}: rows {sorted(bad)}"
                if col.kind == "bool":
                    assert {v for r, v in values.items() if v and r not in not_bool} <= {
                        "是", "否", "有", "无"
                    }  # fmt: skip


def test_planted_flaws_point_at_their_rows(city, city_data):
    folder, summary = city
    kinds = Counter(f.kind for f in summary.flaws)
    for kind in ("bad_date", "negative", "missing_required", "unknown_label", "duplicate_key",
                 "orphan", "out_of_range", "row_rule", "bad_term", "zero_amount", "bad_boolean",
                 "future_date"):  # fmt: skip
        assert kinds[kind] >= 1, kind
    reasons = {f.expected_reason for f in summary.flaws if f.quarantined}
    assert reasons <= set(REASONS), reasons - set(REASONS)
    for reason in ("parts_exceed_total", "exited_before_admitted", "not_positive",
                   "date_in_future", "bad_boolean", "unknown_label", "out_of_range"):  # fmt: skip
        assert reason in reasons, reason
    registry = set(city_data.schools["school_code"])
    for written in summary.files:
        flaws = [f for f in summary.flaws if f.file == written.name]
        if not flaws:
            continue
        sheets = sheets_of(folder / written.name)
        bad = [f for f in flaws if f.quarantined]
        assert len(bad) < 0.2 * written.rows, written.name
        for f in flaws:
            line = " ".join(str(c) for c in sheets[f.sheet][f.row - 1] if c is not None)
            key = f.detail.split(":")[0].split(" ")[0]
            if not (f.kind == "missing_required" and f.column == "school_code"):
                assert key in line, f"{f.line()} -> {line}"
            if f.kind == "orphan":
                assert key not in registry


TERM_FORMS = {"2025春", "2025年春季学期", "2025-2026学年第一学期", "2025年秋季学期", "2025秋"}


def breaks_its_rule(kind: str, column: str, row: dict, later: list[dict], key) -> bool:
    """Whether a planted row really fails the rule its flaw kind names."""
    value = (row.get(column) or "").strip()
    source = key[0]
    if kind == "bad_date":
        try:
            parse_day(value)
        except ValueError:
            return True
        return False
    if kind == "future_date":  # beyond the menus' window: the load date + 14 days
        return parse_day(value) > date.today() + timedelta(days=14)
    if kind == "bad_term":
        return value not in TERM_FORMS
    if kind == "bad_boolean":
        return value not in ("是", "否", "有", "无")
    if kind == "negative":
        return number(value) < 0
    if kind == "out_of_range":
        col = SOURCES[source].column(column)
        high = col.maximum if col.maximum is not None else SCORE_MAX if source == "survey" else None
        return number(value) < (col.minimum or 0) or (high is not None and number(value) > high)
    if kind == "zero_amount":
        return number(value) == 0
    if kind == "missing_required":
        return value == ""
    if kind == "unknown_label":
        col = SOURCES[source].column(column)
        return value not in (col.enum or {}).values() and value not in (col.synonyms or {})
    if kind == "duplicate_key":
        names = SOURCES[source].key
        mine = tuple(code(row[k]) for k in names)
        return any(tuple(code(r[k]) for k in names) == mine for r in later)
    if kind == "row_rule" and column == "lunch_need":
        return number(value) > number(row["enrolled"])
    if kind == "row_rule" and column == "lunch_start_date":
        return value == "" and row["lunch_mode"] != "无"
    if kind == "row_rule" and column == "closed_date":
        return row["status"] == "已整改" and (
            value == "" or parse_day(value) < parse_day(row["found_date"])
        )
    if kind == "row_rule" and column in ("meat_dishes", "online"):  # parts_exceed_total
        whole = SOURCES[source].column(column).part_of
        return number(value) > number(row[whole])
    if kind == "row_rule" and column == "exited_date":
        return parse_day(value) < parse_day(row["admitted_date"])
    raise AssertionError(f"no check for {kind} {column}")


def test_planted_flaws_really_break_a_rule(city):
    folder, summary = city
    for written in summary.files:
        flaws = [f for f in summary.flaws if f.file == written.name and f.quarantined]
        if not flaws:
            continue
        (source,) = written.sources
        for sheet in {f.sheet for f in flaws}:
            _, data = table(folder / written.name, source, sheet)
            rows = dict(data)
            for f in (f for f in flaws if f.sheet == sheet):
                later = [d for r, d in data if r > f.row]
                assert breaks_its_rule(f.kind, f.column, rows[f.row], later, (source,)), f.line()


def test_bureau_participation_equals_the_generated_data(city, city_data):
    folder, summary = city
    j = city_data
    rows = []
    for name in files_of(summary, "participation"):
        flawed = flaws_in(summary, name)
        _, data = table(folder / name, "participation")
        for r, d in data:
            if r in flawed:
                continue
            after = d.get("after_school_students")
            rows.append((code(d["school_code"]), parse_day(d["date"]),
                         int(number(d["lunch_students"])),
                         int(number(after)) if after and after.strip() else None))  # fmt: skip
    read = pl.DataFrame(rows, schema=j.participation.schema, orient="row")
    expected = j.participation.sort("school_code", "date")
    assert read.sort("school_code", "date").equals(expected)


def test_correction_reissues_ledger_keys_with_new_values(city):
    folder, _ = city
    _, ledger = table(folder / "2025年学校食堂问题整改台账.xlsx", "issues", "整改台账")
    _, fixes = table(folder / "问题整改台账（更正）.xlsx", "issues")
    before = {r["issue_id"]: r for _, r in ledger}
    assert fixes and all(r["issue_id"] in before for _, r in fixes)
    changed = [r for _, r in fixes if r["status"] != before[r["issue_id"]]["status"]]
    assert changed
    assert all(r["status"] == "已整改" and r["closed_date"] for _, r in fixes
               if r["status"] == "已整改")  # fmt: skip
    open_late = [r for _, r in ledger if r["status"] != "已整改"
                 and parse_day(r["deadline"]) < date(2025, 12, 19)]  # fmt: skip
    assert open_late, "some issues are open past their deadline"


def test_each_year_has_its_own_bureau_files_and_only_the_latest_carry_flaws(city):
    folder, summary = city
    names = {f.name for f in summary.files}
    for year in YEARS:
        for name in (f"{year}年3月午餐及课后服务日报.xlsx", f"{year}年10月午餐及课后服务日报.csv",
                     f"{year}年春季学期在校生情况统计表.xlsx", f"{year}年秋季学期在校生情况统计表.csv",
                     f"{year}年学校午餐及课后服务资金下达情况表.xlsx",
                     f"{year}年第二批课后服务资金下达明细.csv", f"{year}年1-6月资金支出明细.csv",
                     f"{year}年7-12月资金支出明细.xlsx", f"{year}年春季学期学校午餐满意度调查.csv",
                     f"{year}年秋季学期学校午餐满意度调查.xlsx",
                     f"{year}年学校食堂问题整改台账.xlsx"):  # fmt: skip
            assert name in names, name
    # the 2024 autumn term's last weeks: January 2025, in a file of its own
    assert (
        "2025年1月午餐及课后服务日报.xlsx" in names
        and "2024年1月午餐及课后服务日报.xlsx" not in names
    )
    assert not [f for f in summary.flaws if f.file.startswith("2024")]
    assert len({f.file for f in summary.flaws if f.file.startswith("2025")}) >= 15
    # a 2024 file is written in the same form as the same month of 2025
    gbk = (folder / "2024年10月午餐及课后服务日报.csv").read_bytes()
    assert "学校代码,日期,午餐人数".encode("gbk") in gbk and "郑州市2024年10月".encode("gbk") in gbk
    _, autumn = table(folder / "2024年秋季学期在校生情况统计表.csv", "enrollment")
    assert {"2024-2025学年第一学期", "2024年秋季学期", "2024秋"} == {r["term"] for _, r in autumn}
    _, lines = table(folder / "2024年学校午餐及课后服务资金下达情况表.xlsx", "budget")
    assert {r["fiscal_year"] for _, r in lines} == {"2024"}
    assert all("〔2024〕" in r["budget_id"] for _, r in lines)


def test_ledgers_carry_open_issues_into_the_next_year(city, city_data):
    folder, _ = city
    _, first = table(folder / "2024年学校食堂问题整改台账.xlsx", "issues", "整改台账")
    _, second = table(folder / "2025年学校食堂问题整改台账.xlsx", "issues", "整改台账")
    first_rows = {r["issue_id"]: r for _, r in first}
    assert all(parse_day(r["found_date"]).year == 2024 for r in first_rows.values())
    carried = [r for _, r in second if parse_day(r["found_date"]).year == 2024]
    assert carried, "issues still open at the 2024 ledger are carried over"
    for r in carried:
        if r["issue_id"] in first_rows:
            assert first_rows[r["issue_id"]]["status"] != "已整改"
    # what the loader keeps (newest file wins per issue) is the final state
    _, fixes = table(folder / "问题整改台账（更正）.xlsx", "issues")
    kept = {**first_rows, **{r["issue_id"]: r for _, r in second},
            **{r["issue_id"]: r for _, r in fixes}}  # fmt: skip
    final = city_data.issues
    status = dict(zip(final["issue_id"], final["status"], strict=True))
    label = SOURCES["issues"].column("status").enum
    wrong = [i for i, s in status.items() if kept[i]["status"] != label[s]]
    assert not wrong


# ---------------------------------------------------- supervision (1,300)

SUPERVISION = ("meal_companions", "menus", "kitchen_cameras", "canteen_checks", "suppliers",
               "deliveries", "training")  # fmt: skip
KITCHEN = ("self_run", "central_kitchen")


def test_supervision_files_per_source_and_year(city):
    """Each supervision source has files of both years (the daily ones: a file per term);
    only the latest year's carry planted rows, a few per source."""
    folder, summary = city
    for source in SUPERVISION:
        names = files_of(summary, source)
        per_term = source in ("meal_companions", "menus", "kitchen_cameras", "deliveries")
        per_year = 2 if source == "canteen_checks" else 1
        assert len(names) == (len(TERMS) if per_term else per_year * len(YEARS)), (source, names)
        for year in YEARS:
            assert [n for n in names if str(year) in n], (source, year)
        flawed = [f for f in summary.flaws if f.file in names and f.quarantined]
        assert 1 <= len(flawed) <= 6, (source, len(flawed))
        assert all(str(YEARS[-1]) in f.file for f in flawed), source
        assert summary.rows[source] > 0
        for name in names:
            assert (folder / name).stat().st_size > 0
    # the big daily sources come as platform exports (CSV); the ledgers as workbooks
    assert Counter(n.rsplit(".", 1)[1] for n in files_of(summary, "menus")) == {"csv": 4}
    assert Counter(n.rsplit(".", 1)[1] for n in files_of(summary, "canteen_checks")) == {
        "csv": 2, "xlsx": 2
    }  # fmt: skip
    checks = sheets_of(folder / "2025年食堂月调度及标准化验收记录.xlsx")
    assert {"月调度", "标准化验收"} <= set(checks)
    _, frequent = table(folder / "2025年食堂周排查及日管控记录.csv", "canteen_checks")
    assert {"周排查", "日管控"} <= {d["kind"] for _, d in frequent}


def _serving_days(j: Jurisdiction) -> pl.DataFrame:
    return j.participation.filter(pl.col("lunch_students") > 0).select("school_code", "date")


def test_supervision_follows_the_schools_and_their_days(city_data):
    """Records sit on the school days of lunch-serving schools from their lunch start;
    cameras, checks and deliveries at kitchen schools only; nothing after the as-of date
    but the menus published ahead, up to two weeks, before their week."""
    j = city_data
    schools = j.schools.select("school_code", "lunch_mode", "lunch_start_date")
    days = pl.concat([j.participation.select("school_code", "date"),
                      j.missed.select("school_code", "date")])  # fmt: skip
    for source in ("meal_companions", "menus", "kitchen_cameras", "canteen_checks", "deliveries"):
        rows = j.frame(source).filter(pl.col("date") <= DATA_END)
        joined = rows.join(schools, on="school_code")
        assert joined.height == rows.height, source
        assert joined.filter(
            (pl.col("lunch_mode") == "none") | (pl.col("date") < pl.col("lunch_start_date"))
        ).is_empty(), source
        assert rows.join(days, on=["school_code", "date"], how="anti").is_empty(), source
        if source in ("kitchen_cameras", "canteen_checks", "deliveries"):
            assert set(joined["lunch_mode"]) <= set(KITCHEN), source
    for source, column in (("meal_companions", "date"), ("kitchen_cameras", "date"),
                           ("canteen_checks", "date"), ("deliveries", "date"),
                           ("training", "date"), ("suppliers", "admitted_date"),
                           ("suppliers", "exited_date")):  # fmt: skip
        assert j.frame(source)[column].max() <= DATA_END, source
        assert j.frame(source)[column].min() >= date(2018, 1, 1), source

    menus = j.frame("menus")
    ahead = menus.filter(pl.col("date") > DATA_END)
    assert ahead.height > 0 and ahead["date"].max() <= DATA_END + timedelta(days=16)
    assert menus["published_date"].max() <= DATA_END
    monday = pl.col("date").dt.truncate("1w")
    on_time = menus.filter(pl.col("published_date") <= monday)
    assert 0.93 <= on_time.height / menus.height < 1.0, "most menus published before the week"
    assert menus["published_date"].null_count() > 0
    # a day's 陪餐 records: at most one per role, ids unique
    companions = j.frame("meal_companions")
    assert companions["record_id"].n_unique() == companions.height
    assert companions.select("school_code", "date", "role").is_duplicated().sum() == 0
    for source in SUPERVISION:
        key = SOURCES[source].key
        assert not j.frame(source).select(key).is_duplicated().any(), source
        names = [c.name for c in SOURCES[source].columns if c.name.endswith(("_name", "inspector"))
                 and c.kind == "text"]  # fmt: skip
        for column in names:  # personal names are synthetic: a surname and 某
            assert j.frame(source)[column].drop_nulls().str.contains("^.某{1,2}$").all(), column


def _rate(frame: pl.DataFrame, hit: str, by: str = "district_code") -> dict[str, float]:
    return dict(frame.group_by(by).agg(pl.col(hit).mean()).iter_rows())


def test_supervision_is_calibrated_on_the_seeds(city_data):
    """The latest year near the seeds' figures (明厨亮灶 覆盖率 and 在线率 near 100 %, 陪餐 on
    most serving days, most menus 两菜一水果加主食, bulk food mostly unified from certified
    suppliers, training of Huzhu's order per school, a few suppliers in and out), with
    districts apart and the year before a little lower in most."""
    j = city_data
    schools = j.schools.select("school_code", "district_code", "lunch_mode", "active")
    year = pl.col("date").dt.year().alias("year")
    serving = _serving_days(j).with_columns(year).join(schools, on="school_code")
    leader = j.meal_companions.filter(pl.col("role") == "school_leader").select(
        "school_code", "date", lead=pl.lit(True)
    )
    meals = serving.join(leader, on=["school_code", "date"], how="left").with_columns(
        pl.col("lead").fill_null(False)
    )
    menus = (
        j.menus.filter(pl.col("date") <= DATA_END)
        .with_columns(year, ok=(pl.col("dishes") >= 2) & pl.col("has_fruit") & pl.col("has_staple"))
        .join(schools, on="school_code")
    )
    cams = j.kitchen_cameras.with_columns(year).join(schools, on="school_code")
    bulk = (
        j.deliveries.filter(pl.col("category").is_in(BULK_CATEGORIES))
        .with_columns(year)
        .join(schools, on="school_code")
        .join(j.suppliers, on="supplier_id", how="left", suffix="_supplier")
        .with_columns(
            certified=(
                pl.col("certified").fill_null(False)
                & (pl.col("admitted_date") <= pl.col("date"))
                & (pl.col("exited_date").is_null() | (pl.col("date") < pl.col("exited_date")))
            ).fill_null(False)
        )
    )
    latest = {
        "leader": _rate(meals.filter(pl.col("year") == YEARS[-1]), "lead"),
        "menus": _rate(menus.filter(pl.col("year") == YEARS[-1]), "ok"),
    }
    before = {
        "leader": _rate(meals.filter(pl.col("year") == YEARS[0]), "lead"),
        "menus": _rate(menus.filter(pl.col("year") == YEARS[0]), "ok"),
    }
    city = {
        "leader": meals.filter(pl.col("year") == YEARS[-1])["lead"].mean(),
        "menus": menus.filter(pl.col("year") == YEARS[-1])["ok"].mean(),
    }
    assert 0.92 <= city["leader"] <= 0.99
    assert 0.94 <= city["menus"] <= 0.99
    for kpi, rates in latest.items():
        assert len(rates) == 16
        assert min(rates.values()) < 0.95 < max(rates.values()), kpi  # statuses differ
        better = sum(rates[d] > before[kpi][d] for d in rates)
        assert 8 <= better < 16, (kpi, better)

    now = cams.filter(pl.col("year") == YEARS[-1])
    assert 0.985 <= now["online"].sum() / now["cameras"].sum() < 1.0
    term = cams.filter(pl.col("date") >= TERMS[-1].first_day)
    online = term.group_by("district_code").agg(pl.col("online").sum() / pl.col("cameras").sum())
    assert 1 <= (online["online"] == 1.0).sum() <= 5, "a few districts keep every camera online"
    kitchens = schools.filter(pl.col("active") & pl.col("lunch_mode").is_in(KITCHEN))
    covered = now.filter(pl.col("cameras") >= 1)["school_code"].unique()
    coverage = kitchens["school_code"].is_in(covered.implode()).mean()
    assert 0.98 <= coverage < 1.0

    money = bulk.filter(pl.col("year") == YEARS[-1])
    total = money["amount"].sum()
    unified = money.filter("unified")["amount"].sum() / total
    certified = money.filter("certified")["amount"].sum() / total
    assert 0.95 <= unified < 1.0
    assert 0.9 <= certified < unified
    assert money.filter(pl.col("supplier_name").is_null()).height > 0, "unregistered vendors"
    assert money.filter(pl.col("exited_date") <= pl.col("date")).height > 0, "after an exit"
    by_district = money.group_by("district_code").agg(
        (pl.col("amount") * pl.col("certified")).sum() / pl.col("amount").sum()
    )
    assert by_district["amount"].min() < 0.9, "one district buys grain uncertified"

    weeks = (
        serving.join(kitchens, on="school_code")
        .filter(pl.col("year") == YEARS[-1])
        .select("school_code", week=pl.col("date").dt.truncate("1w"))
        .unique()
    )
    weekly = j.canteen_checks.filter(pl.col("kind") == "weekly").select(
        "school_code", week=pl.col("date").dt.truncate("1w"), checked=pl.lit(True)
    )
    rate = weeks.join(weekly.unique(), on=["school_code", "week"], how="left")["checked"]
    assert 0.9 <= rate.fill_null(False).mean() <= 0.99

    training = j.training.with_columns(year).group_by("year").agg(pl.col("person_times").sum())
    per_school = dict(training.iter_rows())[YEARS[-1]] / j.schools["active"].sum()
    assert 12 <= per_school <= 22, "Huzhu: 1,050 人次 for 63 schools"

    suppliers = j.suppliers
    for y in YEARS:
        exited = suppliers.filter(pl.col("exited_date").dt.year() == y).height
        admitted = suppliers.filter(pl.col("admitted_date").dt.year() == y).height
        assert 3 <= exited < admitted <= 30, (y, exited, admitted)
    both = suppliers.filter(
        (pl.col("admitted_date").dt.year() == YEARS[-1])
        & (pl.col("exited_date").dt.year() == YEARS[-1])
    )
    assert both.height >= 1, "a supplier admitted and exited within the year"
    assert suppliers["district_code"].null_count() >= 1, "a city-wide supplier"
    assert (suppliers["exited_date"] > suppliers["admitted_date"]).all()

    standard = j.canteen_checks.filter(pl.col("kind") == "standard").sort("date")
    last = standard.group_by("school_code").agg(pl.col("result").last())
    passed = kitchens.join(last, on="school_code", how="left")["result"] == "pass"
    assert 0.88 <= passed.fill_null(False).mean() < 1.0


def test_bureau_supervision_files_hold_the_generated_data(city, city_data):
    """What the camera files say, read back, is the generated snapshots (bar the planted
    rows); the latest registry file lists every supplier in its final state."""
    folder, summary = city
    j = city_data
    rows = []
    for name in files_of(summary, "kitchen_cameras"):
        flawed = flaws_in(summary, name)
        _, data = table(folder / name, "kitchen_cameras")
        for r, d in data:
            if r not in flawed:
                rows.append((code(d["school_code"]), parse_day(d["date"]),
                             int(number(d["cameras"])), int(number(d["online"]))))  # fmt: skip
    expected = j.kitchen_cameras.sort("school_code", "date")
    read = pl.DataFrame(rows, schema=expected.schema, orient="row").sort("school_code", "date")
    assert read.height == expected.height - 4  # two rows marked in each 2025 file
    assert read.join(expected, on=list(expected.columns), how="anti").is_empty()

    _, listed = table(folder / f"{YEARS[-1]}年大宗食材配送企业名录.xlsx", "suppliers", "名录")
    flawed = flaws_in(summary, f"{YEARS[-1]}年大宗食材配送企业名录.xlsx")
    kept = {d["supplier_id"]: d for r, d in listed if r not in flawed}
    assert set(kept) == set(j.suppliers["supplier_id"])
    for s in j.suppliers.iter_rows(named=True):
        d = kept[s["supplier_id"]]
        assert (d["exited_date"] is not None) == (s["exited_date"] is not None)
        assert (d["district_code"] or None) == s["district_code"]
    _, earlier = table(folder / f"{YEARS[0]}年大宗食材配送企业名录.xlsx", "suppliers", "名录")
    exited_later = set(
        j.suppliers.filter(
            (pl.col("exited_date").dt.year() == YEARS[-1])
            & (pl.col("admitted_date").dt.year() < YEARS[-1])
        )["supplier_id"]
    )
    still_in = {d["supplier_id"] for _, d in earlier if d["exited_date"] is None}
    assert exited_later and exited_later <= still_in, "the newer list carries the exit"


def test_the_loaded_sample_shows_year_on_year_change(demo_warehouse):
    """同比 shows on the dashboard: the latest term, month and year of the built sample
    have the same period a year before, for every district on the coverage KPIs and
    overall for every KPI."""
    wh = Warehouse(demo_warehouse)
    latest = TERMS[-1].code
    year_ago = fmt.same_period_last_year("term", latest)
    assert year_ago == "2024-autumn"
    now, before = (queries.kpi_district(wh, "term", p) for p in (latest, year_ago))
    districts = set(now["district_code"])
    assert len(districts) == 16
    last_year = {(r.district_code, r.kpi): r.value for r in before.itertuples()}
    for kpi in ("lunch_coverage", "after_school_coverage", "eating_share"):
        rows = now[now["kpi"] == kpi]
        assert set(rows["district_code"]) == districts
        for r in rows.itertuples():
            text = charts.comparisons(r.value, r.unit, None, last_year[r.district_code, kpi], "zh")
            assert text.startswith("同比 "), (kpi, r.district_code, text)

    for period_type, period in (("term", latest), ("month", "2025-12")):
        current = queries.kpi_overall(wh, period_type, period)
        previous = fmt.same_period_last_year(period_type, period)
        cards = charts.kpi_cards(current, None, "zh", "", queries.kpi_overall(
            wh, period_type, previous), fmt.period(previous, "zh"))  # fmt: skip
        shown = [c for c in cards if not fmt.is_missing(c.value)]
        assert len(shown) >= 8, period
        assert all(c.yoy_text for c in shown), [c.kpi for c in shown if not c.yoy_text]
    years = queries.kpi_overall(wh, "year", "2024")
    assert (
        years["value"].notna().sum()
        == queries.kpi_overall(wh, "year", "2025")["value"].notna().sum()
        > 0
    )


def test_summary_and_readme_say_the_data_is_synthetic(city):
    folder, summary = city
    text = str(summary)
    assert "SYNTHETIC" in text and "合成" in text and "1,300" in text
    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower() and "合成" in readme
    for written in summary.files:
        if written.name != "README.txt":
            assert written.name in readme
    assert all(f.line() in readme for f in summary.flaws)


# ------------------------------------------------------------ bad options


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schools": 5}, "between"),
        ({"schools": 45_000}, "--clean"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_bad_options_are_refused(tmp_path, kwargs, message):
    with pytest.raises(GenerateError, match=message):
        generate(tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_a_folder_with_other_files_is_left_alone(tmp_path):
    (tmp_path / "我的文件.xlsx").write_bytes(b"keep")
    with pytest.raises(GenerateError, match="Choose an empty"):
        generate(tmp_path, schools=20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["我的文件.xlsx"]
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(GenerateError, match="not a folder"):
        generate(target, schools=20)


def test_a_previous_sample_is_replaced(tmp_path):
    generate(tmp_path, schools=20)
    generate(tmp_path, schools=20, clean=True)
    names = {p.name for p in tmp_path.iterdir()}
    assert "schools.csv" in names
    assert not [n for n in names if n.endswith(".xlsx")]
