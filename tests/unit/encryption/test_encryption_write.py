import io
import os
import struct
import zipfile

import pytest
import pyzipper

from encryption import AesZipWriter, deflate_blocks, verify_archive, write_encrypted_zip
from encryption.aeszip_compress import choose_method
from encryption.zip_records import DEFLATED, STORED

PASSWORD = "Correct-Horse-Battery-Staple-2024"
CSV = b"".join(
    b"%d;Dupont;Jean;%d rue de la Paix;69001;Lyon\n" % (i, i % 97) for i in range(150_000)
)


def read_with_pyzipper(path, password=PASSWORD) -> dict[str, bytes]:
    with pyzipper.AESZipFile(path) as archive:
        archive.setpassword(password.encode())
        return {info.filename: archive.read(info.filename) for info in archive.infolist()}


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "Dupont Jean - dossier social.csv").write_bytes(CSV)
    (folder / "photo-identite.jpg").write_bytes(os.urandom(5000))
    (folder / "vide.txt").write_bytes(b"")
    return folder


def test_entry_names_carry_no_personal_data_by_default(tmp_path, sources):
    archive = tmp_path / "out.zip"
    files = sorted(sources.iterdir())
    entries = write_encrypted_zip(archive, files, PASSWORD)
    assert [entry.name for entry in entries] == ["file-001.csv", "file-002.jpg", "file-003.txt"]
    content = read_with_pyzipper(archive)
    assert content["file-001.csv"] == CSV
    assert content["file-003.txt"] == b""
    assert b"Dupont" not in archive.read_bytes()


def test_keep_names_keeps_the_original_file_names(tmp_path, sources):
    archive = tmp_path / "out.zip"
    write_encrypted_zip(archive, sorted(sources.iterdir()), PASSWORD, keep_names=True)
    assert set(read_with_pyzipper(archive)) == {p.name for p in sources.iterdir()}


def test_an_explicit_entry_name_may_have_folders_and_accents(tmp_path, sources):
    archive = tmp_path / "out.zip"
    write_encrypted_zip(archive, [(sources / "vide.txt", "pièces/état civil.txt")], PASSWORD)
    assert read_with_pyzipper(archive) == {"pièces/état civil.txt": b""}


def test_an_unknown_extension_is_dropped_from_the_neutral_name(tmp_path):
    source = tmp_path / "export.dupont"
    source.write_bytes(b"x")
    entries = write_encrypted_zip(tmp_path / "out.zip", [source], PASSWORD)
    assert entries[0].name == "file-001"


def test_compressed_formats_and_random_data_are_stored_text_is_deflated(tmp_path, sources):
    noise = tmp_path / "noise.dat"
    noise.write_bytes(os.urandom(300_000))
    files = [sources / "Dupont Jean - dossier social.csv", sources / "photo-identite.jpg", noise]
    entries = write_encrypted_zip(tmp_path / "out.zip", files, PASSWORD)
    assert [entry.method for entry in entries] == [DEFLATED, STORED, STORED]
    assert entries[0].compressed_size < len(CSV) / 5


def test_a_sample_that_barely_shrinks_is_stored():
    assert choose_method("data.csv", os.urandom(100_000) + bytes(3000)) == STORED
    assert choose_method("data.csv", b"a;b;c\n" * 1000) == DEFLATED
    assert choose_method("scan.PDF", b"a;b;c\n" * 1000) == STORED
    assert choose_method("empty.csv", b"") == STORED


def test_a_large_text_is_deflated_in_parallel_blocks_that_inflate_as_one(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(CSV * 2)  # ~14 MB: 256 KiB pieces joined by empty stored blocks
    archive = tmp_path / "out.zip"
    write_encrypted_zip(archive, [big], PASSWORD)
    assert read_with_pyzipper(archive)["file-001.csv"] == CSV * 2
    with zipfile.ZipFile(archive) as plain:
        info = plain.getinfo("file-001.csv")
    assert (info.compress_type, info.CRC, info.flag_bits & 1) == (99, 0, 1)  # AE-2: no CRC
    assert verify_archive(archive, PASSWORD)[0].size == len(CSV) * 2


def test_progress_reports_the_source_bytes_read_across_entries(tmp_path, sources):
    seen = []
    files = sorted(sources.iterdir())
    write_encrypted_zip(tmp_path / "out.zip", files, PASSWORD, progress=seen.append)
    total = sum(path.stat().st_size for path in files)
    assert seen == sorted(seen) and seen[-1] == total
    assert len(seen) >= 3  # at least once per non-empty entry's pieces
    assert len(set(seen)) >= 2


def test_without_libdeflate_zlib_alone_writes_the_same_content(tmp_path, monkeypatch):
    monkeypatch.setattr(deflate_blocks, "deflate", None)
    big = tmp_path / "big.csv"
    big.write_bytes(CSV)
    archive = tmp_path / "out.zip"
    assert write_encrypted_zip(archive, [big], PASSWORD)[0].method == DEFLATED
    assert read_with_pyzipper(archive)["file-001.csv"] == CSV


def test_forced_zip64_archive_reads_everywhere(tmp_path, sources):
    archive = tmp_path / "z64.zip"
    with archive.open("wb") as out, AesZipWriter(out, PASSWORD, force_zip64=True) as writer:
        writer.add_file(sources / "Dupont Jean - dossier social.csv")
        writer.add_bytes(b"manifeste", "manifest.txt")
    data = archive.read_bytes()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # Zip64 end record and locator
    (local_compressed, local_size) = struct.unpack_from("<II", data, 18)
    assert (local_compressed, local_size) == (0xFFFFFFFF, 0xFFFFFFFF)
    assert read_with_pyzipper(archive) == {"file-001.csv": CSV, "manifest.txt": b"manifeste"}
    assert [entry.size for entry in verify_archive(archive, PASSWORD)] == [len(CSV), 9]


def test_each_archive_draws_a_fresh_salt(tmp_path, sources):
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    write_encrypted_zip(first, [sources / "vide.txt"], PASSWORD)
    write_encrypted_zip(second, [sources / "vide.txt"], PASSWORD)
    assert first.read_bytes() != second.read_bytes()


def test_a_failed_write_leaves_the_previous_archive_untouched(tmp_path, sources):
    archive = tmp_path / "out.zip"
    archive.write_bytes(b"previous")
    with pytest.raises(FileNotFoundError):
        write_encrypted_zip(archive, [sources / "vide.txt", sources / "missing.csv"], PASSWORD)
    assert archive.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.zip", "sources"]


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/passwd", "a\\b.txt", "C:/x.txt", "dir/"])
def test_the_writer_refuses_names_an_extractor_would_misplace(tmp_path, name):
    with (tmp_path / "out.zip").open("wb") as out, AesZipWriter(out, PASSWORD) as writer:
        with pytest.raises(ValueError, match="Nom d'entrée refusé"):
            writer.add_bytes(b"x", name)


def test_the_writer_refuses_a_duplicate_name_and_an_empty_password(tmp_path):
    with (tmp_path / "out.zip").open("wb") as out, AesZipWriter(out, PASSWORD) as writer:
        writer.add_bytes(b"x", "a.txt")
        with pytest.raises(ValueError, match="double"):
            writer.add_bytes(b"y", "a.txt")
    with pytest.raises(ValueError, match="vide"):
        AesZipWriter(io.BytesIO(), "")
