"""The upload page (数据上报) offers every source's template, the supervision sources too,
with the schools of a district filled in where a template lists them."""

from __future__ import annotations

import io

import duckdb
import openpyxl
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline import templates
from schoolwh.reading.i18n import enum_label
from tests.test_templates import PREFILLED_SCHOOLS, registry

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
A = "410105"


@pytest.fixture(autouse=True)
def _loopback():
    previous = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", previous)


def test_the_template_of_each_source_is_offered_and_prefilled(tmp_path, monkeypatch):
    wh = registry(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(wh))  # the page offers districts by name
    con.execute("drop table marts.dim_district")
    con.execute(
        f"create table marts.dim_district as select '{A}' as district_code, '金水区' as "
        "district_name, 'district' as district_kind, 3 as registered_schools, "
        "3 as active_schools"
    )
    for kpis in ("kpi_overall", "kpi_district"):  # a built warehouse, as the page reads it
        con.execute(f"create table marts.{kpis} (kpi varchar)")
    con.close()
    monkeypatch.setenv(ENV_WAREHOUSE, str(wh))
    made: list[tuple[str, str | None, bytes]] = []
    original = templates.template_bytes

    def recording(source, *, district=None, warehouse=None):
        data = original(source, district=district, warehouse=warehouse)
        made.append((source, district, data))
        return data

    monkeypatch.setattr(templates, "template_bytes", recording)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("views/upload.py").run()
    [pick] = [s for s in at.selectbox if s.key == "template_source"]
    assert list(pick.options) == [enum_label("source", s, "zh") for s in SOURCES]
    for source in ("meal_companions", "menus", "kitchen_cameras", "deliveries", "training"):
        [pick] = [s for s in at.selectbox if s.key == "template_source"]
        pick.select(source).run()
        [where] = [s for s in at.selectbox if s.key == "template_district"]
        if not where.disabled:  # the district's schools filled in (shown by its name)
            where.select_index(1).run()  # after 不预填学校: the registry's one district
        assert not at.error, [e.value for e in at.error]
        assert [b.label for b in at.get("download_button")] == ["下载模板"]
        made_source, district, data = made[-1]
        assert made_source == source
        assert district == (A if source in PREFILLED_SCHOOLS else None)
        sheet = openpyxl.load_workbook(io.BytesIO(data))[SOURCES[source].zh]
        header = [c.value for c in sheet[1]]
        assert header[0] == SOURCES[source].columns[0].zh
        if source in PREFILLED_SCHOOLS:
            at_code = header.index("学校代码") + 1
            codes = [sheet.cell(r, at_code).value for r in range(2, sheet.max_row + 1)]
            assert codes == PREFILLED_SCHOOLS[source]
