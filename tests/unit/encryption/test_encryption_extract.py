import stat

import pytest

from encryption import ArchiveError, Limits, extract_archive, inspect_archive
from encryption.winzip_aes import derive_keys

PASSWORD = "Correct-Horse-Battery-Staple-2024"
TEXT = b"nom;prenom\n" + b"Petit;Sylvie\n" * 5000


def listing(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.fixture
def target(tmp_path):
    folder = tmp_path / "depot"
    folder.mkdir()
    (folder / "deja-la.txt").write_text("avant")
    return folder


def test_extracts_every_entry_readable_by_its_owner_only(craft, target):
    archive = craft.aes({"a.csv": TEXT, "pieces/b.txt": b"deux", "vide.txt": b""})
    written = extract_archive(archive, target, PASSWORD)
    assert [path.relative_to(target).as_posix() for path in written] == [
        "a.csv", "pieces/b.txt", "vide.txt"
    ]  # fmt: skip
    assert (target / "a.csv").read_bytes() == TEXT
    assert (target / "pieces" / "b.txt").read_bytes() == b"deux"
    assert stat.S_IMODE((target / "a.csv").stat().st_mode) == 0o600
    assert listing(target) == ["a.csv", "deja-la.txt", "pieces", "pieces/b.txt", "vide.txt"]


def test_a_missing_target_folder_is_created(craft, tmp_path):
    extract_archive(craft.aes({"a.csv": TEXT}), tmp_path / "new" / "deeper", PASSWORD)
    assert (tmp_path / "new" / "deeper" / "a.csv").read_bytes() == TEXT


def refused(archive, target, password=PASSWORD, **limits) -> ArchiveError:
    before = listing(target)
    with pytest.raises(ArchiveError) as caught:
        extract_archive(archive, target, password, limits=Limits(**limits))
    assert listing(target) == before, "a refusal must leave the folder as it was"
    assert (target / "deja-la.txt").read_text() == "avant"
    return caught.value


def test_a_bad_mac_on_the_last_entry_undoes_the_earlier_ones(craft, target):
    archive = craft.aes({"a.csv": TEXT, "sous/dossier/b.csv": TEXT})
    last = inspect_archive(archive)[-1]
    data = bytearray(archive.read_bytes())
    data[last.data_start + 100] ^= 1
    archive.write_bytes(bytes(data))
    assert refused(archive, target).code == "bad_mac"


def test_a_wrong_password_writes_nothing(craft, target):
    archive = craft.aes({"a.csv": TEXT})
    salt = archive.read_bytes()[inspect_archive(archive)[0].data_start :][:18]
    wrong = next(
        f"faux-{i}"
        for i in range(100)
        if derive_keys(f"faux-{i}".encode(), salt[:16])[2] != salt[16:]
    )
    assert refused(archive, target, wrong).code == "wrong_password"


def test_a_target_folder_created_for_the_extraction_is_removed_on_refusal(craft, tmp_path):
    archive = craft.aes({"a.csv": TEXT, "b/c.csv": TEXT})
    last = inspect_archive(archive)[-1]
    data = bytearray(archive.read_bytes())
    data[last.data_start + last.compressed_size - 1] ^= 1  # the last byte of the MAC
    archive.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="authentification"):
        extract_archive(archive, tmp_path / "new" / "deeper", PASSWORD)
    assert not (tmp_path / "new").exists()


def test_a_zip_slip_is_refused_before_writing(craft, target):
    name = "../evil.sh"
    archive = craft.patch(craft.aes({"p" * len(name): b"x"}), b"p" * len(name), name.encode())
    assert refused(archive, target).code == "unsafe_path"
    assert not (target.parent / "evil.sh").exists()


def test_a_symlink_entry_is_refused(craft, target):
    archive = craft.aes({"lien": b"/etc/passwd"})
    (central,) = craft.central_offsets(archive)
    linked = craft.edit(archive, [(central + 38, "<I", (stat.S_IFLNK | 0o777) << 16)])
    assert refused(linked, target).code == "symlink"


def test_a_bomb_lying_about_its_size_leaves_nothing(craft, target):
    archive = craft.aes({"ok.txt": b"ok", "zeros.bin": bytes(24 << 20)})
    _, second = craft.central_offsets(archive)
    liar = craft.edit(archive, [(second + 24, "<I", 1000)])
    assert refused(liar, target).code == "size_mismatch"


def test_limits_are_checked_before_extracting(craft, target):
    archive = craft.aes({"a.csv": TEXT, "b.csv": TEXT})
    assert refused(archive, target, max_entries=1).code == "too_many_entries"
    assert refused(archive, target, max_total_size=len(TEXT)).code == "too_large"


def test_an_existing_file_is_never_overwritten(craft, target):
    archive = craft.aes({"nouveau.txt": b"1", "deja-la.txt": b"remplacement"})
    error = refused(archive, target)
    assert (error.code, error.entry) == ("target_exists", "deja-la.txt")


def test_a_symlinked_folder_inside_the_target_cannot_lead_outside(craft, target, tmp_path):
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (target / "raccourci").symlink_to(outside)
    archive = craft.aes({"raccourci/x.txt": b"x"})
    assert refused(archive, target).code == "unsafe_path"
    assert list(outside.iterdir()) == []
