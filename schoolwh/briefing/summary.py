"""The one-page A4 summary (PDF): title with the place, period and as-of date, the KPIs
against their targets with status, the district table and three to five findings.

Written as an HTML page with print CSS and printed to PDF by Chromium (the browser the
figures are drawn with), so Chinese is real text in an embedded font: searchable and
copyable. Every value from the data is HTML-escaped.
"""

from __future__ import annotations

import html
import subprocess
import tempfile
from pathlib import Path

from schoolwh.briefing import findings
from schoolwh.briefing.data import BriefingData
from schoolwh.briefing.export import ExportError, require_browser
from schoolwh.briefing.labels import tr
from schoolwh.reading import charts
from schoolwh.reading import formatting as fmt
from schoolwh.reading import status as st_
from schoolwh.reading.headline import furthest_first, headline
from schoolwh.reading.i18n import kpi_name, status_label, t

PDF_MIME = "application/pdf"
PRINT_TIMEOUT = 60.0
MAX_FINDINGS = 5

_CSS = """
@page { size: A4 portrait; margin: 11mm 10mm 10mm 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif;
       font-size: 8.6pt; color: #262626; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 1mm 0; color: #1F3A5F; }
h2 { font-size: 10.5pt; margin: 3mm 0 1.2mm 0; color: #1F3A5F;
     border-bottom: 0.6pt solid #D0D5DD; padding-bottom: 0.6mm; }
.meta { color: #555; font-size: 9pt; }
.sample { color: #B00020; font-weight: 700; font-size: 10pt; margin: 1mm 0; }
table { border-collapse: collapse; width: 100%; page-break-inside: avoid; }
th { background: #1F3A5F; color: #fff; font-weight: 600; padding: 0.8mm 1mm;
     text-align: right; white-space: nowrap; }
td { padding: 0.6mm 1mm; text-align: right; white-space: nowrap;
     border-bottom: 0.3pt solid #E4E7EC; }
th:first-child, td:first-child { text-align: left; }
td.chip { font-weight: 600; text-align: center; }
table.grid td, table.grid th { font-size: 7pt; padding: 0.5mm 0.6mm; text-align: center; }
table.grid th { white-space: normal; vertical-align: bottom; line-height: 1.15; }
table.grid td:first-child { text-align: left; font-weight: 600; }
ul { margin: 0; padding-left: 4.5mm; }
li { margin: 0 0 1mm 0; line-height: 1.4; }
.foot { color: #777; font-size: 7.5pt; margin-top: 2.5mm; }
.headline { font-size: 10.5pt; font-weight: 700; color: #1F3A5F; margin: 1.5mm 0 0 0; }
"""


def _e(value: object) -> str:
    """Data as text: escaped, one line."""
    return html.escape(" ".join(str(value).split()))


def _chip(status: object, lang: str, text: str | None = None) -> str:
    style = st_.style(status)
    key = style.key
    label = text if text is not None else f"{style.glyph} {_status_word(key, lang)}"
    border = "outline:0.6pt dashed #333;" if style.pattern else ""
    return (
        f'<td class="chip" style="background:{style.colour};color:{style.text_colour};'
        f'{border}">{_e(label)}</td>'
    )


def _status_word(key: str, lang: str) -> str:
    return status_label(key if key != "no_target" else None, lang)


