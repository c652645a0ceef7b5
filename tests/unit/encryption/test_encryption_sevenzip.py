import os

import pytest

from encryption import ArchiveError, extract_archive, verify_archive, write_encrypted_zip

PASSWORD = "Correct-Horse-Battery-Staple-2024"
TEXT = b"nom;prenom;commune\n" + b"Moreau;Pascal;Annecy\n" * 20_000


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "registre.csv").write_bytes(TEXT)
    (folder / "scan.pdf").write_bytes(os.urandom(200_000))
    return folder


def test_7zip_tests_and_extracts_our_archive(tmp_path, sources, run_7z):
    archive = tmp_path / "ours.zip"
    write_encrypted_zip(archive, sorted(sources.iterdir()), PASSWORD)
    tested = run_7z("t", f"-p{PASSWORD}", str(archive))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "Everything is Ok" in tested.stdout
    listed = run_7z("l", "-slt", f"-p{PASSWORD}", str(archive)).stdout
    assert listed.count("Method = AES-256") == 2
    out = tmp_path / "out"
    extracted = run_7z("x", f"-p{PASSWORD}", f"-o{out}", str(archive))
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    assert (out / "file-001.csv").read_bytes() == TEXT
    assert (out / "file-002.pdf").read_bytes() == (sources / "scan.pdf").read_bytes()


def test_7zip_inflates_a_text_of_many_joined_pieces(tmp_path, run_7z):
    rows = (f"{n};Moreau;Pascal;{n * 7919 % 100_000:05d};Annecy\n" for n in range(120_000))
    text = "".join(rows).encode()  # ~4 MB: 16 pieces, each joined by an empty stored block
    source, archive = tmp_path / "registre.csv", tmp_path / "ours.zip"
    source.write_bytes(text)
    write_encrypted_zip(archive, [source], PASSWORD)
    extracted = run_7z("x", f"-p{PASSWORD}", f"-o{tmp_path / 'out'}", str(archive))
    assert extracted.returncode == 0, extracted.stdout + extracted.stderr
    assert (tmp_path / "out" / "file-001.csv").read_bytes() == text


def test_7zip_refuses_our_archive_with_a_wrong_password(tmp_path, sources, run_7z):
    archive = tmp_path / "ours.zip"
    write_encrypted_zip(archive, [sources / "registre.csv"], PASSWORD)
    assert run_7z("t", "-pnot-the-password", str(archive)).returncode != 0


def test_we_verify_and_extract_a_7zip_aes256_archive(tmp_path, sources, run_7z):
    archive = tmp_path / "theirs.zip"
    made = run_7z(
        "a", "-tzip", "-mem=AES256", f"-p{PASSWORD}", str(archive),
        str(sources / "registre.csv"), str(sources / "scan.pdf"),
    )  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    names = [entry.name for entry in verify_archive(archive, PASSWORD)]
    assert names == ["registre.csv", "scan.pdf"]
    extract_archive(archive, tmp_path / "out", PASSWORD)
    assert (tmp_path / "out" / "registre.csv").read_bytes() == TEXT


def test_7zip_default_zipcrypto_is_refused(tmp_path, sources, run_7z):
    archive = tmp_path / "zipcrypto.zip"
    made = run_7z("a", "-tzip", f"-p{PASSWORD}", str(archive), str(sources / "registre.csv"))
    assert made.returncode == 0
    with pytest.raises(ArchiveError) as caught:
        verify_archive(archive)
    assert caught.value.code == "zipcrypto"


def test_7zip_aes128_is_refused(tmp_path, sources, run_7z):
    archive = tmp_path / "aes128.zip"
    made = run_7z(
        "a", "-tzip", "-mem=AES128", f"-p{PASSWORD}", str(archive), str(sources / "scan.pdf")
    )
    assert made.returncode == 0
    with pytest.raises(ArchiveError) as caught:
        verify_archive(archive)
    assert caught.value.code == "weak_aes"
