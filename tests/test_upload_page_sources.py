"""The upload page (数据上报) offers every source's template, the supervision sources too,
with the schools of a district filled in where a template lists them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from schoolwh.core.settings import ENV_WAREHOUSE, PROJECT_ROOT
from schoolwh.core.sources import SOURCES
from schoolwh.pipeline import templates
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
    assert list(pick.options) == [f"{SOURCES[s].zh} ({s})" for s in SOURCES]
    at.text_input[0].input(A).run()
    for source in ("meal_companions", "menus", "kitchen_cameras", "deliveries", "training"):
        [pick] = [s for s in at.selectbox if s.key == "template_source"]
        pick.select(source).run()
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
