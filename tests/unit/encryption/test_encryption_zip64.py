"""Zip64 header logic with values past 4 GiB, without writing gigabytes (bench/zip.py does that)."""

import io

import pytest

from encryption import TooManyEntries
from encryption.zip_directory import read_directory
from encryption.zip_records import CENTRAL, build_central, build_end, parse_central

GIB = 1 << 30


def parse(record: bytes):
    name_size = int.from_bytes(record[28:30], "little")
    extra_size = int.from_bytes(record[30:32], "little")
    body = record[CENTRAL.size :]
    return parse_central(record[: CENTRAL.size], body[:name_size], body[name_size:][:extra_size])


@pytest.mark.parametrize(
    "sizes",
    [(5 * GIB, 5 * GIB + 28, 100), (10, 38, 6 * GIB), (5 * GIB, 5 * GIB + 28, 9 * GIB), (3, 31, 0)],
)
def test_sizes_and_offsets_past_4_gib_go_to_the_zip64_extra_field(sizes):
    entry = parse(build_central(b"file-001.bin", 1, 0, (0, 33), sizes, mode=0o100600))
    assert (entry.file_size, entry.compressed_size, entry.header_offset) == sizes
    assert entry.aes.strength == 3


def test_forced_zip64_moves_every_value_to_the_extra_field():
    record = build_central(b"a", 1, 8, (0, 33), (1, 29, 0), mode=0o100600, force_zip64=True)
    assert record[20:28] == b"\xff" * 8
    entry = parse(record)
    assert (entry.file_size, entry.compressed_size, entry.header_offset) == (1, 29, 0)


def test_the_zip64_end_record_carries_counts_past_65535():
    end = build_end(70_000, 100, 0, 0)
    with pytest.raises(TooManyEntries, match="70000"):
        read_directory(io.BytesIO(end), len(end), max_entries=10_000)


def test_small_archives_keep_the_classic_end_record():
    assert build_end(3, 100, 200, 300).startswith(b"PK\x05\x06")
    assert build_end(3, 100, 5 * GIB, 5 * GIB).startswith(b"PK\x06\x06")
