"""Streaming writer of AES-256 zip archives, WinZip AE-2 (APPNOTE.TXT 4.3; WinZip AE-x spec)."""

import os
import struct
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from .aeszip_compress import IN_FLIGHT, SAMPLE_SIZE, choose_method, entry_data
from .deflate_blocks import DEFAULT_LEVEL
from .entry_names import neutral_name, unsafe_reason
from .winzip_aes import MAC_SIZE, OVERHEAD, SALT_SIZE, WinZipCtr, derive_keys, new_mac
from .zip_records import (
    AES_METHOD,
    FLAG_ENCRYPTED,
    LOCAL,
    LOCAL_SIG,
    MAX32,
    VERSION_AES,
    build_aes_extra,
    build_central,
    build_end,
    build_zip64_extra,
    dos_datetime,
    encode_name,
)

_FILE_MODE = 0o100600  # regular file, readable by its owner only (external attributes, 4.4.15)


@dataclass(frozen=True)
class WrittenEntry:
    """What was stored for one source: its entry name, sizes and compression method."""

    name: str
    size: int
    compressed_size: int
    method: int


@dataclass
class _Record:
    raw_name: bytes
    flags: int
    method: int
    stamp: tuple[int, int]
    sizes: tuple[int, int, int]  # size, compressed size, local header offset


class AesZipWriter:
    """Writes AES-256 entries to a seekable binary file; `close()` writes the central directory.

    `level` is libdeflate's (1-12, see deflate_blocks); zlib, its fallback, gets at most 6.
    `progress`, when given, is called in the caller's thread with the number of source bytes
    read so far (all entries together) each time a piece has been encrypted.
    """

    def __init__(
        self,
        fileobj: BinaryIO,
        password: str,
        *,
        level: int = DEFAULT_LEVEL,
        force_zip64: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if not password:
            raise ValueError("Le mot de passe de l'archive est vide.")
        self._out = fileobj
        self._password = password.encode("utf-8")
        self._level = level
        self._force_zip64 = force_zip64
        self._progress = progress
        self._read_before = 0  # source bytes of the entries already written
        self._records: list[_Record] = []
        self._names: set[str] = set()
        self._start = fileobj.tell()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="aeszip-deflate")
        self._macs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeszip-mac")
        self._sink = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeszip-write")
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeszip-read")

    def __enter__(self) -> "AesZipWriter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.close()
        else:
            self._shutdown()

    def add_file(
        self, path: str | os.PathLike, arcname: str | None = None, *, keep_name: bool = False
    ) -> WrittenEntry:
        """Add the file at `path` as `arcname`, its own name with `keep_name`, else file-NNN.ext."""
        path = Path(path)
        name = arcname or (path.name if keep_name else neutral_name(len(self._records) + 1, path))
        stat = path.stat()
        with path.open("rb") as source:
            return self._add(name, source, stat.st_size, time.localtime(stat.st_mtime)[:6])

    def add_bytes(self, data: bytes, arcname: str) -> WrittenEntry:
        """Add an in-memory document (a manifest, a small export) as `arcname`."""
        return self._add(arcname, BytesIO(data), len(data), (1980, 1, 1, 0, 0, 0))

    def close(self) -> None:
        """Write the central directory and end records (APPNOTE 4.3.12-4.3.16)."""
        try:
            self._write_directory()
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        self._macs.shutdown(cancel_futures=True)
        self._sink.shutdown(cancel_futures=True)
        self._reader.shutdown(cancel_futures=True)

    def _add(self, name: str, file: BinaryIO, expected: int, when: tuple) -> WrittenEntry:
        reason = unsafe_reason(name)
        if reason or name.endswith("/"):
            raise ValueError(f"Nom d'entrée refusé « {name} » : {reason or 'dossier'}.")
        if name in self._names:
            raise ValueError(f"Nom d'entrée en double « {name} ».")
        self._names.add(name)
        source = _CountingReader(file)
        first = source.read(SAMPLE_SIZE)
        method = choose_method(name, first)
        raw_name, flags = encode_name(name)
        flags |= FLAG_ENCRYPTED
        offset = self._out.tell() - self._start
        # Deflate may grow incompressible data a little; the header layout is fixed before writing.
        zip64 = self._force_zip64 or expected + expected // 512 + (1 << 20) > MAX32
        extra = (build_zip64_extra(expected, 0) if zip64 else b"") + build_aes_extra(method)
        stamp = dos_datetime(*when)
        header = LOCAL.pack(
            LOCAL_SIG, VERSION_AES, flags, AES_METHOD, *stamp, 0,
            MAX32 if zip64 else 0, MAX32 if zip64 else expected, len(raw_name), len(extra),
        )  # fmt: skip
        self._out.write(header + raw_name + extra)
        written = self._encrypt(
            entry_data(first, source, method, self._level, (self._pool, self._reader)),
            lambda: self._progress(self._read_before + source.count) if self._progress else None,
        )
        size, patch = source.count, self._out.tell()  # the file may have changed since stat()
        self._read_before += size
        if zip64:
            self._out.seek(self._start + offset + LOCAL.size + len(raw_name) + 4)
            self._out.write(struct.pack("<QQ", size, written))
        elif max(written, size) >= MAX32:
            raise ValueError(f"L'entrée « {name} » a dépassé 4 Gio pendant l'écriture.")
        else:
            self._out.seek(self._start + offset + 18)
            self._out.write(struct.pack("<II", written, size))
        self._out.seek(patch)
        self._records.append(_Record(raw_name, flags, method, stamp, (size, written, offset)))
        return WrittenEntry(name, size, written, method)

    def _encrypt(self, pieces: Iterator[bytes], report: Callable[[], None]) -> int:
        """Salt, verifier, AES-CTR data and MAC (AE spec, "Encrypted file storage format").

        AES runs in this thread; the MAC and the write of each piece run at the same time in
        two helper threads (hashlib and file writes release the GIL), IN_FLIGHT pieces behind.
        """
        salt = os.urandom(SALT_SIZE)
        key, mac_key, verifier = derive_keys(self._password, salt)
        cipher, mac = WinZipCtr(key), new_mac(mac_key)
        self._out.write(salt + verifier)
        written, pending = OVERHEAD, deque()
        for piece in pieces:
            ciphertext = cipher.update(piece)
            written += len(ciphertext)
            mac_done = self._macs.submit(mac.update, ciphertext)
            pending.append((mac_done, self._sink.submit(self._out.write, ciphertext)))
            if len(pending) > IN_FLIGHT:
                _wait(pending.popleft())
            report()
        while pending:
            _wait(pending.popleft())
        self._out.write(mac.digest()[:MAC_SIZE])
        return written

    def _write_directory(self) -> None:
        directory_offset = self._out.tell() - self._start
        for record in self._records:
            self._out.write(
                build_central(
                    record.raw_name,
                    record.flags,
                    record.method,
                    record.stamp,
                    record.sizes,
                    mode=_FILE_MODE,
                    force_zip64=self._force_zip64,
                )
            )
        here = self._out.tell() - self._start
        count, size = len(self._records), here - directory_offset
        self._out.write(
            build_end(count, size, directory_offset, here, force_zip64=self._force_zip64)
        )
        self._out.flush()


