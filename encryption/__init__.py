"""AES-256 zip archives, archive passwords and field encryption: pure, no Flask nor SQL.

Each public name is imported from its module on first use (PEP 562 module `__getattr__`): a
process that only writes archives does not pay for the reader's, the field cipher's or the
recovery keys' imports (about 20 ms of start-up).
"""

from importlib import import_module

_EXPORTS = {
    "aeszip_compress": ("choose_method",),
    "aeszip_extract": ("extract_archive",),
    "aeszip_read": (
        "DEFAULT_LIMITS",
        "ArchiveEntry",
        "Limits",
        "inspect_archive",
        "verify_archive",
    ),
    "aeszip_write": ("AesZipWriter", "WrittenEntry", "write_encrypted_zip"),
    "errors": (
        "ArchiveError",
        "BadCrc",
        "BadMac",
        "CorruptArchive",
        "DuplicateEntry",
        "FieldCryptoError",
        "KeyFileError",
        "MalformedToken",
        "MixedArchive",
        "NotAZip",
        "OverlappingEntries",
        "RatioExceeded",
        "RecoveryError",
        "SizeMismatch",
        "SpecialFileEntry",
        "SymlinkEntry",
        "TamperedToken",
        "TargetExists",
        "TooLarge",
        "TooManyEntries",
        "TruncatedArchive",
        "UnencryptedEntry",
        "UnknownKey",
        "UnsafePath",
        "UnsupportedEncryption",
        "WeakAes",
        "WrongPassword",
        "ZipCryptoEntry",
    ),
    "fields": ("KeyRing",),
    "passwords": ("generate_password",),
    "recovery": (
        "export_recovery",
        "generate_recovery_keypair",
        "restore_from_recovery",
        "unwrap_with_recovery",
        "wrap_for_recovery",
    ),
}
_HOME = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    """Import `name` (or the module `name`) the first time it is asked for, then keep it here."""
    if name in _EXPORTS:
        return import_module(f".{name}", __name__)  # as when this file imported them all
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOME})
