"""Refusals raised by the encryption library, each with a stable `code` and a French message."""


class ArchiveError(ValueError):
    """An archive refused by verification or extraction; `code` is stable, the message French."""

    code = "invalid_archive"

    def __init__(self, message: str, *, entry: str | None = None) -> None:
        super().__init__(message)
        self.entry = entry


class NotAZip(ArchiveError):
    code = "not_a_zip"


class TruncatedArchive(ArchiveError):
    code = "truncated"


class CorruptArchive(ArchiveError):
    code = "corrupt"


class UnencryptedEntry(ArchiveError):
    code = "unencrypted_entry"


class ZipCryptoEntry(ArchiveError):
    code = "zipcrypto"


class UnsupportedEncryption(ArchiveError):
    code = "unsupported_encryption"


class WeakAes(ArchiveError):
    code = "weak_aes"


class MixedArchive(ArchiveError):
    code = "mixed"


class WrongPassword(ArchiveError):
    code = "wrong_password"


class BadMac(ArchiveError):
    code = "bad_mac"


class BadCrc(ArchiveError):
    code = "bad_crc"


class UnsafePath(ArchiveError):
    code = "unsafe_path"


class DuplicateEntry(ArchiveError):
    code = "duplicate_entry"


class SymlinkEntry(ArchiveError):
    code = "symlink"


class SpecialFileEntry(ArchiveError):
    code = "special_file"


class TooManyEntries(ArchiveError):
    code = "too_many_entries"


class TooLarge(ArchiveError):
    code = "too_large"


class RatioExceeded(ArchiveError):
    code = "ratio_exceeded"


class SizeMismatch(ArchiveError):
    code = "size_mismatch"


class OverlappingEntries(ArchiveError):
    code = "overlapping_entries"


class TargetExists(ArchiveError):
    code = "target_exists"


class FieldCryptoError(ValueError):
    """A field token that cannot be decrypted; `code` is stable, the message French."""

    code = "field_crypto"


class MalformedToken(FieldCryptoError):
    code = "malformed_token"


class UnknownKey(FieldCryptoError):
    code = "unknown_key"


class TamperedToken(FieldCryptoError):
    code = "tampered_token"


class KeyFileError(FieldCryptoError):
    code = "key_file"


class RecoveryError(FieldCryptoError):
    code = "recovery_failed"
