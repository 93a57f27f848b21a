"""The project documents itself: docs/ describes the code, and nothing points elsewhere.

- No file of the repository points outside it (a parent folder of the checkout, an
  absolute path of one machine) or at the design notes the docs replaced.
- Every citation of a docs/ page (`docs/kpis.md#status` in code, relative links in
  Markdown) names a file that exists and, with `#anchor`, one of its headings.
- Every source, column, Chinese header and enumeration value of the contract, every
  quarantine reason, every KPI of the seed and every command is documented.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from schoolwh.core.reasons import REASONS
from schoolwh.core.settings import DBT_DIR, PROJECT_ROOT
from schoolwh.core.sources import SOURCES

DOCS = PROJECT_ROOT / "docs"
CONTRACT = DOCS / "contract.md"
KPIS = DOCS / "kpis.md"
ARCHITECTURE = DOCS / "architecture.md"
SEED = DBT_DIR / "seeds" / "kpi_definitions.csv"

# Folders never scanned when the file list does not come from git.
SKIP_DIRS = {
    ".git",
    ".venv",
    ".tools",
    "data",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "target",
    "logs",
    "dbt_packages",
    "spark-warehouse",
    "metastore_db",
    "work",
}

# What no file may contain.
FORBIDDEN = {
    "a parent folder of the checkout": re.compile(
        r"\.\./shared\b|(?<![\w.])shared/(?:design|seeds)/"
    ),
    "an absolute path of one machine": re.compile(r"(?<![\w.~-])/(?:work|home/\w+|Users)/"),
    "a design note instead of docs/": re.compile(
        r"\b(?:data-contract|house-style)\b|\bworked-example\.md\b|\bdesign/[\w-]+\.md\b"
        r"|(?<![\w/.-])(?:glossary|layout)\.md\b"
    ),
    "a section number (cite docs/<page>.md#<heading>)": re.compile(r"§\s*\d"),
}
# docs/<page>.md[#anchor] written from the repository's root (code, yml, any Markdown).
CITATION = re.compile(r"(?<![\w/.-])docs/([\w.-]+\.md)(?:#([A-Za-z0-9_-]+))?")
# A page of docs/ named without its folder, outside docs/ (where links are relative).
BARE_PAGE = re.compile(r"(?<![\w/.-])(kpis|contract|architecture)\.md\b")
# Markdown links and images: [text](target) / ![alt](target).
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def repo_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """The repository's files: tracked and new ones (git's view), else a careful walk."""
    git = shutil.which("git")
    if git and (root / ".git").exists():
        listed = subprocess.run(
            [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        return sorted({root / name for name in listed.split("\0") if name})
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        found.extend(Path(folder) / f for f in files)
    return sorted(found)


def text_of(path: Path) -> str | None:
    """The file as text; None for binary files (images, workbooks) and vanished files."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rules) gives a heading."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading anchor of a Markdown text (repeated headings get -1, -2, …)."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        m = HEADING.match(line)
        if fenced or not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def _anchor_problem(page: Path, anchor: str | None, cache: dict[Path, set[str]]) -> str | None:
    if not page.is_file():
        return "no such file"
    if anchor:
        if page not in cache:
            cache[page] = anchors(page.read_text(encoding="utf-8"))
        if anchor not in cache[page]:
            return f"no heading #{anchor} in {page.name}"
    return None


def problems_in(path: Path, text: str, root: Path = PROJECT_ROOT) -> list[str]:
    """Every broken or outward reference in one file, as 'file:line: what'."""
    rel = path.relative_to(root).as_posix()
    in_docs = rel.startswith("docs/")
    cache: dict[Path, set[str]] = {}
    found = []

    def where(pos: int) -> str:
        return f"{rel}:{text.count(chr(10), 0, pos) + 1}"

    for what, pattern in FORBIDDEN.items():
        for m in pattern.finditer(text):
            found.append(f"{where(m.start())}: {m.group(0)!r} is {what}")
    for m in CITATION.finditer(text):
        problem = _anchor_problem(root / "docs" / m.group(1), m.group(2), cache)
        if problem:
            found.append(f"{where(m.start())}: {m.group(0)} cites {problem}")
    if not in_docs:
        for m in BARE_PAGE.finditer(text):
            found.append(f"{where(m.start())}: {m.group(0)} without docs/ (cite docs/{m.group(0)})")
    if path.suffix == ".md":
        for m in LINK.finditer(text):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
                continue
            name, _, anchor = target.partition("#")
            page = (path.parent / name).resolve() if name else path
            if name and not page.is_relative_to(root.resolve()):
                found.append(f"{where(m.start())}: link {target} leaves the repository")
                continue
            if name and page.suffix != ".md":
                if not page.exists():
                    found.append(f"{where(m.start())}: link {target}: no such file")
                continue
            problem = _anchor_problem(page, anchor or None, cache)
            if problem:
                found.append(f"{where(m.start())}: link {target}: {problem}")
    return found


