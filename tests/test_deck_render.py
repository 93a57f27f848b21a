"""The briefing deck as LibreOffice Impress draws it: `schoolwh briefing`'s PPTX (of the demo
warehouse: the whole city in Chinese, one district in English) converted to PDF by headless
`soffice`, then read back with poppler (`pdftotext -raw -bbox`, word boxes in drawing
order). Slide by slide, in PowerPoint's geometry every shape is on the slide and every
table between the side margins and above the footer rule; from the rendered geometry:

- every text of every text box and table cell is on the page (nothing lost);
- no word lies outside the page;
- no word runs out of its own text box or table cell (LibreOffice cuts a cell's text at the
  cell's edge; PowerPoint grows the row instead, so the table no longer fits its place);
- text (of tables and text boxes) stays within the side margins and above the footer rule
  (the footer carries the sample mark and the slide number);
- the words of two text boxes or cells never overlap;
- the first slide of the sample warehouse's deck says 示例数据（合成）.

A deck made on purpose with tables that do not fit (by the deck's own table code) shows
that the check catches cut and overflowing text; `table_layout` is also tested alone.

Needs LibreOffice Impress (Debian's `libreoffice-impress`) and poppler-utils; the deck's
figures need Chromium. Without them these tests skip, unless REQUIRE_OFFICE=1 (CI), which
makes a missing LibreOffice or poppler a failure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import needs_browser, require_office
from pptx import Presentation
from pptx.util import Inches

from schoolwh.briefing import deck as dk
from schoolwh.briefing import make_briefing
from schoolwh.briefing.scope import Scope
from schoolwh.reading.i18n import t

PERIOD = "2025-autumn"
SAMPLE_MARK = "示例数据（合成）"
EMU_PER_PT = 12_700
TOLERANCE = 1.5  # pt: a glyph's box may touch its frame's edge
OVERLAP = 1.0  # pt: two words overlap when they share more than this in both directions
# Closing punctuation may hang past a line's end by its width (LibreOffice's default for
# Chinese text), about one em: a word box's height is 1.3 em.
HANGING = "，。、；：！？）」』》】〕,.;:!?)"


# ---------------------------------------------------------------------------------------
# tools: LibreOffice and poppler
# ---------------------------------------------------------------------------------------
def office_or_skip() -> tuple[str, str]:
    """soffice's and pdftotext's paths; the test is skipped (failed under REQUIRE_OFFICE=1)
    without them."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    if soffice and pdftotext:
        return soffice, pdftotext
    message = (
        "LibreOffice Impress and poppler-utils are needed "
        "(apt-get install libreoffice-impress poppler-utils)"
    )
    if require_office():
        pytest.fail(f"REQUIRE_OFFICE=1 but: {message}")
    pytest.skip(message)


def to_pdf(pptx: Path, work: Path) -> Path:
    """The deck converted by headless LibreOffice, with a profile of its own."""
    soffice, _ = office_or_skip()
    out = work / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    profile = (work / "lo-profile").resolve().as_uri()
    command = [
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(pptx),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=240)
    except subprocess.TimeoutExpired:
        pytest.fail(f"LibreOffice did not convert {pptx.name} to PDF within 240 s")
    pdf = out / f"{pptx.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no PDF ({done.returncode}): {done.stderr[-2000:]}"
    return pdf


# ---------------------------------------------------------------------------------------
# the rendered words and the deck's boxes
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, other: Rect, tol: float = TOLERANCE) -> bool:
        return (
            other.x0 >= self.x0 - tol
            and other.y0 >= self.y0 - tol
            and other.x1 <= self.x1 + tol
            and other.y1 <= self.y1 + tol
        )

    def overlaps(self, other: Rect, by: float = OVERLAP) -> bool:
        dx = min(self.x1, other.x1) - max(self.x0, other.x0)
        dy = min(self.y1, other.y1) - max(self.y0, other.y0)
        return dx > by and dy > by


@dataclass(frozen=True)
class Word:
    text: str
    rect: Rect


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: list[Word]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>',
    re.S,
)


