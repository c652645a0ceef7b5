"""Reading a zip's central directory and locating each entry's data (APPNOTE.TXT 4.3.6-4.3.16)."""

import struct
from dataclasses import dataclass
from typing import BinaryIO

from .errors import CorruptArchive, NotAZip, OverlappingEntries, TooManyEntries, TruncatedArchive
from .zip_records import (
    CENTRAL,
    CENTRAL_SIG,
    EOCD,
    EOCD_SIG,
    LOCAL,
    LOCAL_SIG,
    MAX16,
    MAX32,
    ZIP64_EOCD,
    ZIP64_EOCD_SIG,
    ZIP64_LOCATOR,
    ZIP64_LOCATOR_SIG,
    CentralEntry,
    decode_name,
    parse_central,
)

_TAIL = EOCD.size + MAX16  # the end record plus the longest comment (4.3.16)


@dataclass(frozen=True)
class Directory:
    """The central directory's entries and where it starts."""

    entries: list[CentralEntry]
    offset: int


@dataclass(frozen=True)
class Span:
    """Bytes of one entry in the file: local header start, data start and data end."""

    header: int
    data: int
    end: int
    matches: bool  # the local header repeats the central record's name and method


def read_directory(f: BinaryIO, file_size: int, max_entries: int) -> Directory:
    """Entries of the central directory, refusing more than `max_entries` before reading them."""
    count, size, offset = _end_record(f, file_size)
    if count > max_entries:
        raise TooManyEntries(
            f"L'archive contient {count} entrées, au-delà de la limite de {max_entries}."
        )
    if offset + size > file_size:
        raise TruncatedArchive(
            "Archive tronquée : le répertoire central dépasse la fin du fichier."
        )
    f.seek(offset)
    entries = []
    for _ in range(count):
        record = f.read(CENTRAL.size)
        if len(record) < CENTRAL.size or record[:4] != CENTRAL_SIG:
            raise CorruptArchive("Archive endommagée : répertoire central illisible.")
        name_size, extra_size, comment_size = struct.unpack_from("<HHH", record, 28)
        name, extra = f.read(name_size), f.read(extra_size)
        f.seek(comment_size, 1)
        entries.append(parse_central(record, name, extra))
    return Directory(entries, offset)


def locate(f: BinaryIO, entry: CentralEntry, file_size: int) -> Span:
    """Span of an entry, read from its local header (APPNOTE 4.3.7)."""
    f.seek(entry.header_offset)
    header = f.read(LOCAL.size)
    if len(header) < LOCAL.size:
        raise TruncatedArchive(
            f"Archive tronquée : l'entrée « {entry.name} » manque.", entry=entry.name
        )
    sig, _, flags, method, *_, name_size, extra_size = LOCAL.unpack(header)
    raw_name = f.read(name_size)
    matches = sig == LOCAL_SIG and decode_name(raw_name, flags) == entry.name
    data = entry.header_offset + LOCAL.size + name_size + extra_size
    span = Span(
        entry.header_offset, data, data + entry.compressed_size, matches and method == entry.method
    )
    if span.end > file_size:
        raise TruncatedArchive(
            f"Archive tronquée : les données de « {entry.name} » dépassent la fin du fichier.",
            entry=entry.name,
        )
    return span


def check_spans(spans: dict[str, Span], directory_offset: int) -> None:
    """Refuse entries sharing bytes (overlapping zip bombs, Fifield, WOOT 2019), then mismatches."""
    ordered = sorted(spans.items(), key=lambda item: (item[1].header, item[1].end))
    previous_end, previous_name = 0, None
    for name, span in ordered:
        if span.header < previous_end:
            raise OverlappingEntries(
                f"Les entrées « {previous_name} » et « {name} » se chevauchent (bombe zip ?).",
                entry=name,
            )
        previous_end, previous_name = span.end, name
    if previous_end > directory_offset:
        raise OverlappingEntries(
            f"Les données de « {previous_name} » chevauchent le répertoire central.",
            entry=previous_name,
        )
    for name, span in spans.items():
        if not span.matches:
            raise CorruptArchive(
                f"Archive endommagée : l'en-tête local de « {name} » ne correspond pas.", entry=name
            )


def _end_record(f: BinaryIO, file_size: int) -> tuple[int, int, int]:
    """Entry count, directory size and offset from the (Zip64) end records (4.3.14-4.3.16)."""
    start = max(0, file_size - _TAIL)
    f.seek(start)
    tail = f.read()
    position = tail.rfind(EOCD_SIG)
    if position < 0 or position + EOCD.size > len(tail):
        f.seek(0)
        if f.read(4) == LOCAL_SIG:
            raise TruncatedArchive("Archive tronquée : la fin du fichier zip manque.")
        raise NotAZip("Le fichier n'est pas une archive zip.")
    _, disk, directory_disk, _, count, size, offset, _ = EOCD.unpack_from(tail, position)
    if disk or directory_disk:
        raise CorruptArchive("Les archives en plusieurs volumes ne sont pas acceptées.")
    locator_at = start + position - ZIP64_LOCATOR.size
    if MAX16 in (count,) or MAX32 in (size, offset):
        if locator_at < 0:
            raise CorruptArchive("Archive endommagée : enregistrement Zip64 manquant.")
        f.seek(locator_at)
        signature, _, zip64_at, _ = ZIP64_LOCATOR.unpack(f.read(ZIP64_LOCATOR.size))
        f.seek(zip64_at)
        record = f.read(ZIP64_EOCD.size)
        if signature != ZIP64_LOCATOR_SIG or len(record) < ZIP64_EOCD.size:
            raise CorruptArchive("Archive endommagée : enregistrement Zip64 manquant.")
        fields = ZIP64_EOCD.unpack(record)
        if fields[0] != ZIP64_EOCD_SIG:
            raise CorruptArchive("Archive endommagée : enregistrement Zip64 illisible.")
        count, size, offset = fields[7], fields[8], fields[9]
    return count, size, offset
