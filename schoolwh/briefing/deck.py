"""The briefing deck (python-pptx, 16:9): a title slide, a KPI overview table, one slide per
KPI with its figure and findings, trends, funding, issues, overdue issues, data quality.

Every slide has the same title bar and footer; text runs name the CJK font (Noto Sans
CJK SC, the font the figures are drawn with) for Latin and East Asian text, with the
GB2312 charset and sans-serif hints PowerPoint uses to substitute a Chinese sans-serif
(Microsoft YaHei on bureau PCs) where it is not installed; the theme's Simplified Chinese
font is Microsoft YaHei. Status colours and glyphs come from `schoolwh.reading.status`.

Geometry comes from one place: the slide frame's constants below (margins, title bar, body,
footer rule) and a measure of text in the deck's font (`_ems`, `_lines`). Tables are laid
out from their text (`table_layout`: column widths, row heights, font size, the rows that
fit above the footer), titles take the largest size that fits their box, and whatever
stands under a table is placed from the table's laid-out height. `tests/test_deck_render.py`
renders the deck in LibreOffice and checks that no text is lost, cut or overlapping.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from schoolwh.briefing.labels import tr
from schoolwh.briefing.scope import Scope
from schoolwh.reading import charts
from schoolwh.reading import formatting as fmt
from schoolwh.reading import status as st_
from schoolwh.reading.i18n import enum_label, status_label, t

FONT = "Noto Sans CJK SC"
FALLBACK_FONT = "Microsoft YaHei"
_FONT_HINTS = {"panose": "020B0500000000000000", "pitchFamily": "34", "charset": "-122"}

# The geometry every slide shares (EMU); slides place their content from these.
SLIDE_W = Emu(12_192_000)  # 13.333 in: PowerPoint's 16:9
SLIDE_H = Emu(6_858_000)  # 7.5 in
MARGIN = Inches(0.45)
BAR_H = Inches(0.85)
FOOTER_Y = Inches(7.08)
FOOTER_RULE_Y = FOOTER_Y - Inches(0.04)  # nothing of a slide's body reaches below
BODY_TOP = Inches(1.1)
BODY_BOTTOM = Inches(6.95)
BODY_RIGHT = SLIDE_W - MARGIN
GAP = Inches(0.12)  # between a table and the note under it
NOTE_H = Inches(0.35)  # one line of 11 pt text
CHIP_H = Inches(0.36)  # a status badge

# Text measure, for sizing chips and table rows before any renderer sees them (Noto Sans
# CJK, erring wide): a Chinese character or full-width sign is one em; Latin letters,
# digits and % as below, other signs 0.6 em, a space 0.25 em; LibreOffice adds about a quarter em
# between Chinese and Latin text; bold is 6 % wider; a line is 1.45 em high (ascent 1.16 +
# descent 0.29).
EM_WIDE, EM_SIGN, EM_SPACE, EM_AUTOSPACE, EM_BOLD = 1.0, 0.6, 0.25, 0.25, 1.06
EM_LATIN = {"wide": 0.9, "upper": 0.68, "lower": 0.55, "digit": 0.58}
LINE_EM = 1.45
FILL = 0.95  # wrap at 95 % of the measured room: renderers differ a little
CELL_PAD_X = Inches(0.08)
CELL_PAD_Y = Inches(0.03)
BOX_PAD = Inches(0.05)  # a text box's inner margin (PowerPoint's default top and bottom)
SUBTITLE_W = Inches(3.3)  # the title bar's right part: scope and period, or the as-of date

NAVY = "1F3A5F"
ACCENT = "0072B2"
TEXT = "262626"
MUTED = "666666"
PANEL = "F2F4F7"
RULE = "D0D5DD"
ROW_ALT = "F7F8FA"
DELTA = {True: "0072B2", False: "D55E00", None: "595959"}


@dataclass(frozen=True)
class Picture:
    """A PNG and the CSS-pixel size it was laid out at (for its aspect ratio)."""

    png: bytes
    width: int
    height: int


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _set_font(run, size: float, *, bold: bool = False, colour: str = TEXT) -> None:
    """Size, weight and colour of a run, and the CJK font for Latin and East Asian text."""
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = _rgb(colour)
    font.name = FONT  # a:latin
    r_pr = run._r.get_or_add_rPr()
    r_pr.set("lang", "zh-CN")
    r_pr.set("altLang", "en-US")
    latin = r_pr.find(qn("a:latin"))
    for attr, value in _FONT_HINTS.items():
        latin.set(attr, value)
    for tag in ("a:ea", "a:cs"):
        old = r_pr.find(qn(tag))
        if old is not None:
            r_pr.remove(old)
    ea = etree.SubElement(r_pr, qn("a:ea"))
    ea.set("typeface", FONT)
    for attr, value in _FONT_HINTS.items():
        ea.set(attr, value)
    latin.addnext(ea)
    cs = etree.SubElement(r_pr, qn("a:cs"))
    cs.set("typeface", FONT)
    ea.addnext(cs)


def _theme_fonts(prs) -> None:
    """The theme's fonts: Noto Sans CJK SC, and Microsoft YaHei for Simplified Chinese."""
    part = prs.slide_master.part.part_related_by(RT.THEME)
    xml = part.blob.decode("utf-8")
    xml = re.sub(r'<a:latin typeface="[^"]*"', f'<a:latin typeface="{FONT}"', xml)
    xml = xml.replace('<a:ea typeface=""', f'<a:ea typeface="{FONT}"')
    xml = re.sub(
        r'<a:font script="Hans" typeface="[^"]*"/>',
        f'<a:font script="Hans" typeface="{FALLBACK_FONT}"/>',
        xml,
    )
    part._blob = xml.encode("utf-8")