def rendered_pages(pdf: Path) -> list[Page]:
    """Every page's size and word boxes (pt, origin top left), in drawing order."""
    _, pdftotext = office_or_skip()
    out = subprocess.run(
        [pdftotext, "-raw", "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    pages = []
    for width, height, body in _PAGE.findall(out):
        words = [
            Word(html.unescape(text), Rect(*(float(v) for v in (x0, y0, x1, y1))))
            for x0, y0, x1, y1, text in _WORD.findall(body)
        ]
        pages.append(Page(float(width), float(height), words))
    return pages


def norm(text: str) -> str:
    """Text as compared: compatibility forms folded, no white space (LibreOffice spaces
    Chinese from Latin text and wraps lines)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def pt(emu: int) -> float:
    return emu / EMU_PER_PT


@dataclass(frozen=True)
class Box:
    """A text of the deck where it was placed: a text box (or a shape's text) or a cell."""

    label: str  # for messages: "text box 7", "table 12 cell (3, 2)"
    shape: int  # the shape's id: cells of one table share it
    text: str
    rect: Rect
    in_table: bool


def slide_boxes(slide) -> list[Box]:
    """The slide's texts in drawing order (shape order; a table's cells row by row)."""
    boxes = []
    for shape in slide.shapes:
        left, top = shape.left, shape.top
        if shape.has_table:
            table = shape.table
            widths = [c.width for c in table.columns]
            heights = [r.height for r in table.rows]
            y = top
            for r, row in enumerate(table.rows):
                x = left
                for c, cell in enumerate(row.cells):
                    if norm(cell.text):
                        rect = Rect(pt(x), pt(y), pt(x + widths[c]), pt(y + heights[r]))
                        label = f"table {shape.shape_id} cell ({r}, {c})"
                        boxes.append(Box(label, shape.shape_id, norm(cell.text), rect, True))
                    x += widths[c]
                y += heights[r]
        elif shape.has_text_frame and norm(shape.text_frame.text):
            rect = Rect(pt(left), pt(top), pt(left + shape.width), pt(top + shape.height))
            label = f"text box {shape.shape_id}"
            boxes.append(Box(label, shape.shape_id, norm(shape.text_frame.text), rect, False))
    return boxes


def place(boxes: list[Box], words: list[Word]) -> tuple[dict[int, list[Word]], list[Box]]:
    """Each box's rendered words, found in drawing order; the boxes not found."""
    chars: list[str] = []
    owner: list[int] = []
    for i, word in enumerate(words):
        text = norm(word.text)
        chars.append(text)
        owner.extend([i] * len(text))
    stream = "".join(chars)
    found: dict[int, list[Word]] = {}
    missing = []
    pos = 0
    for b, box in enumerate(boxes):
        at = stream.find(box.text, pos)
        if at < 0:
            missing.append(box)
            continue
        found[b] = [words[i] for i in sorted(set(owner[at : at + len(box.text)]))]
        pos = at + len(box.text)
    return found, missing


def short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:23]}…"


def page_problems(number: int, slide, page: Page) -> list[str]:
    """What is wrong with one rendered slide, one sentence each (empty when nothing)."""
    problems = []
    boxes = slide_boxes(slide)
    found, missing = place(boxes, page.words)
    where = f"slide {number}"
    for box in missing:
        problems.append(f"{where}: {box.label} «{short(box.text)}» is not on the page")
    sheet = Rect(0, 0, page.width, page.height)
    for word in page.words:
        if not sheet.holds(word.rect, tol=0.5):
            problems.append(f"{where}: «{word.text}» lies outside the page at {word.rect}")
    body = Rect(pt(dk.MARGIN), 0, page.width - pt(dk.MARGIN), pt(dk.FOOTER_RULE_Y) - TOLERANCE / 2)
    for b, words in found.items():
        box = boxes[b]
        for word in words:
            hang = (word.rect.y1 - word.rect.y0) / 1.3 if word.text[-1] in HANGING else 0
            frame = dataclasses.replace(box.rect, x1=box.rect.x1 + hang)
            if not frame.holds(word.rect):
                problems.append(
                    f"{where}: {box.label} «{short(box.text)}»: «{word.text}» runs out of "
                    f"its {'cell' if box.in_table else 'box'} (cut) at {word.rect}"
                )
            in_body = box.rect.y0 < pt(dk.FOOTER_RULE_Y)  # not the footer itself
            if in_body and not body.holds(word.rect, tol=0):
                problems.append(
                    f"{where}: {box.label} «{short(box.text)}»: «{word.text}» runs into the "
                    f"margin or the footer at {word.rect}"
                )
    placed = sorted(found.items())
    for i, (a, words_a) in enumerate(placed):
        for b, words_b in placed[i + 1 :]:
            hit = next(
                (
                    (wa, wb)
                    for wa in words_a
                    for wb in words_b
                    if wa is not wb and wa.rect.overlaps(wb.rect)
                ),
                None,
            )
            if hit:
                problems.append(
                    f"{where}: {boxes[a].label} «{short(boxes[a].text)}» overlaps "
                    f"{boxes[b].label} «{short(boxes[b].text)}» («{hit[0].text}» / "
                    f"«{hit[1].text}»)"
                )
    return problems


def geometry_problems(number: int, slide, prs) -> list[str]:
    """PowerPoint's geometry, before any renderer: every shape on the slide, every table
    between the side margins and above the footer rule."""
    problems = []
    for shape in slide.shapes:
        right, bottom = shape.left + shape.width, shape.top + shape.height
        if shape.left < 0 or shape.top < 0 or right > prs.slide_width or bottom > prs.slide_height:
            problems.append(f"slide {number}: shape {shape.shape_id} reaches off the slide")
        if shape.has_table:
            right = shape.left + sum(c.width for c in shape.table.columns)
            bottom = shape.top + sum(r.height for r in shape.table.rows)
            if shape.left < dk.MARGIN or right > dk.BODY_RIGHT or bottom > dk.FOOTER_RULE_Y:
                problems.append(
                    f"slide {number}: table {shape.shape_id} reaches into the margin or the "
                    f"footer ({pt(shape.left):.0f}–{pt(right):.0f} pt across, down to "
                    f"{pt(bottom):.0f} pt; the footer rule is at {pt(dk.FOOTER_RULE_Y):.0f} pt)"
                )
    return problems


def deck_problems(pptx: Path, pdf: Path) -> list[str]:
    prs = Presentation(str(pptx))
    pages = rendered_pages(pdf)
    assert len(pages) == len(prs.slides), "LibreOffice drew one page per slide"
    problems = []
    for number, (slide, page) in enumerate(zip(prs.slides, pages, strict=True), start=1):
        assert abs(page.width - pt(prs.slide_width)) < 1, "the page is the slide's size"
        problems += geometry_problems(number, slide, prs)
        problems += page_problems(number, slide, page)
    return problems


# ---------------------------------------------------------------------------------------
# the deck of the demo warehouse (the generator's synthetic sample)
# ---------------------------------------------------------------------------------------
DECKS = {
    "zh-whole": {"lang": "zh"},  # what `schoolwh briefing` writes by default
    "en-district": {"lang": "en", "district": "金水区"},  # longer words, one district
}


@pytest.fixture(scope="module", params=sorted(DECKS))
def rendered(request, demo_warehouse, tmp_path_factory) -> tuple[str, Path, Path]:
    office_or_skip()
    needs_browser()
    work = tmp_path_factory.mktemp(f"deck_{request.param}")
    options = DECKS[request.param]
    result = make_briefing(demo_warehouse, PERIOD, work / "briefing", **options)
    return options["lang"], result.deck, to_pdf(result.deck, work)


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_every_slide_renders_whole_in_libreoffice(rendered):
    _, pptx, pdf = rendered
    problems = deck_problems(pptx, pdf)
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_first_slide_says_the_data_is_synthetic(rendered):
    lang, _, pdf = rendered
    mark = SAMPLE_MARK if lang == "zh" else t("sample.label", lang)
    first = "".join(norm(w.text) for w in rendered_pages(pdf)[0].words)
    assert norm(mark) in first


# ---------------------------------------------------------------------------------------
# the check itself catches a table that does not fit (made by the deck's own table code)
# ---------------------------------------------------------------------------------------
def small_deck(sample: bool = True) -> dk.Deck:
    day = dt.date(2025, 12, 31)
    scope = Scope(
        period_type="term",
        period=PERIOD,
        previous=None,
        start=dt.date(2025, 9, 1),
        end=day,
        as_of=day,
        district_code=None,
        district_name=None,
        district_count=2,
        jurisdiction="郑州市",
        lang="zh",
    )
    return dk.Deck(scope, sample=sample)


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_the_check_catches_a_table_that_does_not_fit(tmp_path):
    office_or_skip()
    deck = small_deck()
    header = ["学校", "原因", "行数"]
    reason = "同一文件中主键重复，以后出现的一行为准（保留最后一行，其余各行进入隔离区）"
    rows = [[f"学校 {i}", reason, str(i)] for i in range(14)]
    width = Inches(6)

    def table(title: str, layout: dk.TableLayout) -> None:
        dk._table(deck._slide(title), dk.MARGIN, dk.BODY_TOP, layout, header, rows)

    # laid out for its place: the rows that fit, each as high as its wrapped text
    fitted = dk.table_layout(
        header, rows, width, sizes=(11,), max_height=dk.BODY_BOTTOM - dk.BODY_TOP
    )
    assert 0 < fitted.shown < len(rows)
    assert len(set(fitted.heights[1:])) == 1 and fitted.heights[1] > Inches(0.4)
    table("放得下", fitted)
    # every row, past the footer
    table("行数过多", dk.table_layout(header, rows, width, sizes=(11,)))
    # one-line rows (as the deck had them): the wrapped reasons are cut
    table("行高不足", dataclasses.replace(fitted, heights=(Inches(0.4),) * (fitted.shown + 1)))
    pptx = tmp_path / "tables.pptx"
    pptx.write_bytes(deck.to_bytes())
    problems = deck_problems(pptx, to_pdf(pptx, tmp_path))
    on = {n: [p for p in problems if p.startswith(f"slide {n}:")] for n in (1, 2, 3)}
    assert on[1] == [], on[1]
    assert any("footer" in p for p in on[2]), on[2]
    assert any("not on the page" in p for p in on[2]), on[2]  # the rows past the slide's end
    assert any("overlaps" in p for p in on[2]), on[2]  # the footer's text and the table's
    assert on[3] and all("(cut)" in p for p in on[3]), on[3]


# ---------------------------------------------------------------------------------------
# the layout the deck computes before any renderer (no LibreOffice needed)
# ---------------------------------------------------------------------------------------
def test_table_layout_fits_its_width_and_height():
    header = ["学校", "原因", "行数"]
    short = ["学校 1", "超出允许范围", "3"]
    long = [
        "学校 2",
        "同一文件中主键重复，以后出现的一行为准（保留最后一行，其余各行进入隔离区）",
        "2",
    ]
    width = Inches(6)
    layout = dk.table_layout(header, [short, long], width, sizes=(11,))
    assert sum(layout.widths) == width and layout.shown == 2
    assert layout.heights[2] > layout.heights[1] == Inches(0.4)  # the long reason wraps
    assert layout.widths[1] > layout.widths[0] > layout.widths[2]
    room = dk.BODY_BOTTOM - dk.BODY_TOP
    many = dk.table_layout(header, [long] * 20, width, sizes=(11,), max_height=room)
    assert 0 < many.shown < 20 and many.height <= room
    kept = dk.table_layout(
        header, [long] * 20, width, sizes=(12, 10), max_height=room, keep_all=True
    )
    assert kept.shown == 20 and len(kept.heights) == 21 and kept.size == 10


def test_titles_shrink_to_fit_their_box():
    box = (Inches(11.7), Inches(1.2))
    assert dk._fit_size("郑州市学校午餐与课后服务工作简报", *box, (36, 32, 28, 24), bold=True) == 36
    longer = "School lunch and after-school briefing: 郑州市 金水区 and more words to wrap"
    assert dk._fit_size(longer, *box, (36, 32, 28, 24), bold=True) < 36
