"""Decoding CSV bytes as Excel on Chinese Windows writes them."""

from __future__ import annotations

BOM = b"\xef\xbb\xbf"


class DecodeError(ValueError):
    pass


def decode_csv(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name): UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK)."""
    if data.startswith(BOM):
        try:
            return data[len(BOM) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(_message(exc, "UTF-8")) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(_message(exc, "UTF-8 / GBK")) from exc


def _message(exc: UnicodeDecodeError, tried: str) -> str:
    return (
        f"文件编码无法识别（字节位置 {exc.start}），请另存为 UTF-8 或 GBK 编码的 CSV / "
        f"cannot decode the file as {tried} (byte {exc.start}); save it as UTF-8 or GBK CSV"
    )
