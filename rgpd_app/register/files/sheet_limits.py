"""Bounds on what an uploaded spreadsheet may declare, unzip to, expand to and cost while it is
read (issue 18: a 4.7 kB XLSX declaring A1:XFD1048576 held a web process until it was killed;
a 495-byte ODS expanded to 858 MB). OWASP ASVS 5.0 V5.2.1 (only files the application can
process without a loss of performance) and V5.2.3 (an archive's uncompressed size and number
of files checked before it is unpacked). Pure: no Flask, no database.

Every refusal is a `LimitExceeded` whose French message names the limit. The readers count
every row and cell they visit, empty ones included, and check the clock as they go.
"""

import copy
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

MB = 1024 * 1024
RATIO_FLOOR = MB  # smaller members may compress better than any ratio without harm
_EOCD, _EOCD_SIZE, _MAX_COMMENT = b"PK\x05\x06", 22, 65535


@dataclass(frozen=True)
class Limits:
    data_rows: int = 3000  # non-empty rows under the header: the confirmation writes ~250 a second
    rows: int = 10_000  # sheet rows, empty ones included: declared, reached or visited
    columns: int = 100
    cells: int = 400_000  # cells visited, empty ones included (3,000 × 100 and a third more)
    cell_chars: int = 100_000  # the text of one cell once expanded (text:s, shared strings)
    text_chars: int = 50_000_000  # the text of every cell, once expanded
    depth: int = 64  # XML nesting
    members: int = 1000  # files in the archive
    member_mb: int = 20  # one file of the archive, uncompressed
    unzipped_mb: int = 60  # every file read from the archive, uncompressed
    ratio: int = 100  # uncompressed / compressed, for a member past RATIO_FLOOR
    seconds: float = 10.0

    @classmethod
    def from_settings(cls, settings: Mapping) -> "Limits":
        """The limits from the REGISTER_IMPORT_MAX_* settings (`data_rows` is
        REGISTER_IMPORT_MAX_ROWS, `rows` REGISTER_IMPORT_MAX_SHEET_ROWS), defaults for those
        absent."""
        found = {}
        for item in fields(cls):
            key = "REGISTER_IMPORT_MAX_" + _SETTING.get(item.name, item.name.upper())
            if settings.get(key) is not None:
                found[item.name] = type(item.default)(settings[key])
        return cls(**found)


_SETTING = {"data_rows": "ROWS", "rows": "SHEET_ROWS"}


class UnreadableFile(Exception):
    """The file cannot be read as the format it claims; the message is French."""


class LimitExceeded(UnreadableFile):
    """A bound of `Limits` was reached; `limit` is its field name, the message is French."""

    def __init__(self, limit: str, message: str):
        super().__init__(message)
        self.limit = limit


def number(value: float) -> str:
    """1048576 → "1 048 576" (French grouping, narrow no-break spaces)."""
    return f"{value:,.0f}".replace(",", "\u202f")


def _refuse(limit: str, what: str, allowed: str) -> LimitExceeded:
    return LimitExceeded(limit, f"{what} ; {allowed}.")


class Budget:
    """What one reading has spent so far, checked against `limits` at every step."""

    TICK = 256  # cells between two looks at the clock

    def __init__(self, limits: Limits, *, clock: Callable[[], float] = time.monotonic):
        self.limits, self.clock = limits, clock
        self.deadline = clock() + limits.seconds
        self.rows = self.cells = self.text = self.data_rows = self.unzipped = 0
        self._next_tick = self.TICK

    def tick(self) -> None:
        if self.clock() > self.deadline:
            seconds = number(self.limits.seconds)
            raise _refuse("seconds", f"La lecture du fichier dépasse {seconds} secondes",
                          f"au plus {seconds} secondes lui sont accordées")  # fmt: skip

    def row(self, count: int = 1) -> None:
        self.rows += count
        if self.rows > self.limits.rows:
            most = number(self.limits.rows)
            raise _refuse("rows", f"Le fichier contient plus de {most} lignes, vides comprises",
                          f"au plus {most} lignes sont acceptées")  # fmt: skip
        self.tick()

    def cell(self, count: int = 1) -> None:
        self.cells += count
        if self.cells > self.limits.cells:
            most = number(self.limits.cells)
            raise _refuse("cells", f"Le fichier contient plus de {most} cellules, vides comprises",
                          f"au plus {most} cellules sont lues")  # fmt: skip
        if self.cells >= self._next_tick:
            self._next_tick = self.cells + self.TICK
            self.tick()

    def declared(self, rows: int, columns: int) -> None:
        """A size the file declares, or a row and column where it puts a value."""
        if rows > self.limits.rows:
            raise _refuse("rows", f"Le fichier déclare {number(rows)} lignes",
                          f"au plus {number(self.limits.rows)} lignes sont acceptées")  # fmt: skip
        if columns > self.limits.columns:
            raise _refuse("columns", f"Le fichier déclare {number(columns)} colonnes",
                          f"au plus {number(self.limits.columns)} colonnes sont lues")  # fmt: skip

    def data_row(self) -> None:
        self.data_rows += 1
        if self.data_rows > self.limits.data_rows:
            most = number(self.limits.data_rows)
            raise _refuse("data_rows", f"Le fichier contient plus de {most} traitements",
                          f"au plus {most} traitements sont acceptés par import")  # fmt: skip

    def chars(self, length: int) -> None:
        """One cell's text (or a piece of it about to be added) of `length` characters."""
        if length > self.limits.cell_chars:
            most = number(self.limits.cell_chars)
            raise _refuse("cell_chars", f"Une cellule dépasse {most} caractères une fois lue",
                          f"au plus {most} caractères par cellule sont acceptés")  # fmt: skip

    def text_of(self, length: int) -> None:
        """A cell's text, counted once it is read."""
        self.chars(length)
        self.text += length
        if self.text > self.limits.text_chars:
            most = number(self.limits.text_chars)
            raise _refuse("text_chars", f"Le texte du fichier dépasse {most} caractères",
                          f"au plus {most} caractères sont lus")  # fmt: skip

    def nesting(self, depth: int) -> None:
        if depth > self.limits.depth:
            raise _refuse("depth", f"Le fichier imbrique plus de {self.limits.depth} éléments",
                          f"au plus {self.limits.depth} niveaux sont acceptés")  # fmt: skip


