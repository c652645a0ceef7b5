"""Entry names: neutral default names, and the path rules that keep extraction inside its folder."""

import re
from pathlib import PurePath

# Formats already compressed: deflating them again costs time and saves nothing.
COMPRESSED_EXTENSIONS = frozenset(
    "7z zip gz tgz bz2 xz zst lz4 rar cab jar war apk "
    "jpg jpeg png gif webp heic avif tif tiff mp3 mp4 m4a mov avi mkv webm ogg flac "
    "pdf docx xlsx pptx odt ods odp odg epub".split()
)
# Extensions kept in neutral names: known formats, so they cannot be a fragment of a person's name.
KNOWN_EXTENSIONS = COMPRESSED_EXTENSIONS | frozenset(
    "csv tsv txt json jsonl ndjson xml html htm md rst yaml yml ini cfg conf log sql dump bak "
    "dat bin db sqlite eml msg ics vcf rtf doc xls ppt tar gpg asc pem sig p7s".split()
)

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def extension(path: str | PurePath) -> str:
    """Lower-case known extension of `path` with its dot ('.csv', '.tar.gz'), or ''."""
    suffixes = [suffix.lower().lstrip(".") for suffix in PurePath(path).suffixes]
    if not suffixes or suffixes[-1] not in KNOWN_EXTENSIONS:
        return ""
    if len(suffixes) > 1 and suffixes[-2] == "tar":
        return ".tar." + suffixes[-1]
    return "." + suffixes[-1]


def neutral_name(index: int, source: str | PurePath) -> str:
    """Entry name carrying no personal data: 'file-001.csv' keeps only a known extension."""
    return f"file-{index:03d}{extension(source)}"


def unsafe_reason(name: str) -> str | None:
    """Why `name` could escape the extraction folder (zip slip), in French, or None when safe."""
    if not name or name in {"/", "."}:
        return "nom vide"
    if "\\" in name:
        return "barre oblique inverse"
    if _CONTROL.search(name):
        return "caractère de contrôle"
    if name.startswith("/"):
        return "chemin absolu"
    if _DRIVE.match(name):
        return "lettre de lecteur"
    parts = name.rstrip("/").split("/")
    if any(part == ".." for part in parts):
        return "remontée de dossier « .. »"
    if any(part in {"", "."} for part in parts):
        return "composant de chemin vide"
    return None