def _text(
    slide: Slide,
    left: int,
    top: int,
    width: int,
    height: int,
    paragraphs: Sequence[str],
    *,
    size: float = 14,
    bold: bool = False,
    colour: str = TEXT,
    align=PP_ALIGN.LEFT,
    anchor=MSO_ANCHOR.TOP,
    bullet: bool = False,
    spacing: float = 6,
):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(0.05)
    for i, text in enumerate(paragraphs):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        para.space_after = Pt(spacing)
        if bullet:
            mark = para.add_run()
            mark.text = "■  "
            _set_font(mark, size * 0.6, colour=ACCENT)
        run = para.add_run()
        run.text = text
        _set_font(run, size, bold=bold, colour=colour)
    return box


def _rect(
    slide: Slide,
    left,
    top,
    width,
    height,
    fill: str,
    *,
    line: str | None = None,
    shape=MSO_SHAPE.RECTANGLE,
):
    box = slide.shapes.add_shape(shape, left, top, width, height)
    box.fill.solid()
    box.fill.fore_color.rgb = _rgb(fill)
    if line:
        box.line.color.rgb = _rgb(line)
        box.line.width = Pt(0.75)
    else:
        box.line.fill.background()
    box.shadow.inherit = False
    return box


def _chip(slide: Slide, left, top, status: object, lang: str, size: float = 12):
    """A status badge: the status colour with its glyph and word."""
    style = st_.style(status)
    key = style.key
    label = status_label(key if key != "no_target" else None, lang)
    text = f"{style.glyph} {label}"
    width = Emu(int(Pt(size) * (_ems(text) * EM_BOLD + 1.4)))
    chip = _rect(slide, left, top, width, CHIP_H, style.colour, shape=MSO_SHAPE.ROUNDED_RECTANGLE)
    if style.pattern:
        chip.line.color.rgb = _rgb("333333")
        chip.line.dash_style = MSO_LINE_DASH_STYLE.DASH  # hatched in the figures
    frame = chip.text_frame
    frame.word_wrap = False
    frame.margin_top = frame.margin_bottom = 0
    frame.margin_left = frame.margin_right = Inches(0.04)
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.CENTER
    run = para.add_run()
    run.text = text
    _set_font(run, size, bold=True, colour=style.text_colour)
    return chip


