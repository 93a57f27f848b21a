"""Static images of Plotly figures (PNG at print resolution, SVG) through kaleido, which
drives the system's Chromium.

Nothing is downloaded: Chromium is the one on PATH (Debian `chromium`; `BROWSER_PATH`
names another), and Chinese text needs a CJK font (Debian `fonts-noto-cjk`). When either
is missing, `ExportError` says in one sentence what to install.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import os
import shutil
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import plotly.graph_objects as go

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# The first family of schoolwh.reading.charts.FONT and the ones it falls back to.
CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC")
# Font files of those families, for systems without fontconfig's `fc-list`.
_CJK_FILE_HINTS = ("notosanscjk", "sourcehansans", "msyh", "pingfang")
_FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local" / "share" / "fonts",
    Path.home() / ".fonts",
    Path("/System/Library/Fonts"),
    Path("/Library/Fonts"),
    Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts",
)
INSTALL_COMMAND = "sudo apt-get install chromium fonts-noto-cjk"

# Print resolution: a figure laid out 800 CSS px wide is drawn 2,400 px wide, 300 dpi
# across 8 inches (the width it takes on a 16:9 slide or an A4 page).
PRINT_SCALE = 3.0
DEFAULT_TABS = 2
RENDER_TIMEOUT = 90.0
DRAWN_CACHE_BYTES = 128 * 1024**2  # images kept for the next button (see _Drawn)

T = TypeVar("T")


class ExportError(RuntimeError):
    """Figures cannot be exported: one sentence saying why and what to do."""


@dataclass(frozen=True)
class ImageRequest:
    """One figure to draw at `width` × `height` CSS pixels, in each of `formats`."""

    fig: go.Figure
    width: int
    height: int
    formats: tuple[str, ...] = field(default=("png", "svg"))


def find_chromium() -> Path | None:
    """The Chromium (or Chrome) to drive: $BROWSER_PATH when it names a file, else PATH."""
    override = os.environ.get("BROWSER_PATH")
    if override and Path(override).is_file():
        return Path(override)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def _fontconfig_families() -> set[str] | None:
    """Families fontconfig knows for Simplified Chinese; None without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, ":lang=zh-cn", "family"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return {part.strip() for line in out.splitlines() for part in line.split(",") if part.strip()}


def find_cjk_font() -> str | None:
    """The first CJK family of the charts' font list that is installed, or None."""
    families = _fontconfig_families()
    if families is not None:
        return next((f for f in CJK_FAMILIES if f in families), None)
    for folder in _FONT_DIRS:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            name = path.name.lower().replace(" ", "").replace("-", "")
            for family, hint in zip(CJK_FAMILIES, _CJK_FILE_HINTS, strict=True):
                if name.startswith(hint):
                    return family
    return None


def missing_requirements() -> str | None:
    """One sentence naming what to install, or None when Chromium and a CJK font are there."""
    chromium = find_chromium() is not None
    font = find_cjk_font() is not None
    if chromium and font:
        return None
    if not chromium and not font:
        what_zh, what_en = "Chromium 浏览器和中文字体", "Chromium and a Chinese (CJK) font"
    elif not chromium:
        what_zh, what_en = "Chromium 浏览器", "Chromium"
    else:
        what_zh, what_en = "中文字体 Noto Sans CJK SC", "the Chinese font Noto Sans CJK SC"
    return (
        f"导出图片需要{what_zh}，请安装 / Exporting figures needs {what_en}: "
        f"install with `{INSTALL_COMMAND}`."
    )


def require_browser() -> Path:
    """The Chromium to use; `ExportError` when it or the CJK font is missing."""
    problem = missing_requirements()
    if problem:
        raise ExportError(problem)
    chromium = find_chromium()
    assert chromium is not None
    return chromium