def test_nothing_points_outside_the_repository_or_at_a_missing_doc() -> None:
    found = []
    for path in repo_files():
        if path.resolve() == Path(__file__).resolve():
            continue  # its own examples of bad references are below
        text = text_of(path)
        if text is not None:
            found += problems_in(path, text)
    assert not found, "\n".join(found)


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    """The scanner itself: each kind of bad reference in a small fake repository."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "kpis.md").write_text("# KPIs\n\n## Status\n\n## Status\n")
    good = "see docs/kpis.md#status and docs/kpis.md#status-1 and docs/kpis.md\n"
    code = tmp_path / "m.py"
    assert problems_in(code, good, tmp_path) == []
    bad = [
        "see docs/kpis.md#no-such-heading",
        "see docs/nothing.md",
        "the KPI rules of kpis.md",
        "as in " + "../" + "shared/design/kpis.md",
        "read /" + "work/main/docs/kpis.md",
        "see data-" + "contract Part 1",
        "row rules of §1.2",
    ]
    for line in bad:
        assert problems_in(code, line, tmp_path), line
    readme = tmp_path / "README.md"
    assert problems_in(readme, "[k](docs/kpis.md#status) ![i](docs/kpis.md)", tmp_path) == []
    for link in ("[k](docs/kpis.md#nope)", "[i](docs/missing.png)", "[o](../elsewhere.md)"):
        assert problems_in(readme, link, tmp_path), link
    page = tmp_path / "docs" / "kpis.md"
    assert problems_in(page, "[s](#status) [k](kpis.md)", tmp_path) == []
    assert problems_in(page, "[s](#nope)", tmp_path)


def test_slugs_follow_the_renderer() -> None:
    assert slug("The 20 % rule") == "the-20--rule"
    assert slug("`lunch_coverage`") == "lunch_coverage"
    assert slug("Files a bureau may send") == "files-a-bureau-may-send"
    assert slug("See [kpis](kpis.md)") == "see-kpis"


def test_docs_have_the_three_pages() -> None:
    for page, heading in (
        (CONTRACT, "sources"),
        (KPIS, "the-kpis"),
        (ARCHITECTURE, "packages-and-layers"),
    ):
        assert heading in anchors(page.read_text(encoding="utf-8")), page.name


@pytest.mark.parametrize("name", SOURCES)
def test_every_source_and_column_is_documented(name: str) -> None:
    source = SOURCES[name]
    contract = CONTRACT.read_text(encoding="utf-8")
    assert name in anchors(contract), f"docs/contract.md has no heading for source {name}"
    section = contract.split(f"\n### {name}\n", 1)[1].split("\n#", 1)[0]
    missing = []
    for column in source.columns:
        if f"`{column.name}`" not in section:
            missing.append(column.name)
        missing += [f"{column.name}: {a}" for a in column.aliases if a not in section]
        for value, label in (column.enum or {}).items():
            if f"`{value}` {label}" not in section:
                missing.append(f"{column.name}: `{value}` {label}")
        row = next((r for r in section.splitlines() if r.startswith(f"| `{column.name}` |")), "")
        for label, value in (column.synonyms or {}).items():
            if label not in row or f"(`{value}`)" not in row:
                missing.append(f"{column.name}: synonym {label} (`{value}`)")
    intro = section.strip().split("\n\n", 1)[0]
    missing += [f"key {key}" for key in source.key if f"`{key}`" not in intro]
    assert not missing, f"docs/contract.md, source {name}, lacks: {missing}"


@pytest.mark.parametrize("name", SOURCES)
def test_every_row_rule_is_documented(name: str) -> None:
    """Each rule of ingest/rules.py is a row of the per-source table of Row rules."""
    import datetime as dt

    from ingest.rules import rules_for

    contract = CONTRACT.read_text(encoding="utf-8")
    section = contract.split("\n## Row rules\n", 1)[1].split("\n## ", 1)[0]
    missing = [
        f"{rule.column}: {rule.reason}"
        for rule in rules_for(name, dt.date(2026, 1, 15))
        if f"| {name} | `{rule.column}` | `{rule.reason}` |" not in section
    ]
    assert not missing, f"docs/contract.md#row-rules, source {name}, lacks: {missing}"


@pytest.mark.parametrize("code", REASONS)
def test_every_quarantine_reason_is_documented(code: str) -> None:
    contract = CONTRACT.read_text(encoding="utf-8")
    section = contract.split("\n## Quarantine reasons\n", 1)[1].split("\n## ", 1)[0]
    zh, en = REASONS[code]
    assert f"| `{code}` | {zh} | {en} |" in section, f"reason {code} is not in the table"


def _seed() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("kpi", [row["kpi"] for row in _seed()])
def test_every_kpi_is_documented(kpi: str) -> None:
    row = next(r for r in _seed() if r["kpi"] == kpi)
    text = KPIS.read_text(encoding="utf-8")
    assert kpi in anchors(text), f"docs/kpis.md has no heading for {kpi}"
    section = " ".join(text.split(f"\n### {kpi}\n", 1)[1].split("\n#", 1)[0].split())
    assert row["name_zh"] in section, f"{kpi}: the Chinese name {row['name_zh']} is not given"
    assert row["name_en"] in text, f"{kpi}: the English name {row['name_en']} is not given"
    if row["target"]:
        assert f"Target {float(row['target']):.2f}" in section, f"{kpi}: target differs"
    else:
        assert "No target" in section or "no target" in section, f"{kpi}: has no target"
    if row["near_band"]:
        assert f"near band {float(row['near_band']):.2f}" in section, f"{kpi}: near band"


def test_docs_pages_are_all_reached_from_the_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        assert f"(docs/{page.name}" in readme, f"README does not link docs/{page.name}"


def _commands() -> list[str]:
    from schoolwh.cli import app

    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


def test_every_command_is_documented() -> None:
    contract = CONTRACT.read_text(encoding="utf-8")
    section = contract.split("\n## The command line\n", 1)[1].split("\n## ", 1)[0]
    # `schoolwh users add\|list ...` → ["schoolwh", "users", "add", "list", ...]
    documented = [
        re.split(r"[\s\\|]+", line.split("`")[1])
        for line in section.splitlines()
        if line.startswith("| `schoolwh ")
    ]
    missing = []
    for name in _commands():
        group, _, sub = name.partition(" ")
        if not any(w[1] == group and (not sub or sub in w[2:]) for w in documented):
            missing.append(name)
    assert not missing, f"docs/contract.md#the-command-line lacks: {missing}"
