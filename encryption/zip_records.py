"""Zip record layouts (PKWARE APPNOTE.TXT 6.3.10, section 4.3) and the WinZip AES extra field."""

import struct
from dataclasses import dataclass

LOCAL_SIG = b"PK\x03\x04"
CENTRAL_SIG = b"PK\x01\x02"
EOCD_SIG = b"PK\x05\x06"
ZIP64_EOCD_SIG = b"PK\x06\x06"
ZIP64_LOCATOR_SIG = b"PK\x06\x07"

LOCAL = struct.Struct("<4sHHHHHIIIHH")  # 4.3.7
CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")  # 4.3.12
EOCD = struct.Struct("<4sHHHHIIH")  # 4.3.16
ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")  # 4.3.14
ZIP64_LOCATOR = struct.Struct("<4sIQI")  # 4.3.15

ZIP64_TAG = 0x0001  # 4.5.3
AES_TAG = 0x9901  # WinZip AE-x spec, "AES Extra Data Field"
AES_METHOD = 99
STORED, DEFLATED = 0, 8
FLAG_ENCRYPTED = 0x0001  # 4.4.4 bit 0
FLAG_DESCRIPTOR = 0x0008  # bit 3
FLAG_STRONG = 0x0040  # bit 6, PKWARE strong encryption
FLAG_UTF8 = 0x0800  # bit 11
MAX32 = 0xFFFFFFFF
MAX16 = 0xFFFF
VERSION_AES = 51  # WinZip AE-x spec: "version needed to extract" for AES entries
MADE_BY_UNIX = (3 << 8) | 63  # 4.4.2: host 3 (UNIX), APPNOTE 6.3


@dataclass(frozen=True)
class AesExtra:
    """Fields of the 0x9901 extra block (WinZip AE-x spec, "AES Extra Data Field")."""

    version: int  # 1 = AE-1 (CRC kept), 2 = AE-2 (CRC zero)
    strength: int  # 1 = AES-128, 2 = AES-192, 3 = AES-256
    method: int  # the real compression method


@dataclass(frozen=True)
class CentralEntry:
    """One central directory record (APPNOTE 4.3.12), Zip64 values already applied (4.5.3)."""

    name: str
    made_by: int
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed_size: int
    file_size: int
    header_offset: int
    external_attr: int
    aes: AesExtra | None


def extra_fields(extra: bytes) -> dict[int, bytes]:
    """Split an extra field into {header id: data} (APPNOTE 4.5.1); a torn block ends the walk."""
    fields, position = {}, 0
    while position + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, position)
        if position + 4 + size > len(extra):
            break
        fields.setdefault(tag, extra[position + 4 : position + 4 + size])
        position += 4 + size
    return fields


def aes_extra(data: bytes | None) -> AesExtra | None:
    """Decode the 7-byte AES extra block, None when absent or malformed (WinZip AE-x spec)."""
    if data is None or len(data) != 7 or data[2:4] != b"AE":
        return None
    version, _, strength, method = struct.unpack("<H2sBH", data)
    return AesExtra(version, strength, method)


def build_aes_extra(method: int, version: int = 2) -> bytes:
    """AES extra block for AES-256 (strength 3) around `method` (WinZip AE-x spec)."""
    return struct.pack("<HHH2sBH", AES_TAG, 7, version, b"AE", 3, method)


def build_zip64_extra(*values: int) -> bytes:
    """Zip64 extended information block holding the given 8-byte values in order (APPNOTE 4.5.3)."""
    return struct.pack("<HH", ZIP64_TAG, 8 * len(values)) + struct.pack(f"<{len(values)}Q", *values)


def encode_name(name: str) -> tuple[bytes, int]:
    """Entry name bytes and the UTF-8 flag when it is not plain ASCII (APPNOTE 4.4.4 bit 11)."""
    if name.isascii():
        return name.encode("ascii"), 0
    return name.encode("utf-8"), FLAG_UTF8


def decode_name(raw: bytes, flags: int) -> str:
    """Entry name as text: UTF-8 when flagged, else IBM code page 437 (APPNOTE Appendix D)."""
    if flags & FLAG_UTF8:
        return raw.decode("utf-8", errors="replace")
    return raw.decode("cp437")


def parse_central(record: bytes, name: bytes, extra: bytes) -> CentralEntry:
    """Central directory record with its Zip64 sizes and offset resolved (APPNOTE 4.3.12, 4.5.3)."""
    values = CENTRAL.unpack(record)
    made_by, flags, method, dos_time, dos_date, crc, compressed, size = values[1], *values[3:10]
    external_attr, header_offset = values[15], values[16]
    fields = extra_fields(extra)
    zip64 = fields.get(ZIP64_TAG, b"")
    wide = list(struct.unpack_from(f"<{len(zip64) // 8}Q", zip64))
    if size == MAX32 and wide:
        size = wide.pop(0)
    if compressed == MAX32 and wide:
        compressed = wide.pop(0)
    if header_offset == MAX32 and wide:
        header_offset = wide.pop(0)
    return CentralEntry(
        name=decode_name(name, flags),
        made_by=made_by,
        flags=flags,
        method=method,
        dos_time=dos_time,
        dos_date=dos_date,
        crc=crc,
        compressed_size=compressed,
        file_size=size,
        header_offset=header_offset,
        external_attr=external_attr,
        aes=aes_extra(fields.get(AES_TAG)),
    )


def dos_datetime(year: int, month: int, day: int, hour: int, minute: int, second: int) -> tuple:
    """MS-DOS time and date words (APPNOTE 4.4.6), clamped to the 1980 epoch."""
    if year < 1980:
        year, month, day, hour, minute, second = 1980, 1, 1, 0, 0, 0
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def build_central(
    raw_name: bytes,
    flags: int,
    method: int,
    stamp: tuple[int, int],
    sizes: tuple[int, int, int],
    *,
    mode: int,
    force_zip64: bool = False,
) -> bytes:
    """Central record of an AES-256 entry; `sizes` = (size, compressed, local header offset)."""
    wide = [value for value in sizes if force_zip64 or value >= MAX32]
    extra = (build_zip64_extra(*wide) if wide else b"") + build_aes_extra(method)
    size, compressed, offset = (MAX32 if force_zip64 or v >= MAX32 else v for v in sizes)
    record = CENTRAL.pack(
        CENTRAL_SIG, MADE_BY_UNIX, VERSION_AES, flags, AES_METHOD, *stamp, 0, compressed, size,
        len(raw_name), len(extra), 0, 0, 0, mode << 16, offset,
    )  # fmt: skip
    return record + raw_name + extra


def build_end(count: int, size: int, offset: int, here: int, *, force_zip64: bool = False) -> bytes:
    """End records, Zip64 ones first when a value overflows (APPNOTE 4.3.14-4.3.16)."""
    end = b""
    if force_zip64 or count >= MAX16 or max(size, offset) >= MAX32:
        end = ZIP64_EOCD.pack(
            ZIP64_EOCD_SIG, ZIP64_EOCD.size - 12, MADE_BY_UNIX, 45, 0, 0, count, count, size, offset
        ) + ZIP64_LOCATOR.pack(ZIP64_LOCATOR_SIG, 0, here, 1)  # fmt: skip
        count, size, offset = MAX16, MAX32, MAX32
    return end + EOCD.pack(EOCD_SIG, 0, 0, count, count, size, offset, 0)