def _too_big(name: str, size: int, most_mb: int) -> LimitExceeded:
    return _refuse("member_mb", f"« {name} » fait {number(size / MB)} Mo une fois décompressé",
                   f"au plus {number(most_mb)} Mo par fichier de l'archive sont lus")  # fmt: skip


def _ratio(name: str, size: int, compressed: int, most: int) -> None:
    if size > RATIO_FLOOR and size > most * max(compressed, 1):
        raise _refuse("ratio", f"« {name} » se décompresse {number(size / max(compressed, 1))} "
                      "fois", f"au plus {number(most)} fois sont acceptées")  # fmt: skip


def check_entry_count(path: Path, limits: Limits) -> None:
    """The archive's number of files from its end record, before its directory is read."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - _EOCD_SIZE - _MAX_COMMENT))
        tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return  # not a zip: zipfile says so
    if int.from_bytes(tail[at + 10 : at + 12], "little") > limits.members:  # 0xFFFF: zip64
        most = number(limits.members)
        raise _refuse("members", f"L'archive contient plus de {most} fichiers",
                      f"au plus {most} sont acceptés")  # fmt: skip


def check_members(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Every file's declared size and ratio, and their total, before any is opened."""
    if len(infos) > limits.members:
        most = number(limits.members)
        raise _refuse("members", f"L'archive contient {number(len(infos))} fichiers",
                      f"au plus {most} sont acceptés")  # fmt: skip
    total = 0
    for info in infos:
        if info.file_size > limits.member_mb * MB:
            raise _too_big(info.filename, info.file_size, limits.member_mb)
        _ratio(info.filename, info.file_size, info.compress_size, limits.ratio)
        total += info.file_size
    if total > limits.unzipped_mb * MB:
        most = number(limits.unzipped_mb)
        raise _refuse("unzipped_mb", f"L'archive fait {number(total / MB)} Mo une fois "
                      "décompressée", f"au plus {most} Mo sont acceptés")  # fmt: skip


def check_package(path: Path, limits: Limits, kind: str) -> None:
    """A zip package (XLSX, ODS) checked from its directory alone, before any member is read:
    its number of files, each one's declared size and ratio, their total. zipfile then never
    reads a member past its declared size (it fails the CRC instead)."""
    check_entry_count(path, limits)
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise UnreadableFile(f"Fichier {kind} illisible.") from err
    check_members(infos, limits)


class MemberReader:
    """A file of the archive read with its bytes counted: no more than it declares (its header
    may lie), than `member_mb`, than `ratio` times its compressed size, than `unzipped_mb` in all
    (Budget.unzipped)."""

    def __init__(self, package: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget):
        self.info, self.budget, self.count = info, budget, 0
        self.cap = min(info.file_size, budget.limits.member_mb * MB)
        opened = copy.copy(info)
        # zipfile would stop at the declared size and fail the CRC: read one byte past it.
        opened.file_size = self.cap + 2
        self.raw = package.open(opened)

    def read(self, size: int = -1) -> bytes:
        left = self.cap + 1 - self.count
        data = self.raw.read(left if size is None or size < 0 else min(size, left))
        self.count += len(data)
        self.budget.unzipped += len(data)
        self._check()
        return data

    def _check(self) -> None:
        limits, info = self.budget.limits, self.info
        if self.count > limits.member_mb * MB:
            raise _too_big(info.filename, self.count, limits.member_mb)
        if self.count > info.file_size:
            raise _refuse("member_mb", f"« {info.filename} » contient plus que les "
                          f"{number(info.file_size)} octets qu'il déclare",
                          f"au plus {number(limits.member_mb)} Mo par fichier de l'archive, "
                          "taille déclarée exacte")  # fmt: skip
        _ratio(info.filename, self.count, info.compress_size, limits.ratio)
        if self.budget.unzipped > limits.unzipped_mb * MB:
            raise _refuse("unzipped_mb", "L'archive fait plus de "
                          f"{number(limits.unzipped_mb)} Mo une fois décompressée",
                          f"au plus {number(limits.unzipped_mb)} Mo sont acceptés")  # fmt: skip
        self.budget.tick()

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> "MemberReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
