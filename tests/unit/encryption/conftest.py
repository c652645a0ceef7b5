"""Archives made for the purpose: ours, pyzipper's, zipfile's, and byte-patched variants."""

import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
import pyzipper

from encryption import AesZipWriter

PASSWORD = "Correct-Horse-Battery-Staple-2024"


class Craft:
    """Builds archives in a temporary folder and patches their bytes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._count = 0

    def path(self, name: str | None = None) -> Path:
        self._count += 1
        return self.folder / (name or f"archive-{self._count}.zip")

    def aes(self, entries: dict[str, bytes], password: str = PASSWORD, **options) -> Path:
        """Our AES-256 archive of in-memory entries."""
        target = self.path()
        with target.open("wb") as out, AesZipWriter(out, password, **options) as writer:
            for name, data in entries.items():
                writer.add_bytes(data, name)
        return target

    def plain(self, entries: dict[str, bytes]) -> Path:
        target = self.path()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries.items():
                archive.writestr(name, data)
        return target

    def pyzipper(self, entries: dict[str, bytes], nbits: int = 256) -> Path:
        target = self.path()
        with pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED) as archive:
            archive.setpassword(PASSWORD.encode())
            archive.setencryption(pyzipper.WZ_AES, nbits=nbits)
            for name, data in entries.items():
                archive.writestr(name, data)
        return target

    def patch(self, source: Path, old: bytes, new: bytes) -> Path:
        """Copy of `source` with every `old` replaced by `new` (same length: offsets hold)."""
        assert len(old) == len(new)
        data = source.read_bytes()
        assert data.count(old) >= 1
        target = self.path()
        target.write_bytes(data.replace(old, new))
        return target

    def edit(self, source: Path, edits: list[tuple[int, str, int]]) -> Path:
        """Copy of `source` with (offset, struct format, value) edits applied."""
        data = bytearray(source.read_bytes())
        for offset, fmt, value in edits:
            struct.pack_into(fmt, data, offset, value)
        target = self.path()
        target.write_bytes(bytes(data))
        return target

    @staticmethod
    def central_offsets(source: Path) -> list[int]:
        """Offsets of the central directory records, in order."""
        data = source.read_bytes()
        (start,) = struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 16)
        offsets, position = [], start
        while data[position : position + 4] == b"PK\x01\x02":
            offsets.append(position)
            sizes = struct.unpack_from("<HHH", data, position + 28)
            position += 46 + sum(sizes)
        return offsets

    @staticmethod
    def local_offsets(source: Path) -> list[int]:
        data = source.read_bytes()
        return [struct.unpack_from("<I", data, at + 42)[0] for at in Craft.central_offsets(source)]


@pytest.fixture
def craft(tmp_path: Path) -> Craft:
    folder = tmp_path / "archives"
    folder.mkdir()
    return Craft(folder)


@pytest.fixture
def seven_zip() -> str:
    """Path of 7z, or a visible skip when 7-Zip is not installed."""
    found = shutil.which("7z")
    if found is None:
        pytest.skip("7z not installed: apt-get install p7zip-full to cross-check with 7-Zip")
    return found


@pytest.fixture
def run_7z(seven_zip: str):
    def run(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [seven_zip, *arguments], cwd=cwd, capture_output=True, text=True, check=False
        )

    return run
