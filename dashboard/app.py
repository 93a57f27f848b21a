"""The dashboard's entry point: `streamlit run dashboard/app.py` (or `schoolwh dashboard`).

It sets up the page, the language switch, the login (dashboard/auth.py) and the
navigation a role may use, writes the as-of date at the top of every page, and runs the
chosen page. The warehouse comes from $SCHOOLWH_WAREHOUSE (else data/warehouse.duckdb)
and is opened read-only; a district account reads its district's extract instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE.parent) not in sys.path:  # `streamlit run dashboard/app.py` from a checkout
    sys.path.insert(0, str(_HERE.parent))

import streamlit as st  # noqa: E402

from dashboard import auth, ui  # noqa: E402
from schoolwh.accounts import Account  # noqa: E402
from schoolwh.reading.connection import WarehouseError, WarehouseMissing  # noqa: E402
from schoolwh.reading.i18n import t  # noqa: E402

# (name, file, icon): the name is the URL path and the i18n key `page.<name>`. The pages
# live in `views/`, not `pages/`: Streamlit treats a `pages/` folder beside the entry point
# as an old-style multipage app and would run a deep link (/district) without this shell.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "views/overview.py", ":material/dashboard:"),
    ("district", "views/district.py", ":material/location_city:"),
    ("funding", "views/funding.py", ":material/payments:"),
    ("satisfaction", "views/satisfaction.py", ":material/sentiment_satisfied:"),
    ("issues", "views/issues.py", ":material/task_alt:"),
    ("supervision", "views/supervision.py", ":material/visibility:"),
    ("quality", "views/quality.py", ":material/fact_check:"),
    ("reporting", "views/reporting.py", ":material/assignment_late:"),
    ("sql", "views/sql.py", ":material/terminal:"),
    ("upload", "views/upload.py", ":material/upload_file:"),
    ("accounts", "views/accounts.py", ":material/manage_accounts:"),
)
KPI_PAGES = ("overview", "district", "funding", "satisfaction", "issues", "supervision")


def allowed_pages(account: Account | None) -> list[str]:
    """The pages a role may open (open mode on 127.0.0.1: every page)."""
    names = [name for name, _, _ in PAGES if name != "accounts"]
    if account is None:
        return names
    if account.role == "admin":  # accounts only: no figures, not even the quality page
        return ["accounts"]
    allowed: list[str] = []
    if account.sees_dashboard:
        allowed += KPI_PAGES
    allowed.append("quality")
    allowed.append("reporting")  # 上报情况: every role, in its own districts
    if account.can_sql:
        allowed.append("sql")
    if account.can_upload:
        allowed.append("upload")
    ordered = [n for n in names if n in allowed]
    if not account.sees_dashboard and "upload" in ordered:  # a clerk's work comes first
        ordered.insert(0, ordered.pop(ordered.index("upload")))
    return ordered


def title(name: str, lang: str) -> str:
    return t(f"page.{name}", lang)


def _follow_link(
    wanted: tuple[str | None, dict[str, str]] | None, allowed: list[str], current: str
) -> None:
    """After a login: the page, district and school the link asked for (a page the role
    may not open, or none, keeps the first page, with the link's parameters)."""
    if wanted is None:
        return
    page, params = wanted
    params = {k: v for k, v in params.items() if k in ("district", "school", "period")}
    files = {name: path for name, path, _ in PAGES}
    target = page if page in allowed else allowed[0]
    # "/" runs the first page as the hidden home page: that is the link's page only when
    # the link named none
    here = current == target or (not page and current in ("", "home"))
    if here and all(st.query_params.get(k) == v for k, v in params.items()):
        return  # the address already is the link's: no second run
    if page in allowed or params:
        st.switch_page(files[target], query_params=params)


def main() -> None:
    lang = ui.lang()
    st.set_page_config(page_title=t("app.title", lang), page_icon="🍱", layout="wide")
    lang = ui.language_switch()
    account = auth.gate(lang)  # stops here until someone has logged in
    allowed = allowed_pages(account)
    navigation = st.navigation(
        [
            st.Page(
                _HERE / path,
                title=title(name, lang),
                icon=icon,
                url_path=name,
            )
            for name, path, icon in sorted(
                (p for p in PAGES if p[0] in allowed), key=lambda p: allowed.index(p[0])
            )
        ]
        # "/" runs the first page; every page keeps its own address (/overview too)
        + [ui.home_page(_HERE / {n: p for n, p, _ in PAGES}[allowed[0]], title(allowed[0], lang))]
    )
    st.sidebar.markdown(f"**{t('app.title', lang)}**  \n{t('app.subtitle', lang)}")
    _follow_link(auth.take_next(), allowed, navigation.url_path)
    try:
        wh = ui.warehouse()
        ui.as_of_caption(wh)
        navigation.run()
        # the run's last element: a browser (the bench, the tests) knows the page is whole
        st.markdown(
            f'<span class="schoolwh-drawn" data-page="{navigation.url_path}"></span>',
            unsafe_allow_html=True,
        )
    except WarehouseMissing:
        ui.show_empty(None)
    except WarehouseError as exc:
        st.error(t("app.error", lang, message=str(exc)))


main()
