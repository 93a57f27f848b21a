"""Decoding CSV bytes as Excel on Chinese Windows writes them."""

from __future__ import annotations

import re

BOM = b"\xef\xbb\xbf"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LONE_CR = re.compile(r"\r(?!\n)")


class DecodeError(ValueError):
    pass


def decode_csv(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name): UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK).

    A file mixing encodings (a GBK file with rows pasted in as UTF-8, or the reverse) is
    refused, naming the first line in the other encoding: decoding it either way would
    land garbled names. Line endings come back as written, except that a file using only
    CR (old Mac) gets LF, and a lone CR inside a line becomes a space (`line_endings`).
    """
    if data.startswith(BOM):
        try:
            return line_endings(data[len(BOM) :].decode("utf-8")), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(_mixed_message(data, exc) or _message(exc, "UTF-8")) from exc
    try:
        return line_endings(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error
    mixed = _mixed_message(data, first_bad)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DecodeError(mixed or _message(exc, "UTF-8 / GBK")) from exc
    if mixed:
        raise DecodeError(mixed)
    return line_endings(text), "gb18030"


def line_endings(text: str) -> str:
    """CR-only line endings as LF; a CR alone inside a line (a stray carriage return in a
    cell) as a space, so that it neither splits a row nor stops the CSV reader."""
    if "\r" not in text:
        return text
    if "\n" not in text:
        return text.replace("\r", "\n")
    if text.count("\r") == text.count("\r\n"):  # Windows line endings only
        return text
    return _LONE_CR.sub(" ", text)


def _mixed_message(data: bytes, utf8_error: UnicodeDecodeError) -> str | None:
    """The message for a file whose lines are partly UTF-8 and partly GBK, else None.

    A line holding Chinese is UTF-8 when it decodes as UTF-8 to Chinese characters: GBK
    bytes practically never do, so such a line beside lines that are not UTF-8 means the
    file mixes the two.
    """
    bad_line = data.count(b"\n", 0, utf8_error.start) + 1
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.removeprefix(BOM).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if _CJK.search(text):
            return (
                f"文件混用了两种编码：第 {number} 行是 UTF-8，第 {bad_line} 行是 GBK，"
                "请统一另存为 UTF-8 或 GBK 编码的 CSV 后重新导入 / the file mixes two "
                f"encodings: line {number} is UTF-8 but line {bad_line} is not (GBK?); save "
                "the whole file as UTF-8 or GBK CSV and load it again"
            )
    return None


def _message(exc: UnicodeDecodeError, tried: str) -> str:
    return (
        f"文件编码无法识别（字节位置 {exc.start}），请另存为 UTF-8 或 GBK 编码的 CSV / "
        f"cannot decode the file as {tried} (byte {exc.start}); save it as UTF-8 or GBK CSV"
    )
