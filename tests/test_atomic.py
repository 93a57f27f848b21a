"""One home for replacing a file or a folder in one step (schoolwh.core.atomic)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from schoolwh.core.atomic import replace_file, replace_folder, write_bytes


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_bytes_replaces_the_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"old")
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]


def test_write_bytes_mode_is_the_umask_unless_given(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_bytes(tmp_path / "plain", b"x")
        write_bytes(tmp_path / "secret", b"x", mode=0o600)
    finally:
        os.umask(old)
    assert _mode(tmp_path / "plain") == 0o644
    assert _mode(tmp_path / "secret") == 0o600


def test_a_failed_write_keeps_the_old_file_and_no_partial(tmp_path: Path) -> None:
    target = tmp_path / "report"
    target.mkdir()  # a file cannot replace a folder
    (target / "kept").write_text("x")
    with pytest.raises(OSError):
        write_bytes(target, b"new")
    assert (target / "kept").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


@pytest.mark.parametrize("durable", [False, True])
def test_replace_file_moves_the_finished_file_over_the_target(
    tmp_path: Path, durable: bool
) -> None:
    finished, target = tmp_path / ".wh.build", tmp_path / "warehouse.duckdb"
    finished.write_bytes(b"built")
    target.write_bytes(b"published")
    replace_file(finished, target, durable=durable)
    assert target.read_bytes() == b"built"
    assert not finished.exists()


def test_replace_folder_swaps_in_the_new_folder(tmp_path: Path) -> None:
    target, finished = tmp_path / "dq_docs", tmp_path / ".dq_docs.tmp"
    target.mkdir()
    (target / "old.html").write_text("old")
    finished.mkdir()
    (finished / "index.html").write_text("new")
    replace_folder(finished, target)
    assert [p.name for p in target.iterdir()] == ["index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["dq_docs"]  # the old one is gone


def test_replace_folder_creates_the_target_when_absent(tmp_path: Path) -> None:
    finished = tmp_path / ".schools.tmp"
    finished.mkdir()
    (finished / "part-0.parquet").write_bytes(b"p")
    replace_folder(finished, tmp_path / "schools")
    assert (tmp_path / "schools" / "part-0.parquet").read_bytes() == b"p"
    assert not finished.exists()
