"""A school's supervision facts on its detail (区县 page, `&school=`): its latest camera
snapshot, this month's 陪餐 by role, its last menus and whether each meets 两菜一水果加主食,
its last canteen checks and this term's deliveries by unified delivery and certified
supplier. "This month" and "this term" are those of the as-of date."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from schoolwh.reading import formatting as fmt
from schoolwh.reading import queries as q
from schoolwh.reading import tables
from schoolwh.reading.connection import Warehouse
from schoolwh.reading.i18n import t


def show(wh: Warehouse, school_code: str, school_name: str, lang: str) -> None:
    """The school's supervision facts; nothing on a warehouse without the supervision marts."""
    if not q.has_supervision(wh):
        return
    ui.heading(t("school_sup.title", lang), level=5)
    periods = q.as_of_periods(wh)

    ui.heading(t("school_sup.cameras", lang), level=6)
    cameras = q.school_cameras(wh, school_code)
    if cameras.empty:
        st.caption(t("school_sup.none", lang))
    else:
        row = cameras.iloc[0]
        st.markdown(  # a date and two counts: nothing from a file's free text
            t(
                "school_sup.cameras_line",
                lang,
                date=fmt.date(row["snapshot_date"], lang),
                cameras=fmt.count(row["cameras"], lang),
                online=fmt.count(row["online"], lang),
            )
        )

    sections = (
        (
            t("school_sup.companions", lang, month=fmt.period(periods["month"], lang)),
            q.school_companions(wh, school_code, periods["month"] or ""),
            tables.SCHOOL_COMPANIONS,
            "companions",
        ),
        (
            t("school_sup.menus", lang),
            q.school_menus(wh, school_code),
            tables.SCHOOL_MENUS,
            "menus",
        ),
        (
            t("school_sup.checks", lang),
            q.school_checks(wh, school_code),
            tables.SCHOOL_CHECKS,
            "checks",
        ),
        (
            t("school_sup.deliveries", lang, term=fmt.period(periods["term"], lang)),
            q.school_deliveries(wh, school_code, periods["term"] or ""),
            tables.SCHOOL_DELIVERIES,
            "deliveries",
        ),
    )
    for title, frame, columns, key in sections:
        ui.heading(title, level=6)
        if frame.empty:
            st.caption(t("school_sup.none", lang))
            continue
        ui.table(
            tables.build(frame, columns, lang),
            f"{school_name}_{title}",
            key=f"school_sup_{key}",
        )
