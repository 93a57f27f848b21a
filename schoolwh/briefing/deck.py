"""The briefing deck (python-pptx, 16:9): a title slide, a KPI overview table, one slide per
KPI with its figure and findings, trends, funding, issues, overdue issues, data quality.

Every slide has the same title bar and footer; text runs name the CJK font (Noto Sans
CJK SC, the font the figures are drawn with) for Latin and East Asian text, with the
GB2312 charset and sans-serif hints PowerPoint uses to substitute a Chinese sans-serif
(Microsoft YaHei on bureau PCs) where it is not installed; the theme's Simplified Chinese
font is Microsoft YaHei. Status colours and glyphs come from `schoolwh.reading.status`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
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

SLIDE_W = Emu(12_192_000)  # 13.333 in: PowerPoint's 16:9
SLIDE_H = Emu(6_858_000)  # 7.5 in
MARGIN = Inches(0.45)
BAR_H = Inches(0.85)
FOOTER_Y = Inches(7.08)
BODY_TOP = Inches(1.1)
BODY_BOTTOM = Inches(6.95)

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
    # full-width characters take about one em, the others about half of one
    ems = sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)
    width = Emu(int(Pt(size) * (ems + 1.4)))
    chip = _rect(
        slide, left, top, width, Inches(0.36), style.colour, shape=MSO_SHAPE.ROUNDED_RECTANGLE
    )
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
    cell.margin_left = cell.margin_right = Inches(0.08)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    para = frame.paragraphs[0]
    para.alignment = align
    run = para.add_run()
    run.text = text
    _set_font(run, size, bold=bold, colour=colour)
    if fill:
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(fill)


def _table(
    slide: Slide,
    left,
    top,
    widths: Sequence[float],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    size: float = 12,
    row_height: float = 0.4,
    aligns: Sequence[int] | None = None,
):
    """A plain, readable table: navy header, light banding, no theme style."""
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(widths),
        left,
        top,
        Inches(sum(widths)),
        Inches(row_height * (len(rows) + 1)),
    )
    table = shape.table
    tbl_pr = shape._element.graphic.graphicData.tbl.tblPr
    tbl_pr.set("bandRow", "0")
    tbl_pr.set("firstRow", "0")
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(w)
    for r in range(len(rows) + 1):
        table.rows[r].height = Inches(row_height)
    aligns = aligns or [PP_ALIGN.LEFT] * len(widths)
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
        _text(
            slide,
            MARGIN,
            Inches(0.12),
            Inches(9.6),
            Inches(0.65),
            [title],
            size=24,
            bold=True,
            colour="FFFFFF",
            anchor=MSO_ANCHOR.MIDDLE,
        )
        if subtitle:
            _text(
                slide,
                Inches(9.6),
                Inches(0.12),
                SLIDE_W - Inches(9.6) - MARGIN,
                Inches(0.65),
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
            FOOTER_Y - Inches(0.04),
            SLIDE_W - MARGIN,
            FOOTER_Y - Inches(0.04),
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
        _text(
            slide,
            left + Inches(0.2),
            top + Inches(0.62),
            width - Inches(0.35),
            height - Inches(0.75),
            findings,
            size=size,
            bullet=True,
            spacing=10,
        )

    # -- slides --------------------------------------------------------------------------
    def title_slide(self) -> None:
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
        _text(
            slide,
            Inches(0.8),
            Inches(2.25),
            Inches(11.7),
            Inches(1.2),
            [tr("deck.title", self.lang, place=scope.place)],
            size=36,
            bold=True,
            colour="FFFFFF",
            anchor=MSO_ANCHOR.MIDDLE,
        )
        scope_text = scope.district_name or tr(
            "scope.whole_n", self.lang, whole=scope.whole, n=scope.district_count
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
        _text(
            slide,
            Inches(0.8),
            Inches(5.55),
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
        widths = [3.3, 1.45, 1.3, 2.1, 2.3, 1.98]
        n = max(len(rows), 1)
        row_height = min(0.42, 5.0 / (n + 1))
        right = PP_ALIGN.RIGHT
        centre = PP_ALIGN.CENTER
        table = _table(
            slide,
            MARGIN,
            BODY_TOP + Inches(0.05),
            widths,
            header,
            rows,
            size=13 if n <= 11 else 11,
            row_height=row_height,
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
        note_top = BODY_TOP + Inches(0.05) + Inches(row_height * (len(rows) + 1)) + Inches(0.12)
        note = (
            tr("overview.prev_note", lang, period=scope.previous_label)
            if not previous.empty and scope.previous_label
            else tr("overview.no_prev_note", lang)
        )
        self._legend(slide, MARGIN, note_top)
        _text(
            slide,
            MARGIN,
            note_top + Inches(0.42),
            Inches(12),
            Inches(0.35),
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

    def grid_slide(self, title: str, pictures: Sequence[Picture]) -> None:
        """Up to four figures, two by two."""
        slide = self._slide(title, f"{self.scope.label} · {self.scope.period_label}")
        cell_w = (SLIDE_W - 2 * MARGIN - Inches(0.3)) // 2
        cell_h = (BODY_BOTTOM - BODY_TOP - Inches(0.2)) // 2
        for i, picture in enumerate(pictures[:4]):
            col, row = i % 2, i // 2
            _picture(
                slide,
                picture,
                MARGIN + col * (cell_w + Inches(0.3)),
                BODY_TOP + Inches(0.05) + row * (cell_h + Inches(0.1)),
                cell_w,
                cell_h,
            )

    def overdue_slide(
        self, picture: Picture | None, findings: Sequence[str], issues: pd.DataFrame, limit: int = 8
    ) -> None:
        lang = self.lang
        slide = self._slide(tr("slide.overdue", lang), self._as_of_subtitle())
        _text(
            slide,
            MARGIN,
            BODY_TOP,
            SLIDE_W - 2 * MARGIN,
            Inches(0.8),
            findings,
            size=14,
            bullet=True,
            spacing=4,
        )
        top = BODY_TOP + Inches(0.9)
        if picture is not None:
            _picture(slide, picture, MARGIN, top, Inches(5.5), BODY_BOTTOM - top)
        if issues.empty:
            return
        shown = issues.head(limit)
        rows = []
        for r in shown.itertuples(index=False):
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
        left = MARGIN + Inches(5.65)
        widths = [2.65, 1.1, 0.85, 1.5, 0.82]
        right = PP_ALIGN.RIGHT
        _table(
            slide,
            left,
            top,
            widths,
            header,
            rows,
            size=11,
            row_height=0.42,
            aligns=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.LEFT, right, right],
        )
        if len(issues) > limit:
            _text(
                slide,
                left,
                top + Inches(0.42 * (len(rows) + 1) + 0.08),
                Inches(7),
                Inches(0.35),
                [tr("overdue.table_more", lang, n=len(issues) - limit)],
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
            Inches(5.4),
            Inches(0.4),
            [t("dq.quarantine", lang)],
            size=15,
            bold=True,
            colour=NAVY,
        )
        _table(
            slide,
            left,
            BODY_TOP + Inches(0.5),
            [1.95, 2.75, 0.85],
            header,
            rows,
            size=11,
            row_height=0.4,
            aligns=[PP_ALIGN.LEFT, PP_ALIGN.LEFT, PP_ALIGN.RIGHT],
        )
        if len(quarantine) > limit:
            more = int(quarantine["rows"].iloc[limit:].sum())
            _text(
                slide,
                left,
                BODY_TOP + Inches(0.5 + 0.4 * (len(rows) + 1) + 0.08),
                Inches(5.4),
                Inches(0.35),
                [tr("dq.table_more", lang, n=fmt.number(more, lang))],
                size=11,
                colour=MUTED,
            )

    def _as_of_subtitle(self) -> str:
        return t("app.as_of", self.lang, date=fmt.date(self.scope.as_of, self.lang))

    # -- output --------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()
