"""Checking AES-256 zip archives without extracting them (APPNOTE.TXT 4.3; WinZip AE-x spec)."""

import hmac
import os
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from . import errors
from .aeszip_policy import (
    DEFAULT_LIMITS,
    Limits,
    check_declared_sizes,
    check_encryption,
    check_names,
)
from .winzip_aes import MAC_SIZE, OVERHEAD, PV_SIZE, SALT_SIZE, WinZipCtr, derive_keys, new_mac
from .zip_directory import check_spans, locate, read_directory
from .zip_records import DEFLATED, STORED

CHUNK_SIZE = 1 << 20
_READ_AHEAD = 2


@dataclass(frozen=True)
class ArchiveEntry:
    """An entry that passed the structural checks, with where its encrypted data lies."""

    name: str
    is_dir: bool
    size: int
    compressed_size: int
    method: int
    ae_version: int
    crc: int
    data_start: int


class InflateBudget:
    """Bytes inflated so far across the archive."""

    def __init__(self) -> None:
        self.spent = 0


def inspect_archive(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> list[ArchiveEntry]:
    """Every refusal that needs no password: encryption, names, limits, truncation, overlaps."""
    with open(path, "rb") as f:
        file_size = os.fstat(f.fileno()).st_size
        directory = read_directory(f, file_size, limits.max_entries)
        entries = directory.entries
        check_encryption(entries)
        check_names(entries)
        check_declared_sizes(entries, limits)
        spans = {entry.name: locate(f, entry, file_size) for entry in entries}
        check_spans(spans, directory.offset)
    return [
        ArchiveEntry(
            name=entry.name,
            is_dir=entry.name.endswith("/"),
            size=entry.file_size,
            compressed_size=entry.compressed_size,
            method=entry.aes.method if entry.aes else STORED,
            ae_version=entry.aes.version if entry.aes else 2,
            crc=entry.crc,
            data_start=spans[entry.name].data,
        )
        for entry in entries
    ]


def verify_archive(
    path: str | os.PathLike, password: str | None = None, *, limits: Limits = DEFAULT_LIMITS
) -> list[ArchiveEntry]:
    """Check the structure, and with `password` decrypt in memory each entry and its MAC."""
    entries = inspect_archive(path, limits)
    if password is not None:
        budget = InflateBudget()
        with open(path, "rb") as f:
            for entry in entries:
                for _ in stream_entry(f, entry, password, limits, budget, need_output=False):
                    pass
    return entries


def stream_entry(
    f: BinaryIO,
    entry: ArchiveEntry,
    password: str,
    limits: Limits,
    budget: InflateBudget,
    *,
    need_output: bool = True,
) -> Iterator[bytes]:
    """Plain data of an entry; the MAC is checked last, so trust the output only at the end."""
    if entry.is_dir:
        return
    f.seek(entry.data_start)
    salt, verifier = f.read(SALT_SIZE), f.read(PV_SIZE)
    key, mac_key, expected = derive_keys(password.encode("utf-8"), salt)
    if not hmac.compare_digest(verifier, expected):
        raise errors.WrongPassword(
            f"Mot de passe incorrect pour l'entrée « {entry.name} ».", entry=entry.name
        )
    mac, cipher = new_mac(mac_key), WinZipCtr(key)
    inflater = zlib.decompressobj(-15) if entry.method == DEFLATED else None
    decrypt = need_output or inflater is not None or entry.ae_version == 1
    produced, crc = 0, 0
    problem: errors.ArchiveError | None = None
    for chunk in _ciphertext(f, entry, mac):
        if problem or not decrypt:
            continue
        try:
            for piece in _inflate(inflater, cipher.update(chunk)):
                produced += len(piece)
                budget.spent += len(piece)
                _check_progress(entry, produced, budget, limits)
                if entry.ae_version == 1:
                    crc = zlib.crc32(piece, crc)
                if need_output:
                    yield piece
        except errors.ArchiveError as refusal:
            problem = refusal  # keep reading: a failed MAC explains it better
        except zlib.error:
            problem = errors.CorruptArchive(
                f"Données compressées illisibles dans « {entry.name} ».", entry=entry.name
            )
    if not hmac.compare_digest(mac.digest()[:MAC_SIZE], f.read(MAC_SIZE)):
        raise errors.BadMac(
            f"Code d'authentification invalide pour « {entry.name} » : "
            "archive altérée ou endommagée.",
            entry=entry.name,
        )
    if problem:
        raise problem
    _check_end(entry, inflater, produced if decrypt else entry.compressed_size - OVERHEAD, crc)


def _ciphertext(f: BinaryIO, entry: ArchiveEntry, mac) -> Iterator[bytes]:
    """Encrypted data in chunks, read ahead and fed to the MAC by a helper thread."""
    total, scheduled, pending = entry.compressed_size - OVERHEAD, 0, deque()

    def read_and_mac(size: int) -> bytes:
        chunk = f.read(size)
        mac.update(chunk)  # hashlib and file reads release the GIL: decryption goes on meanwhile
        if len(chunk) < size:
            raise errors.TruncatedArchive(
                f"Archive tronquée dans l'entrée « {entry.name} ».", entry=entry.name
            )
        return chunk

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeszip-read") as helper:
        while scheduled < total or pending:
            while scheduled < total and len(pending) < _READ_AHEAD:
                size = min(CHUNK_SIZE, total - scheduled)
                pending.append(helper.submit(read_and_mac, size))
                scheduled += size
            yield pending.popleft().result()


def _inflate(inflater, data: bytes) -> Iterator[bytes]:
    """Output of `data` in pieces of at most CHUNK_SIZE, so a bomb never fills memory."""
    if inflater is None:
        yield data
        return
    while True:
        piece = inflater.decompress(data, CHUNK_SIZE)
        if piece:
            yield piece
        data = inflater.unconsumed_tail
        if not data and len(piece) < CHUNK_SIZE:
            return


def _check_progress(
    entry: ArchiveEntry, produced: int, budget: InflateBudget, limits: Limits
) -> None:
    if budget.spent > limits.max_total_size:
        raise errors.TooLarge(
            f"Le contenu décompressé dépasse {limits.max_total_size} octets (à « {entry.name} »).",
            entry=entry.name,
        )
    if produced > limits.ratio_floor and produced > limits.max_ratio * entry.compressed_size:
        raise errors.RatioExceeded(
            f"« {entry.name} » se décompresse plus de {limits.max_ratio} fois (bombe zip ?).",
            entry=entry.name,
        )
    if produced > entry.size:
        raise errors.SizeMismatch(
            f"« {entry.name} » se décompresse au-delà de sa taille déclarée (bombe zip ?).",
            entry=entry.name,
        )


def _check_end(entry: ArchiveEntry, inflater, produced: int, crc: int) -> None:
    if inflater is not None and (not inflater.eof or inflater.unused_data):
        raise errors.CorruptArchive(
            f"Flux compressé incomplet ou suivi de données dans « {entry.name} ».",
            entry=entry.name,
        )
    if produced != entry.size:
        raise errors.SizeMismatch(
            f"« {entry.name} » ne fait pas la taille déclarée "
            f"({produced} octets au lieu de {entry.size}).",
            entry=entry.name,
        )
    if entry.ae_version == 1 and crc != entry.crc:
        raise errors.BadCrc(
            f"Somme de contrôle CRC-32 fausse pour « {entry.name} ».", entry=entry.name
        )
