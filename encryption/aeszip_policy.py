"""What an archive must be before any byte is decrypted: AES-256 only, safe names, sane sizes."""

import stat
from dataclasses import dataclass

from . import errors
from .entry_names import unsafe_reason
from .winzip_aes import OVERHEAD
from .zip_records import AES_METHOD, DEFLATED, FLAG_ENCRYPTED, FLAG_STRONG, STORED, CentralEntry

_STRENGTHS = {1: "AES-128", 2: "AES-192"}


@dataclass(frozen=True)
class Limits:
    """Ceilings checked before extracting (declared values) and while inflating (real ones)."""

    max_entries: int = 10_000
    max_total_size: int = 8 << 30
    max_ratio: int = 200
    ratio_floor: int = 1 << 20  # smaller entries may compress as well as they like


DEFAULT_LIMITS = Limits()


def _kind(entry: CentralEntry) -> str:
    """aes256, dir, unencrypted, strong, zipcrypto, missing_aes, weak or method (APPNOTE 4.4.4)."""
    if entry.name.endswith("/") and entry.file_size == 0 and entry.compressed_size == 0:
        return "dir"
    if not entry.flags & FLAG_ENCRYPTED:
        return "unencrypted"
    if entry.flags & FLAG_STRONG:
        return "strong"
    if entry.method != AES_METHOD:
        return "zipcrypto"
    if entry.aes is None:
        return "missing_aes"
    if entry.aes.strength != 3:
        return "weak"
    return "aes256" if entry.aes.method in (STORED, DEFLATED) else "method"


def check_encryption(entries: list[CentralEntry]) -> None:
    """Every file entry AES-256; the first other one is named in the refusal."""
    kinds = [(entry, _kind(entry)) for entry in entries]
    others = [(entry, kind) for entry, kind in kinds if kind not in ("aes256", "dir")]
    if not others:
        return
    entry, kind = others[0]
    name = entry.name
    if any(kind == "aes256" for _, kind in kinds):
        raise errors.MixedArchive(
            f"Archive mixte : l'entrée « {name} » n'est pas chiffrée en AES-256 "
            "alors que d'autres le sont.",
            entry=name,
        )
    if kind == "unencrypted":
        raise errors.UnencryptedEntry(f"L'entrée « {name} » n'est pas chiffrée.", entry=name)
    if kind == "zipcrypto":
        raise errors.ZipCryptoEntry(
            f"L'entrée « {name} » utilise le chiffrement ZipCrypto, cassable : AES-256 exigé.",
            entry=name,
        )
    if kind == "weak":
        raise errors.WeakAes(
            f"L'entrée « {name} » est chiffrée en {_STRENGTHS.get(entry.aes.strength, 'AES')}"
            " : AES-256 exigé.",
            entry=name,
        )
    if kind == "missing_aes":
        raise errors.CorruptArchive(f"Champ AES absent pour l'entrée « {name} ».", entry=name)
    raise errors.UnsupportedEncryption(
        f"L'entrée « {name} » utilise un chiffrement ou une compression non pris en charge.",
        entry=name,
    )


def check_names(entries: list[CentralEntry]) -> None:
    """Zip slip, links, devices and duplicate names (APPNOTE 4.4.17, 4.4.15 external attributes)."""
    seen: set[str] = set()
    for entry in entries:
        reason = unsafe_reason(entry.name)
        if reason:
            raise errors.UnsafePath(
                f"Chemin dangereux pour l'entrée « {entry.name} » : {reason}.", entry=entry.name
            )
        mode = entry.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise errors.SymlinkEntry(
                f"L'entrée « {entry.name} » est un lien symbolique.", entry=entry.name
            )
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise errors.SpecialFileEntry(
                f"L'entrée « {entry.name} » est un fichier spécial (périphérique, tube).",
                entry=entry.name,
            )
        key = entry.name.rstrip("/")
        if key in seen:
            raise errors.DuplicateEntry(f"L'entrée « {key} » figure deux fois.", entry=key)
        seen.add(key)
    files = {entry.name for entry in entries if not entry.name.endswith("/")}
    for entry in entries:
        parts = entry.name.rstrip("/").split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in files:
                raise errors.DuplicateEntry(
                    f"L'entrée « {entry.name} » est sous un fichier du même nom.", entry=entry.name
                )


def check_declared_sizes(entries: list[CentralEntry], limits: Limits) -> None:
    """Declared total and per-entry ratio within `limits`, before inflating anything."""
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_total_size:
        raise errors.TooLarge(
            f"Taille décompressée déclarée de {total} octets, au-delà de la limite "
            f"de {limits.max_total_size}.",
        )
    for entry in entries:
        if entry.aes is not None and entry.compressed_size < OVERHEAD:
            raise errors.CorruptArchive(
                f"L'entrée « {entry.name} » est trop courte pour être chiffrée en AES.",
                entry=entry.name,
            )
        packed = max(entry.compressed_size - OVERHEAD, 1)
        if entry.file_size > limits.ratio_floor and entry.file_size > limits.max_ratio * packed:
            raise errors.RatioExceeded(
                f"« {entry.name} » déclare un taux de compression supérieur à {limits.max_ratio}"
                " (bombe zip ?).",
                entry=entry.name,
            )