def _kpi_table(data: BriefingData) -> str:
    lang = data.scope.lang
    cards = charts.kpi_cards(data.kpis, data.previous_kpis, lang, data.scope.previous_label)
    head = "".join(
        f"<th>{_e(tr(f'overview.col.{c}', lang))}</th>"
        for c in ("kpi", "value", "target", "status", "change")
    )
    rows = []
    for card, (_, row) in zip(cards, data.kpis.iterrows(), strict=True):
        unit = row.get("unit") if isinstance(row.get("unit"), str) else None
        target = (
            fmt.kpi_value(row.get("target"), unit, lang)
            if not fmt.is_missing(row.get("target"))
            else fmt.MISSING
        )
        change = card.delta_text if card.delta is not None else fmt.MISSING
        rows.append(
            f"<tr><td>{_e(card.name)}</td><td><b>{_e(card.value_text)}</b></td>"
            f"<td>{_e(target)}</td>{_chip(card.status, lang)}<td>{_e(change)}</td></tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _district_table(data: BriefingData) -> str:
    """Districts × KPIs, each cell the status colour with glyph and value."""
    lang = data.scope.lang
    frame = data.by_district
    if data.by_school:  # one district: its row is the KPI table already
        return ""
    kpis = list(dict.fromkeys(data.kpis["kpi"])) or list(dict.fromkeys(frame["kpi"]))
    head = "".join(f"<th>{_e(kpi_name(k, lang))}</th>" for k in kpis)
    cells = {(r.district_code, r.kpi): r for r in frame.itertuples(index=False)}
    names = frame.drop_duplicates("district_code")[["district_code", "district_name"]]
    rows = []
    for code, name in zip(names["district_code"], names["district_name"], strict=True):
        tds = []
        for k in kpis:
            r = cells.get((code, k))
            if r is None:
                tds.append("<td></td>")
                continue
            unit = r.unit if isinstance(r.unit, str) else None
            value = fmt.kpi_value(r.value, unit, lang)
            tds.append(_chip(r.status, lang, f"{st_.style(r.status).glyph} {value}"))
        rows.append(f"<tr><td>{_e(name)}</td>{''.join(tds)}</tr>")
    title = tr("slide.status_grid", lang)
    return (
        f"<h2>{_e(title)}</h2>"
        f'<table class="grid"><tr><th>{_e(t("col.district", lang))}</th>{head}</tr>'
        f"{''.join(rows)}</table>"
    )


def _supervision_section(data: BriefingData) -> str:
    """The supervision KPIs (the seed's topic) that missed their targets, each with the
    districts below it; one line when none did. Nothing without supervision KPI rows."""
    lang = data.scope.lang
    own = data.supervision_only()
    if own.kpis.empty:
        return ""
    heading = f"<h2>{_e(tr('sup.summary_head', lang))}</h2>"
    missed = own.kpis[own.kpis["status"] == "missed"]
    if missed.empty:
        return f"{heading}<div class='meta'>{_e(tr('sup.summary_none', lang))}</div>"
    columns = ["kpi", "value", "target", "status"]
    head = "".join(f"<th>{_e(tr(f'overview.col.{c}', lang))}</th>" for c in columns)
    if not data.scope.is_district:
        head += f"<th>{_e(tr('sup.col.districts_below', lang))}</th>"
    rows = []
    for _, row in missed.iterrows():
        kpi = str(row["kpi"])
        unit = row.get("unit") if isinstance(row.get("unit"), str) else None
        cells = (
            f"<td>{_e(kpi_name(kpi, lang))}</td>"
            f"<td><b>{_e(fmt.kpi_value(row.get('value'), unit, lang))}</b></td>"
            f"<td>{_e(fmt.kpi_value(row.get('target'), unit, lang))}</td>"
            f"{_chip(row.get('status'), lang)}"
        )
        if not data.scope.is_district:
            districts = own.districts_of(kpi)
            below = districts.loc[districts["status"] == "missed", "district_name"]
            names = ("、" if lang == "zh" else ", ").join(str(n) for n in below) or fmt.MISSING
            cells += f'<td style="white-space:normal;text-align:left">{_e(names)}</td>'
        rows.append(f"<tr>{cells}</tr>")
    return f"{heading}<table><tr>{head}</tr>{''.join(rows)}</table>"


def summary_findings(data: BriefingData, limit: int = MAX_FINDINGS) -> list[str]:
    """Three to five findings: the KPIs below target, furthest from it first (districts
    named), then the money and the overdue issues."""
    lang = data.scope.lang
    missed = furthest_first(data.kpis)  # the KPI furthest from its target leads
    found: list[str] = []
    for kpi in missed["kpi"]:
        sentence = findings.below_target(data, str(kpi)) or findings.headline(data, str(kpi))
        if sentence:
            found.append(f"{kpi_name(str(kpi), lang)}{'：' if lang == 'zh' else ': '}{sentence}")
        if len(found) >= 3:
            break
    for extra in (findings.funding_findings(data), findings.overdue_findings(data)):
        if extra:
            found.append(extra[0])
    if len(found) < 3:
        for kpi in data.kpi_ids():
            sentence = findings.headline(data, kpi)
            if sentence and sentence not in found:
                found.append(f"{kpi_name(kpi, lang)}{'：' if lang == 'zh' else ': '}{sentence}")
            if len(found) >= 3:
                break
    return found[:limit]


def summary_html(data: BriefingData) -> str:
    """The summary page as HTML (print CSS for one A4 page)."""
    scope = data.scope
    lang = scope.lang
    title = tr("deck.title", lang, place=scope.place)
    meta = " · ".join(
        [scope.label, scope.period_label, t("app.as_of", lang, date=fmt.date(scope.as_of, lang))]
    )
    sample = f'<div class="sample">{_e(t("sample.banner", lang))}</div>' if data.sample else ""
    line = headline(data.kpis, data.by_district, lang)
    lead = f'<p class="headline">{_e(line)}</p>' if line else ""
    items = "".join(f"<li>{_e(f)}</li>" for f in summary_findings(data))
    general = data.without_supervision()  # the supervision KPIs: their own section
    foot = tr("deck.source", lang)
    if data.sample:
        foot = f"{t('sample.label', lang)} · {foot}"
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{_e(title)}</title><style>{_CSS}</style></head><body>'
        f"<h1>{_e(title)}</h1><div class='meta'>{_e(meta)}</div>{sample}{lead}"
        f"<h2>{_e(tr('slide.findings', lang))}</h2><ul>{items}</ul>"
        f"<h2>{_e(tr('overview.title', lang))}</h2>{_kpi_table(general)}"
        f"{_district_table(general)}{_supervision_section(data)}"
        f'<div class="foot">{_e(foot)}</div></body></html>'
    )


def print_pdf(page: str, *, timeout: float = PRINT_TIMEOUT) -> bytes:
    """An HTML page printed to PDF by headless Chromium (A4 from the page's CSS)."""
    chromium = require_browser()
    with tempfile.TemporaryDirectory(prefix="schoolwh-summary-") as tmp:
        source = Path(tmp) / "summary.html"
        target = Path(tmp) / "summary.pdf"
        source.write_text(page, encoding="utf-8")
        command = [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ExportError(
                f"Chromium（{chromium}）未能打印摘要 / Chromium at {chromium} could not print "
                f"the summary ({type(exc).__name__})."
            ) from exc
        if not target.is_file() or target.stat().st_size == 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ExportError(
                f"Chromium（{chromium}）未能打印摘要 / Chromium at {chromium} could not print "
                f"the summary: {message[0]}"
            )
        return target.read_bytes()


def summary_pdf(data: BriefingData) -> bytes:
    """The one-page A4 summary of `data` as PDF bytes."""
    return print_pdf(summary_html(data))


__all__ = ["PDF_MIME", "print_pdf", "summary_findings", "summary_html", "summary_pdf"]
