"""Hidden rows of an Excel 97–2003 workbook (.xls), which calamine does not report.

An .xls file is a compound file (sectors chained by a file allocation table) holding a
`Workbook` stream of BIFF8 records: a BOUNDSHEET record per sheet gives its name and
where its records start, and a ROW record per row says whether the row is hidden
(fDyZero). Everything is bounded by the file's own size: a chain longer than the file
has sectors, or pointing outside it, ends the reading (the rows are then read as they
are, the way they were before this module, and the workbook is judged by calamine).
Files of Excel 95 and earlier (a `Book` stream, BIFF5) are not read here.
"""

from __future__ import annotations

import re
import struct

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_SPECIAL = 0xFFFFFFFA  # sector numbers from here on are markers, never sectors

_BOUNDSHEET = 0x0085
_BOF = 0x0809
_EOF = 0x000A
_ROW = 0x0208
_HIDDEN_ROW = 0x0020  # fDyZero: the row's height is zero (hidden)


class _Broken(ValueError):
    """A compound file that does not hold together: its hidden rows are not known."""


def hidden_rows(data: bytes) -> dict[str, list[int]]:
    """Each worksheet's hidden rows (1-based), by sheet name; {} when none are hidden, or
    when the file cannot be read this way."""
    try:
        stream = _workbook_stream(data)
        return _biff_hidden_rows(stream) if stream else {}
    except (_Broken, struct.error, UnicodeDecodeError, IndexError):
        return {}


def _workbook_stream(data: bytes) -> bytes | None:
    if len(data) < 512 or not data.startswith(MAGIC):
        return None
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Broken("sector size")
    size = 1 << shift
    sectors = (len(data) - 512) // size + 1

    def sector(n: int) -> bytes:
        if n >= _SPECIAL or (n + 1) * size >= len(data) + size:
            raise _Broken("sector outside the file")
        return data[(n + 1) * size : (n + 2) * size]

    dir_start, cutoff, minifat_start = struct.unpack_from("<I4xII", data, 0x30)
    dif_start, dif_count = struct.unpack_from("<II", data, 0x44)
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _SPECIAL]
    per = size // 4
    seen = 0
    while dif_start < _SPECIAL and dif_count > 0:
        seen += 1
        if seen > sectors:
            raise _Broken("DIFAT loop")
        entries = struct.unpack(f"<{per}I", sector(dif_start))
        fat_sectors += [s for s in entries[:-1] if s < _SPECIAL]
        dif_start, dif_count = entries[-1], dif_count - 1
    if len(fat_sectors) > sectors:
        raise _Broken("FAT larger than the file")
    fat = b"".join(sector(s) for s in fat_sectors)
    table = struct.unpack(f"<{len(fat) // 4}I", fat)

    def chain(start: int, links: tuple[int, ...], limit: int) -> list[int]:
        out = []
        n = start
        while n < _SPECIAL:
            if len(out) > limit or n >= len(links):
                raise _Broken("chain outside the table")
            out.append(n)
            n = links[n]
        return out

    directory = b"".join(sector(s) for s in chain(dir_start, table, sectors))
    entries = {}
    root = None
    for at in range(0, len(directory) - 127, 128):
        length, kind = struct.unpack_from("<HB", directory, at + 0x40)
        if kind not in (1, 2, 5) or not 2 <= length <= 64:
            continue
        name = directory[at : at + length - 2].decode("utf-16-le", "replace")
        start, stream_size = struct.unpack_from("<II", directory, at + 0x74)
        if kind == 5 and root is None:
            root = (start, stream_size)
        elif kind == 2:
            entries.setdefault(name, (start, stream_size))
    if "Workbook" not in entries:
        return None  # an Excel 95 `Book`, or no workbook at all
    start, stream_size = entries["Workbook"]
    if stream_size > len(data) * 2:
        raise _Broken("stream larger than the file")
    if stream_size >= cutoff:
        body = b"".join(sector(s) for s in chain(start, table, sectors))
        return body[:stream_size]
    if root is None:
        raise _Broken("no root entry")
    mini = b"".join(sector(s) for s in chain(root[0], table, sectors))
    minifat = b"".join(sector(s) for s in chain(minifat_start, table, sectors))
    mini_table = struct.unpack(f"<{len(minifat) // 4}I", minifat)
    pieces = chain(start, mini_table, len(mini) // 64 + 1)
    body = b"".join(mini[n * 64 : (n + 1) * 64] for n in pieces)
    return body[:stream_size]


# A ROW record (type 0x0208, 16 bytes long) whose flags have fDyZero set: every hidden
# row's record looks so, so a stream without one has no hidden row (searched in C, before
# any record is walked in Python).
_MAYBE_HIDDEN = re.compile(rb"\x08\x02\x10\x00.{12}[\x20-\x3f\x60-\x7f\xa0-\xbf\xe0-\xff]", re.S)


def _biff_hidden_rows(stream: bytes) -> dict[str, list[int]]:
    if not _MAYBE_HIDDEN.search(stream):
        return {}
    sheets: list[tuple[int, str]] = []
    pos = 0
    while pos + 4 <= len(stream):  # the globals: sheet names and where each starts
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8 and body[5] == 0:  # a worksheet
            offset, count, flags = struct.unpack_from("<I2xBB", body)
            raw = body[8:]
            name = (
                raw[: 2 * count].decode("utf-16-le") if flags & 1 else raw[:count].decode("latin-1")
            )
            sheets.append((offset, name))
        pos += 4 + length
        if kind == _EOF:
            break
    out: dict[str, list[int]] = {}
    for offset, name in sheets:
        pos, rows = offset, []
        while pos + 4 <= len(stream):
            kind, length = struct.unpack_from("<HH", stream, pos)
            if kind == _ROW and length >= 16:
                number, flags = struct.unpack_from("<H10xH", stream, pos + 4)
                if flags & _HIDDEN_ROW:
                    rows.append(number + 1)
            pos += 4 + length
            if kind == _EOF:
                break
        if rows:
            out[name] = rows
    return out