def _picture(slide: Slide, picture: Picture, left: int, top: int, width: int, height: int) -> None:
    """A figure fitted into a box (aspect kept), centred horizontally, at the box's top."""
    ratio = picture.height / picture.width
    w, h = width, int(width * ratio)
    if h > height:
        h, w = height, int(height / ratio)
    slide.shapes.add_picture(
        io.BytesIO(picture.png), Emu(left + (width - w) // 2), Emu(top), Emu(w), Emu(h)
    )


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F", "A")


def _split(text: str) -> list[str]:
    """Where a line may break: after each Chinese character, and between Latin words."""
    out: list[str] = []
    for char in text:
        if out and not char.isspace() and not _wide(char):
            last = out[-1]
            if not last.isspace() and not _wide(last[-1]):
                out[-1] = last + char
                continue
        out.append(char)
    return out


def _char_ems(char: str) -> float:
    if char.isspace():
        return EM_SPACE
    if _wide(char):
        return EM_WIDE
    if char in "mwMW%@&":
        return EM_LATIN["wide"]
    if char.isupper():
        return EM_LATIN["upper"]
    if char.islower():
        return EM_LATIN["lower"]
    return EM_LATIN["digit"] if char.isdigit() else EM_SIGN


def _ems(text: str) -> float:
    """The width of one line of `text` in ems (see EM_WIDE …)."""
    width = 0.0
    for i, char in enumerate(text):
        width += _char_ems(char)
        before = text[i - 1] if i else " "
        if not char.isspace() and not before.isspace() and _wide(char) != _wide(before):
            width += EM_AUTOSPACE
    return width


def _lines(text: str, room: float, size: float, *, bold: bool = False) -> int:
    """How many lines `text` takes at `size` pt in `room` EMU of width (greedy wrapping)."""
    limit = room * FILL / Pt(size) / (EM_BOLD if bold else 1)  # ems
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        line = ""
        for token in _split(paragraph):
            if line.strip() and _ems(line + token) > limit:
                lines += 1
                line = token.lstrip()
            else:
                line += token
            while _ems(line) > limit and len(line) > 1:  # a word longer than the line
                lines += 1
                line = line[max(1, int(len(line) * limit / _ems(line))) :]
    return lines


def _fit_size(
    text: str, width: int, height: int, sizes: Sequence[float], *, bold: bool = False
) -> float:
    """The first of `sizes` at which `text` fits a text box (the last one if none does)."""
    for size in sizes:
        lines = _lines(text, width - 2 * BOX_PAD, size, bold=bold)
        if lines * Pt(size) * LINE_EM + 2 * BOX_PAD <= height:
            return size
    return sizes[-1]


def _text_height(
    paragraphs: Sequence[str], width: int, size: float, *, spacing: float, bullet: bool = False
) -> int:
    """The height a `_text` box needs for `paragraphs` (EMU)."""
    mark = "■  " if bullet else ""  # the bullet is 0.6 of the size: measured as full, erring high
    lines = sum(_lines(mark + p, width - 2 * BOX_PAD, size) for p in paragraphs)
    return int(lines * Pt(size) * LINE_EM + len(paragraphs) * Pt(spacing) + 2 * BOX_PAD)


def _cell(
    cell,
    text: str,
    *,
    size: float = 12,
    bold: bool = False,
    colour: str = TEXT,
    fill: str | None = None,
    align=PP_ALIGN.LEFT,
) -> None:
    cell.text = ""
    frame = cell.text_frame
    frame.word_wrap = True
    cell.margin_left = cell.margin_right = CELL_PAD_X
    cell.margin_top = cell.margin_bottom = CELL_PAD_Y
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    para = frame.paragraphs[0]
    para.alignment = align
    run = para.add_run()
    run.text = text
    _set_font(run, size, bold=bold, colour=colour)
    if fill:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill)


@dataclass(frozen=True)
class TableLayout:
    """How a table fits its place: column widths and row heights (EMU), the font size, and
    how many of the body rows are shown (the others do not fit)."""

    widths: tuple[int, ...]
    heights: tuple[int, ...]  # the header's, then each shown row's
    size: float
    shown: int

    @property
    def height(self) -> int:
        return sum(self.heights)


def _column_widths(cells: Sequence[Sequence[str]], width: int, size: float) -> list[int]:
    """Columns as wide as their longest text on one line, widened in proportion to fill
    `width`; when that is too narrow, the columns narrower than an equal share keep their
    width and the wide ones share the rest (their text wraps)."""
    pad = 2 * CELL_PAD_X + Pt(2)
    natural = [
        max(int(Pt(size) * _ems(text) * EM_BOLD / FILL) + pad for text in column)
        for column in zip(*cells, strict=True)
    ]
    if sum(natural) <= width:
        spare = width - sum(natural)
        widths = [n + spare * n // sum(natural) for n in natural]
    else:
        widths = list(natural)
        wide = set(range(len(natural)))
        room = width
        while True:
            share = room / len(wide)
            narrow = {i for i in wide if natural[i] <= share}
            if not narrow or narrow == wide:
                break
            wide -= narrow
            room -= sum(natural[i] for i in narrow)
        total = sum(natural[i] for i in wide)
        for i in wide:
            widths[i] = room * natural[i] // total
    widths[-1] += width - sum(widths)  # rounding: the table is exactly `width` wide
    return widths


def table_layout(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    *,
    sizes: Sequence[float] = (12,),
    min_row: int = Inches(0.4),
    max_height: int | None = None,
    keep_all: bool = False,
) -> TableLayout:
    """The layout of a table `width` wide: each row as high as its most wrapped cell (at
    least `min_row`), in the first of `sizes` at which it fits `max_height`. Rows that do
    not fit are left out, unless `keep_all` (then the smallest size is used). Text is
    measured as bold, which some cells are."""
    cells = [list(header), *(list(r) for r in rows)]
    layout = None
    for size in sizes:
        widths = _column_widths(cells, width, size)
        line = Pt(size) * LINE_EM
        heights = []
        for row in cells:
            lines = max(
                _lines(text, w - 2 * CELL_PAD_X, size, bold=True)
                for text, w in zip(row, widths, strict=True)
            )
            heights.append(max(min_row, int(lines * line + 2 * CELL_PAD_Y + Pt(3))))
        shown = len(rows)
        if max_height is not None:
            while shown and sum(heights[: shown + 1]) > max_height:
                shown -= 1
        layout = TableLayout(tuple(widths), tuple(heights[: shown + 1]), size, shown)
        if shown == len(rows):
            return layout
    if keep_all:
        return TableLayout(layout.widths, tuple(heights), layout.size, len(rows))
    return layout


def _table(
    slide: Slide,
    left: int,
    top: int,
    layout: TableLayout,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    aligns: Sequence[int] | None = None,
):
    """A plain, readable table laid out by `table_layout` (its first `layout.shown` rows):
    navy header, light banding, no theme style."""
    rows = list(rows)[: layout.shown]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(layout.widths), left, top, sum(layout.widths), layout.height
    )
    table = shape.table
    tbl_pr = shape._element.graphic.graphicData.tbl.tblPr
    tbl_pr.set("bandRow", "0")
    tbl_pr.set("firstRow", "0")
    for i, w in enumerate(layout.widths):
        table.columns[i].width = Emu(w)
    for r, h in enumerate(layout.heights):
        table.rows[r].height = Emu(h)
    size = layout.size
    aligns = aligns or [PP_ALIGN.LEFT] * len(layout.widths)
    for c, text in enumerate(header):
        _cell(
            table.cell(0, c),
            text,
            size=size,
            bold=True,
            colour="FFFFFF",
            fill=NAVY,
            align=aligns[c],
        )
    for r, row in enumerate(rows, start=1):
        fill = ROW_ALT if r % 2 == 0 else "FFFFFF"
        for c, text in enumerate(row):
            _cell(table.cell(r, c), text, size=size, fill=fill, align=aligns[c])
    return table