class _CountingReader:
    """A binary file that counts the bytes read from it."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.count = 0

    def read(self, size: int) -> bytes:
        data = self._file.read(size)
        self.count += len(data)
        return data


def _wait(futures: tuple[Future, ...]) -> None:
    """Block until each future is done, raising the first error."""
    for future in futures:
        future.result()


def write_encrypted_zip(
    destination: str | os.PathLike,
    sources: Iterable[str | os.PathLike | tuple[str | os.PathLike, str]],
    password: str,
    *,
    keep_names: bool = False,
    level: int = DEFAULT_LEVEL,
    progress: Callable[[int], None] | None = None,
) -> list[WrittenEntry]:
    """Write `sources` (paths or (path, entry name)) to an AES-256 zip replacing `destination`;
    `progress` gets the source bytes read so far (see AesZipWriter)."""
    destination = Path(destination)
    handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=".zip-", suffix=".partial")
    entries = []
    try:
        with (
            os.fdopen(handle, "wb") as out,
            AesZipWriter(out, password, level=level, progress=progress) as writer,
        ):
            for source in sources:
                path, arcname = source if isinstance(source, tuple) else (source, None)
                entries.append(writer.add_file(path, arcname, keep_name=keep_names))
        os.replace(partial, destination)
    finally:
        Path(partial).unlink(missing_ok=True)
    return entries
