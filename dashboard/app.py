"""The dashboard's entry point: `streamlit run dashboard/app.py` (or `schoolwh dashboard`).

It sets up the page, the language switch and the navigation, writes the as-of date
at the top of every page, and runs the chosen page. The warehouse comes from
$SCHOOLWH_WAREHOUSE (else data/warehouse.duckdb) and is opened read-only.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if str(_HERE.parent) not in sys.path:  # `streamlit run dashboard/app.py` from a checkout
    sys.path.insert(0, str(_HERE.parent))

import streamlit as st  # noqa: E402

from dashboard import ui  # noqa: E402
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
    ("quality", "views/quality.py", ":material/fact_check:"),
    ("sql", "views/sql.py", ":material/terminal:"),
)


def main() -> None:
    lang = ui.lang()
    st.set_page_config(page_title=t("app.title", lang), page_icon="🍱", layout="wide")
    lang = ui.language_switch()
    navigation = st.navigation(
        [
            st.Page(
                _HERE / path,
                title=t(f"page.{name}", lang),
                icon=icon,
                url_path=name,
                default=name == "overview",
            )
            for name, path, icon in PAGES
        ]
    )
    st.sidebar.markdown(f"**{t('app.title', lang)}**  \n{t('app.subtitle', lang)}")
    try:
        wh = ui.warehouse()
        ui.as_of_caption(wh)
        navigation.run()
    except WarehouseMissing:
        ui.show_empty(None)
    except WarehouseError as exc:
        st.error(t("app.error", lang, message=str(exc)))


main()