class Deck:
    """A deck under construction for one scope."""

    def __init__(self, scope: Scope, *, sample: bool = False) -> None:
        self.scope = scope
        self.lang = scope.lang
        self.sample = sample  # the synthetic sample: the title slide and footers say so
        self.prs = Presentation()
        self.prs.slide_width = SLIDE_W
        self.prs.slide_height = SLIDE_H
        _theme_fonts(self.prs)
        self._blank = self.prs.slide_layouts[6]

    # -- frame of every slide ------------------------------------------------------------
    def _slide(self, title: str, subtitle: str | None = None) -> Slide:
        slide = self.prs.slides.add_slide(self._blank)
        _rect(slide, 0, 0, SLIDE_W, BAR_H, NAVY)
        _rect(slide, 0, BAR_H, SLIDE_W, Inches(0.05), ACCENT)
        width = BODY_RIGHT - MARGIN - (SUBTITLE_W + GAP if subtitle else 0)
        height = Inches(0.65)
        _text(
            slide,
            MARGIN,
            Inches(0.12),
            width,
            height,
            [title],
            size=_fit_size(title, width, height, (24, 22, 20, 18), bold=True),
            bold=True,
            colour="FFFFFF",
            anchor=MSO_ANCHOR.MIDDLE,
        )
        if subtitle:
            _text(
                slide,
                BODY_RIGHT - SUBTITLE_W,
                Inches(0.12),
                SUBTITLE_W,
                height,
                [subtitle],
                size=13,
                colour="DCE6F2",
                align=PP_ALIGN.RIGHT,
                anchor=MSO_ANCHOR.MIDDLE,
            )
        scope = self.scope
        footer = tr(
            "deck.footer",
            self.lang,
            place=scope.place,
            period=scope.period_label,
            date=fmt.date(scope.as_of, self.lang),
        )
        if self.sample:
            footer = f"{t('sample.label', self.lang)} · {footer}"
        rule = slide.shapes.add_connector(
            MSO_CONNECTOR.STRAIGHT,
            MARGIN,
            FOOTER_RULE_Y,
            SLIDE_W - MARGIN,
            FOOTER_RULE_Y,
        )
        rule.line.color.rgb = _rgb(RULE)
        rule.line.width = Pt(0.75)
        _text(slide, MARGIN, FOOTER_Y, Inches(10), Inches(0.3), [footer], size=10, colour=MUTED)
        number = len(self.prs.slides)
        _text(
            slide,
            SLIDE_W - MARGIN - Inches(1),
            FOOTER_Y,
            Inches(1),
            Inches(0.3),
            [str(number)],
            size=10,
            colour=MUTED,
            align=PP_ALIGN.RIGHT,
        )
        return slide

    def _panel(
        self,
        slide: Slide,
        left,
        top,
        width,
        height,
        heading: str,
        findings: Sequence[str],
        size: float = 15,
    ) -> None:
        _rect(slide, left, top, width, height, PANEL)
        _rect(slide, left, top, Inches(0.06), height, ACCENT)
        _text(
            slide,
            left + Inches(0.2),
            top + Inches(0.12),
            width - Inches(0.3),
            Inches(0.45),
            [heading],
            size=16,
            bold=True,
            colour=NAVY,
        )
        box_w, box_h = width - Inches(0.35), height - Inches(0.75)
        # long findings take a smaller size (down to 11 pt) rather than run off the panel
        sizes = [size - step for step in range(0, int(size) - 10)] or [size]
        size = next(
            (
                s
                for s in sizes
                if _text_height(findings, box_w, s, spacing=10, bullet=True) <= box_h
            ),
            sizes[-1],
        )
        _text(
            slide,
            left + Inches(0.2),
            top + Inches(0.62),
            box_w,
            box_h,
            findings,
            size=size,
            bullet=True,
            spacing=10,
        )

    # -- slides --------------------------------------------------------------------------
    def title_slide(self, headline: str = "") -> None:
        """The title, the scope and period, the as-of date and the period's headline
        (`headline.headline`: how many KPIs meet their target, the furthest from it)."""
        scope = self.scope
        slide = self.prs.slides.add_slide(self._blank)
        _rect(slide, 0, 0, SLIDE_W, SLIDE_H, "FFFFFF")
        _rect(slide, 0, Inches(2.0), SLIDE_W, Inches(2.6), NAVY)
        _rect(slide, 0, Inches(4.6), SLIDE_W, Inches(0.08), ACCENT)
        if self.sample:
            _text(
                slide,
                Inches(0.8),
                Inches(0.8),
                Inches(11.7),
                Inches(1.0),
                [t("sample.banner", self.lang)],
                size=20,
                bold=True,
                colour="B00020",
            )
        title = tr("deck.title", self.lang, place=scope.place)
        _text(
            slide,
            Inches(0.8),
            Inches(2.25),
            Inches(11.7),
            Inches(1.2),
            [title],
            size=_fit_size(title, Inches(11.7), Inches(1.2), (36, 32, 28, 24), bold=True),
            bold=True,
            colour="FFFFFF",
            anchor=MSO_ANCHOR.MIDDLE,
        )
        scope_text = scope.district_name or (
            tr("scope.whole_n", self.lang, whole=scope.whole, n=scope.district_count)
            if scope.district_count > 1
            else scope.label  # a district's own figures: 金水区, not 全区（1 个区县）
        )
        _text(
            slide,
            Inches(0.8),
            Inches(3.5),
            Inches(11.7),
            Inches(0.8),
            [tr("deck.subtitle", self.lang, period=scope.period_label, scope=scope_text)],
            size=22,
            colour="DCE6F2",
            anchor=MSO_ANCHOR.MIDDLE,
        )
        _text(
            slide,
            Inches(0.8),
            Inches(5.0),
            Inches(11.7),
            Inches(0.5),
            [t("app.as_of", self.lang, date=fmt.date(scope.as_of, self.lang))],
            size=18,
            bold=True,
            colour=NAVY,
        )
        if headline:
            _text(
                slide,
                Inches(0.8),
                Inches(5.55),
                Inches(11.7),
                Inches(0.9),
                [headline],
                size=_fit_size(headline, Inches(11.7), Inches(0.9), (18, 16, 14), bold=True),
                bold=True,
                colour=TEXT,
            )
        _text(
            slide,
            Inches(0.8),
            Inches(6.5) if headline else Inches(5.55),
            Inches(11.7),
            Inches(0.5),
            [tr("deck.source", self.lang)],
            size=13,
            colour=MUTED,
        )

    def conclusions_slide(self, conclusions: Sequence[str], actions: Sequence[str]) -> None:
        """结论与建议: what the data says, then what to ask for, side by side."""
        slide = self._slide(
            tr("slide.conclusions", self.lang), f"{self.scope.label} · {self.scope.period_label}"
        )
        width = (SLIDE_W - 2 * MARGIN - Inches(0.3)) // 2
        height = BODY_BOTTOM - BODY_TOP - Inches(0.1)
        self._panel(
            slide,
            MARGIN,
            BODY_TOP + Inches(0.05),
            width,
            height,
            tr("slide.conclusions_head", self.lang),
            conclusions,
            size=13,
        )
        self._panel(
            slide,
            MARGIN + width + Inches(0.3),
            BODY_TOP + Inches(0.05),
            width,
            height,
            tr("slide.recommendations_head", self.lang),
            actions,
            size=13,
        )

    def section_slide(self, title: str, note: str) -> None:
        """A divider: the appendix starts here."""
        slide = self._slide(title)
        _text(
            slide,
            MARGIN,
            Inches(3.2),
            SLIDE_W - 2 * MARGIN,
            Inches(0.8),
            [note],
            size=20,
            colour=MUTED,
            align=PP_ALIGN.CENTER,
        )

    def overview(self, kpis: pd.DataFrame, previous: pd.DataFrame) -> None:
        scope = self.scope
        lang = self.lang
        slide = self._slide(tr("overview.title", lang), f"{scope.label} · {scope.period_label}")
        cards = charts.kpi_cards(kpis, previous, lang)
        rows, fills = [], []
        for card, (_, row) in zip(cards, kpis.iterrows(), strict=True):
            unit = row.get("unit") if isinstance(row.get("unit"), str) else None
            arrow = ""
            if card.delta is not None and card.delta_is_good is not None:
                arrow = "↑ " if card.delta > 0 else "↓ "
            rows.append(
                [
                    card.name,
                    card.value_text,
                    fmt.kpi_value(row.get("target"), unit, lang)
                    if not fmt.is_missing(row.get("target"))
                    else "—",
                    f"{card.glyph} {card.status_text}",
                    f"{arrow}{card.delta_text}",
                    card.detail or "—",
                ]
            )
            fills.append((st_.STYLES[card.status], DELTA[card.delta_is_good]))
        header = [
            tr(f"overview.col.{c}", lang)
            for c in ("kpi", "value", "target", "status", "change", "detail")
        ]
        right = PP_ALIGN.RIGHT
        centre = PP_ALIGN.CENTER
        top = BODY_TOP + Inches(0.05)
        below = GAP + CHIP_H + Inches(0.06) + NOTE_H  # the legend and the note
        n = max(len(rows), 1)
        layout = table_layout(
            header,
            rows,
            BODY_RIGHT - MARGIN,
            sizes=(13, 12, 11, 10),
            min_row=min(Inches(0.42), (BODY_BOTTOM - below - top) // (n + 1)),
            max_height=BODY_BOTTOM - below - top,
            keep_all=True,  # every KPI, in a smaller size if need be
        )
        table = _table(
            slide,
            MARGIN,
            top,
            layout,
            header,
            rows,
            aligns=[PP_ALIGN.LEFT, right, right, centre, right, right],
        )
        for r, (style, delta_colour) in enumerate(fills, start=1):
            cell = table.cell(r, 3)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(style.colour)
            for run in cell.text_frame.paragraphs[0].runs:
                run.font.color.rgb = _rgb(style.text_colour)
                run.font.bold = True
            for run in table.cell(r, 4).text_frame.paragraphs[0].runs:
                run.font.color.rgb = _rgb(delta_colour)
            for run in table.cell(r, 1).text_frame.paragraphs[0].runs:
                run.font.bold = True
        note_top = top + layout.height + GAP
        note = (
            tr("overview.prev_note", lang, period=scope.previous_label)
            if not previous.empty and scope.previous_label
            else tr("overview.no_prev_note", lang)
        )
        self._legend(slide, MARGIN, note_top)
        _text(
            slide,
            MARGIN,
            note_top + CHIP_H + Inches(0.06),
            BODY_RIGHT - MARGIN,
            NOTE_H,
            [note],
            size=11,
            colour=MUTED,
        )

    def _legend(self, slide: Slide, left, top) -> None:
        x = left
        for key in st_.ORDER:
            chip = _chip(slide, x, top, key if key != "no_target" else None, self.lang, size=10)
            x += chip.width + Inches(0.12)

    def figure_slide(
        self,
        title: str,
        picture: Picture | None,
        findings: Sequence[str],
        *,
        value: str | None = None,
        status: object = None,
        target: str | None = None,
        subtitle: str | None = None,
    ) -> None:
        """A figure on the left, the key number and two or three findings on the right."""
        slide = self._slide(title, subtitle or f"{self.scope.label} · {self.scope.period_label}")
        fig_w = Inches(8.3)
        panel_left = MARGIN + fig_w + Inches(0.25)
        panel_w = SLIDE_W - MARGIN - panel_left
        if picture is not None:
            _picture(
                slide,
                picture,
                MARGIN,
                BODY_TOP + Inches(0.05),
                fig_w,
                BODY_BOTTOM - BODY_TOP - Inches(0.1),
            )
        else:
            _text(
                slide,
                MARGIN,
                Inches(3.5),
                fig_w,
                Inches(0.6),
                [tr("slide.no_data", self.lang)],
                size=18,
                colour=MUTED,
                align=PP_ALIGN.CENTER,
            )
        top = BODY_TOP + Inches(0.05)
        if value is not None:
            _text(
                slide,
                panel_left,
                top,
                panel_w,
                Inches(0.75),
                [value],
                size=34,
                bold=True,
                colour=NAVY,
            )
            chip_top = top + Inches(0.8)
            chip = _chip(slide, panel_left + Inches(0.05), chip_top, status, self.lang)
            if target:
                offset = chip.width + Inches(0.25)
                _text(
                    slide,
                    panel_left + offset,
                    chip_top - Inches(0.02),
                    panel_w - offset,
                    Inches(0.4),
                    [target],
                    size=13,
                    colour=MUTED,
                    anchor=MSO_ANCHOR.MIDDLE,
                )
            top = chip_top + Inches(0.6)
        self._panel(
            slide,
            panel_left,
            top,
            panel_w,
            BODY_BOTTOM - top,
            tr("slide.findings", self.lang),
            findings,
        )

    def wide_slide(self, title: str, picture: Picture) -> None:
        """One figure across the whole slide."""
        slide = self._slide(title, f"{self.scope.label} · {self.scope.period_label}")
        _picture(
            slide,
            picture,
            MARGIN,
            BODY_TOP + Inches(0.05),
            SLIDE_W - 2 * MARGIN,
            BODY_BOTTOM - BODY_TOP - Inches(0.1),
        )

    def grid_slide(
        self, title: str, pictures: Sequence[Picture], findings: Sequence[str] = ()
    ) -> None:
        """Up to four figures, two by two, under their 要点 (a line each)."""
        slide = self._slide(title, f"{self.scope.label} · {self.scope.period_label}")
        top = BODY_TOP
        if findings:
            width = SLIDE_W - 2 * MARGIN
            height = _text_height(findings, width, 12, spacing=2, bullet=True)
            _text(slide, MARGIN, top, width, height, findings, size=12, bullet=True, spacing=2)
            top += height + Inches(0.05)
        cell_w = (SLIDE_W - 2 * MARGIN - Inches(0.3)) // 2
        cell_h = (BODY_BOTTOM - top - Inches(0.2)) // 2
        for i, picture in enumerate(pictures[:4]):
            col, row = i % 2, i // 2
            _picture(
                slide,
                picture,
                MARGIN + col * (cell_w + Inches(0.3)),
                top + Inches(0.05) + row * (cell_h + Inches(0.1)),
                cell_w,
                cell_h,
            )

    def overdue_slide(
        self, picture: Picture | None, findings: Sequence[str], issues: pd.DataFrame, limit: int = 8
    ) -> None:
        lang = self.lang
        slide = self._slide(tr("slide.overdue", lang), self._as_of_subtitle())
        width = BODY_RIGHT - MARGIN
        height = max(Inches(0.8), _text_height(findings, width, 14, spacing=4, bullet=True))
        _text(slide, MARGIN, BODY_TOP, width, height, findings, size=14, bullet=True, spacing=4)
        top = BODY_TOP + height + Inches(0.1)
        if picture is not None:
            _picture(slide, picture, MARGIN, top, Inches(5.5), BODY_BOTTOM - top)
        if issues.empty:
            return
        rows = []
        for r in issues.head(limit).itertuples(index=False):
            where = (
                f"{r.district_name} · {r.school_name}"
                if not self.scope.is_district
                else str(r.school_name)
            )
            rows.append(
                [
                    where,
                    enum_label("issue_category", r.category, lang),
                    enum_label("severity", r.severity, lang),
                    fmt.date(r.deadline_date, lang),
                    fmt.number(r.days_overdue, lang),
                ]
            )
        header = [
            tr(f"overdue.col.{c}", lang)
            for c in ("where", "category", "severity", "deadline", "days")
        ]
        right = PP_ALIGN.RIGHT
        self._listing(
            slide,
            MARGIN + Inches(5.65),
            top,
            header,
            rows,
            lambda shown: tr("overdue.table_more", lang, n=len(issues) - shown),
            total=len(issues),
            aligns=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.LEFT, right, right],
        )

    def _listing(
        self,
        slide: Slide,
        left: int,
        top: int,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        more: Callable[[int], str],
        *,
        total: int,
        aligns: Sequence[int],
    ) -> None:
        """A table of the first rows of a list from `left` to the right margin, as many
        rows as fit above the footer, and `more(shown)` under it when rows of the `total`
        are not shown."""
        layout = table_layout(
            header,
            rows,
            BODY_RIGHT - left,
            sizes=(11,),
            max_height=BODY_BOTTOM - top - GAP - NOTE_H,
        )
        _table(slide, left, top, layout, header, rows, aligns=aligns)
        if layout.shown < total:
            _text(
                slide,
                left,
                top + layout.height + GAP // 2,
                BODY_RIGHT - left,
                NOTE_H,
                [more(layout.shown)],
                size=11,
                colour=MUTED,
            )

    def quality_slide(
        self, findings: Sequence[str], quarantine: pd.DataFrame, limit: int = 10
    ) -> None:
        lang = self.lang
        slide = self._slide(tr("slide.quality", lang), self._as_of_subtitle())
        width = Inches(6.3)
        self._panel(
            slide,
            MARGIN,
            BODY_TOP + Inches(0.05),
            width,
            BODY_BOTTOM - BODY_TOP - Inches(0.5),
            tr("slide.findings", lang),
            findings,
            size=14,
        )
        if self.scope.is_district:
            _text(
                slide,
                MARGIN,
                BODY_BOTTOM - Inches(0.4),
                width,
                Inches(0.35),
                [tr("dq.scope_note", lang)],
                size=11,
                colour=MUTED,
            )
        if quarantine.empty:
            return
        rows = [
            [
                enum_label("source", r.source, lang),
                enum_label("quarantine_reason", r.reason, lang),
                fmt.number(r.rows, lang),
            ]
            for r in quarantine.head(limit).itertuples(index=False)
        ]
        left = MARGIN + width + Inches(0.3)
        header = [tr("dq.col.source", lang), tr("dq.col.reason", lang), tr("dq.col.rows", lang)]
        _text(
            slide,
            left,
            BODY_TOP + Inches(0.05),
            BODY_RIGHT - left,
            Inches(0.4),
            [t("dq.quarantine", lang)],
            size=15,
            bold=True,
            colour=NAVY,
        )
        self._listing(
            slide,
            left,
            BODY_TOP + Inches(0.5),
            header,
            rows,
            lambda shown: tr(
                "dq.table_more",
                lang,
                n=fmt.number(int(quarantine["rows"].iloc[shown:].sum()), lang),
            ),
            total=len(quarantine),
            aligns=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.RIGHT],
        )

    def supervision_slide(
        self,
        kpis: pd.DataFrame,
        previous: pd.DataFrame,
        watch: Sequence[tuple[str, str]],
        findings: Sequence[str],
    ) -> None:
        """监管一屏统揽: the supervision KPIs (value, target, status, change) on the left;
        the 需要关注 counts as of the as-of date and the findings on the right."""
        scope = self.scope
        lang = self.lang
        slide = self._slide(tr("slide.supervision", lang), f"{scope.label} · {scope.period_label}")
        cards = charts.kpi_cards(kpis, previous, lang)
        rows, styles = [], []
        for card, (_, row) in zip(cards, kpis.iterrows(), strict=True):
            unit = row.get("unit") if isinstance(row.get("unit"), str) else None
            target = row.get("target")
            rows.append(
                [
                    card.name,
                    card.value_text,
                    fmt.kpi_value(target, unit, lang) if not fmt.is_missing(target) else "—",
                    f"{card.glyph} {card.status_text}",
                    card.delta_text,
                ]
            )
            styles.append(st_.STYLES[card.status])
        header = [tr(f"overview.col.{c}", lang) for c in ("kpi", "value", "target", "status")]
        header.append(tr("overview.col.change", lang))
        left_w = Inches(7.7)
        top = BODY_TOP + Inches(0.05)
        right = PP_ALIGN.RIGHT
        below = GAP + CHIP_H
        layout = table_layout(
            header,
            rows,
            left_w,
            sizes=(12, 11, 10),
            min_row=Inches(0.36),
            max_height=BODY_BOTTOM - below - top,
            keep_all=True,
        )
        table = _table(
            slide,
            MARGIN,
            top,
            layout,
            header,
            rows,
            aligns=[PP_ALIGN.LEFT, right, right, PP_ALIGN.CENTER, right],
        )
        for r, style in enumerate(styles, start=1):
            cell = table.cell(r, 3)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(style.colour)
            for run in cell.text_frame.paragraphs[0].runs:
                run.font.color.rgb = _rgb(style.text_colour)
                run.font.bold = True
        self._legend(slide, MARGIN, top + layout.height + GAP)
        # 需要关注: what and how many, then the findings
        x = MARGIN + left_w + Inches(0.3)
        width = BODY_RIGHT - x
        heading = tr("slide.supervision_watch", lang, date=fmt.date(scope.as_of, lang))
        _text(slide, x, top, width, Inches(0.4), [heading], size=15, bold=True, colour=NAVY)
        watch_top = top + Inches(0.45)
        watch_header = [tr("sup.col.item", lang), tr("sup.col.count", lang)]
        watch_rows = [list(r) for r in watch]
        watch_layout = table_layout(
            watch_header, watch_rows, width, sizes=(11, 10), min_row=Inches(0.32), keep_all=True
        )
        if watch_rows:
            _table(
                slide,
                x,
                watch_top,
                watch_layout,
                watch_header,
                watch_rows,
                aligns=[PP_ALIGN.LEFT, right],
            )
        panel_top = watch_top + (watch_layout.height if watch_rows else 0) + GAP
        self._panel(
            slide,
            x,
            panel_top,
            width,
            BODY_BOTTOM - panel_top,
            tr("slide.findings", lang),
            findings,
            size=13,
        )

    def _as_of_subtitle(self) -> str:
        return t("app.as_of", self.lang, date=fmt.date(self.scope.as_of, self.lang))

    # -- output --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()