def _run(factory: Any) -> Any:
    """Run a coroutine from synchronous code, also when the caller's thread already runs
    an event loop (then in a worker thread with its own loop)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


async def _render_all(
    chromium: Path,
    requests: Sequence[ImageRequest],
    scale: float,
    tabs: int,
    timeout: float,
) -> list[dict[str, bytes]]:
    import kaleido  # imported here: it starts nothing, but pulls in a browser driver

    jobs: list[tuple[int, str, Coroutine[Any, Any, bytes]]] = []
    results: list[dict[str, bytes]] = [{} for _ in requests]
    async with kaleido.Kaleido(
        path=str(chromium), n=max(1, tabs), mathjax=False, timeout=timeout
    ) as k:
        for i, request in enumerate(requests):
            for form in request.formats:
                opts = {
                    "format": form,
                    "width": request.width,
                    "height": request.height,
                    "scale": scale if form == "png" else 1,
                }
                jobs.append((i, form, k.calc_fig(request.fig, opts)))
        images = await asyncio.gather(*(job for _, _, job in jobs))
    for (i, form, _), image in zip(jobs, images, strict=True):
        results[i][form] = image
    return results


class _Drawn:
    """Images already drawn in this process, by figure, size, format and scale: the page's
    PNG, PDF and PPTX buttons draw the same figures, and so do two people asking for the
    same page. Bounded in bytes; the oldest go first."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit = limit_bytes
        self.size = 0
        self.images: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def key(request: ImageRequest, form: str, scale: float) -> str:
        spec = request.fig.to_json()
        return hashlib.sha256(
            f"{request.width}x{request.height}:{form}:{scale}:{spec}".encode()
        ).hexdigest()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            image = self.images.get(key)
            if image is not None:
                self.images.move_to_end(key)
            return image

    def put(self, key: str, image: bytes) -> None:
        if len(image) > self.limit:
            return
        with self.lock:
            if key in self.images:
                return
            self.images[key] = image
            self.size += len(image)
            while self.size > self.limit:
                _, old = self.images.popitem(last=False)
                self.size -= len(old)


_DRAWN = _Drawn(DRAWN_CACHE_BYTES)


def forget_drawn() -> None:
    """Forget the images drawn so far (the bench times each button cold)."""
    global _DRAWN
    _DRAWN = _Drawn(DRAWN_CACHE_BYTES)


def render(
    requests: Sequence[ImageRequest],
    *,
    scale: float = PRINT_SCALE,
    tabs: int = DEFAULT_TABS,
    timeout: float = RENDER_TIMEOUT,
) -> list[dict[str, bytes]]:
    """Draw every request in one Chromium session: for each, format → image bytes. An image
    drawn before in this process (same figure, size, format and scale) is not drawn again."""
    if not requests:
        return []
    results: list[dict[str, bytes]] = [{} for _ in requests]
    todo: list[tuple[int, ImageRequest, dict[str, str]]] = []  # index, to draw, form → key
    for i, request in enumerate(requests):
        keys = {form: _DRAWN.key(request, form, scale) for form in request.formats}
        for form, key in keys.items():
            image = _DRAWN.get(key)
            if image is not None:
                results[i][form] = image
        left = {form: key for form, key in keys.items() if form not in results[i]}
        if left:
            todo.append((i, replace(request, formats=tuple(left)), left))
    if not todo:
        return results
    chromium = require_browser()
    try:
        missing = [request for _, request, _ in todo]
        drawn = _run(lambda: _render_all(chromium, missing, scale, tabs, timeout))
    except ExportError:
        raise
    except Exception as exc:  # the browser failed to start or to draw
        raise ExportError(
            f"Chromium（{chromium}）未能绘制图表 / Chromium at {chromium} could not draw the "
            f"figures ({type(exc).__name__}: {exc}); check that `{chromium} --headless "
            "--no-sandbox --version` runs."
        ) from exc
    for (i, _, keys), images in zip(todo, drawn, strict=True):
        for form, image in images.items():
            _DRAWN.put(keys[form], image)
            results[i][form] = image
    return results


def figure_image(
    fig: go.Figure,
    *,
    width: int = 800,
    height: int | None = None,
    form: str = "png",
    scale: float = PRINT_SCALE,
) -> bytes:
    """One figure as PNG (print resolution) or SVG bytes."""
    h = height or int(fig.layout.height or 450)
    return render([ImageRequest(fig, width, h, (form,))], scale=scale, tabs=1)[0][form]
