import stat
import struct
import zipfile
import zlib

import pytest

from encryption import ArchiveError, Limits, inspect_archive, verify_archive
from encryption.winzip_aes import derive_keys

PASSWORD = "Correct-Horse-Battery-Staple-2024"
TEXT = b"nom;prenom;commune\n" + b"Durand;Camille;Vienne\n" * 2000
NOISE = bytes((i * 2654435761 >> 13) & 255 for i in range(40_000))


def refusal(path, password=None, **limits) -> ArchiveError:
    with pytest.raises(ArchiveError) as caught:
        verify_archive(path, password, limits=Limits(**limits))
    assert str(caught.value)  # a French message for the user
    return caught.value


def test_a_sound_archive_passes_with_and_without_password(craft):
    archive = craft.aes({"a.csv": TEXT, "b.bin": NOISE, "dossier/c.txt": b""})
    entries = verify_archive(archive)
    assert [entry.name for entry in entries] == ["a.csv", "b.bin", "dossier/c.txt"]
    assert verify_archive(archive, PASSWORD) == entries


def test_pyzipper_aes256_archives_pass(craft):
    assert len(verify_archive(craft.pyzipper({"a.csv": TEXT, "b.bin": NOISE}), PASSWORD)) == 2


@pytest.mark.parametrize("content", [b"", b"not a zip at all" * 100, b"PK\x05\x06" + bytes(10)])
def test_something_else_than_a_zip_is_named_so(craft, content):
    path = craft.path()
    path.write_bytes(content)
    assert refusal(path).code == "not_a_zip"


@pytest.mark.parametrize("keep", [0.5, 0.99])
def test_a_truncated_archive_is_named_so(craft, keep):
    archive = craft.aes({"a.csv": TEXT, "b.bin": NOISE})
    data = archive.read_bytes()
    archive.write_bytes(data[: int(len(data) * keep)])
    assert refusal(archive).code == "truncated"


def test_data_cut_short_before_the_directory_is_truncated(craft):
    archive = craft.aes({"a.bin": NOISE})
    (first,) = craft.central_offsets(archive)
    bigger = craft.edit(archive, [(first + 20, "<I", 10**9)])
    assert refusal(bigger).code == "truncated"


def test_an_unencrypted_entry_is_refused(craft):
    error = refusal(craft.plain({"liste.csv": TEXT}))
    assert (error.code, error.entry) == ("unencrypted_entry", "liste.csv")
    assert "liste.csv" in str(error)


def test_zipcrypto_is_refused(craft):
    archive = craft.plain({"liste.csv": TEXT})
    edits = [(0 + 6, "<H", 0x0001)] + [
        (at + 8, "<H", 0x0001) for at in craft.central_offsets(archive)
    ]
    error = refusal(craft.edit(archive, edits))
    assert (error.code, error.entry) == ("zipcrypto", "liste.csv")


def test_pkware_strong_encryption_is_refused(craft):
    archive = craft.plain({"liste.csv": TEXT})
    edits = [(at + 8, "<H", 0x0041) for at in craft.central_offsets(archive)]
    assert refusal(craft.edit(archive, edits)).code == "unsupported_encryption"


@pytest.mark.parametrize(("nbits", "label"), [(128, "AES-128"), (192, "AES-192")])
def test_weaker_aes_is_refused(craft, nbits, label):
    error = refusal(craft.pyzipper({"liste.csv": TEXT}, nbits=nbits))
    assert error.code == "weak_aes"
    assert label in str(error)


def test_a_mixed_archive_names_the_clear_entry(craft):
    archive = craft.aes({"a.csv": TEXT})
    with zipfile.ZipFile(archive, "a") as appended:
        appended.writestr("lisez-moi.txt", b"en clair")
    error = refusal(archive)
    assert (error.code, error.entry) == ("mixed", "lisez-moi.txt")


def test_a_wrong_password_is_named_so(craft):
    archive = craft.aes({"a.csv": TEXT})
    salt = archive.read_bytes()[inspect_archive(archive)[0].data_start :][:18]
    wrong = next(
        candidate
        for candidate in (f"wrong-{i}" for i in range(100))
        if derive_keys(candidate.encode(), salt[:16])[2] != salt[16:]
    )  # the 2-byte verifier lets 1 in 65,536 wrong passwords through: pick a caught one
    error = refusal(archive, wrong)
    assert (error.code, error.entry) == ("wrong_password", "a.csv")


@pytest.mark.parametrize("content", [TEXT, NOISE], ids=["deflated", "stored"])
@pytest.mark.parametrize("where", [40, -1], ids=["data", "mac"])
def test_one_altered_byte_fails_the_authentication_code(craft, content, where):
    archive = craft.aes({"x.dat": b"first", "a.csv": content})
    entry = inspect_archive(archive)[1]
    data = bytearray(archive.read_bytes())
    position = entry.data_start + (where if where > 0 else entry.compressed_size + where)
    data[position] ^= 0x20
    archive.write_bytes(bytes(data))
    assert verify_archive(archive)  # the structure is still fine
    error = refusal(archive, PASSWORD)
    assert (error.code, error.entry) == ("bad_mac", "a.csv")


def ae1(craft, archive, crc: int):
    """Our AE-2 archive relabelled AE-1 with the given CRC in both headers."""
    relabelled = craft.patch(archive, b"\x01\x99\x07\x00\x02\x00AE", b"\x01\x99\x07\x00\x01\x00AE")
    (central,) = craft.central_offsets(relabelled)
    return craft.edit(relabelled, [(14, "<I", crc), (central + 16, "<I", crc)])


def test_ae1_entries_have_their_crc_checked(craft):
    archive = craft.aes({"a.csv": TEXT})
    assert verify_archive(ae1(craft, archive, zlib.crc32(TEXT)), PASSWORD)[0].ae_version == 1
    assert refusal(ae1(craft, archive, zlib.crc32(TEXT) ^ 1), PASSWORD).code == "bad_crc"


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/x", "/etc/cron.d/evil", "C:/Windows/evil", "..\\..\\evil.bat",
     "dossier/../../x", "a/./b.txt", "a//b.txt", "nul\x00byte.txt"],
)  # fmt: skip
def test_paths_leaving_the_folder_are_refused(craft, name):
    placeholder = "p" * len(name.encode())
    archive = craft.patch(craft.aes({placeholder: b"x"}), placeholder.encode(), name.encode())
    error = refusal(archive)
    assert (error.code, error.entry) == ("unsafe_path", name)


@pytest.mark.parametrize(
    ("file_type", "code"),
    [(stat.S_IFLNK, "symlink"), (stat.S_IFCHR, "special_file"), (stat.S_IFIFO, "special_file")],
)
def test_links_and_devices_are_refused(craft, file_type, code):
    archive = craft.aes({"a.txt": b"/etc/passwd"})
    (central,) = craft.central_offsets(archive)
    error = refusal(craft.edit(archive, [(central + 38, "<I", (file_type | 0o777) << 16)]))
    assert (error.code, error.entry) == (code, "a.txt")


def test_the_same_name_twice_is_refused(craft):
    archive = craft.patch(craft.aes({"aaaa.txt": b"1", "bbbb.txt": b"2"}), b"bbbb", b"aaaa")
    assert refusal(archive).code == "duplicate_entry"


def test_a_file_under_a_file_of_the_same_name_is_refused(craft):
    assert refusal(craft.aes({"a": b"1", "a/b.txt": b"2"})).code == "duplicate_entry"


def test_too_many_entries_are_refused_before_reading_them(craft):
    archive = craft.aes({f"f{i}.txt": b"x" for i in range(5)})
    assert refusal(archive, max_entries=4).code == "too_many_entries"


def test_a_declared_total_above_the_limit_is_refused(craft):
    archive = craft.aes({"a.bin": NOISE, "b.bin": NOISE})
    assert refusal(archive, max_total_size=len(NOISE) * 2 - 1).code == "too_large"


def test_a_declared_ratio_above_the_limit_is_refused(craft):
    archive = craft.aes({"zeros.bin": bytes(4 << 20)})
    error = refusal(archive, ratio_floor=1 << 20)
    assert (error.code, error.entry) == ("ratio_exceeded", "zeros.bin")


def test_a_bomb_lying_about_its_size_is_stopped_while_inflating(craft):
    archive = craft.aes({"zeros.bin": bytes(24 << 20)})
    (central,) = craft.central_offsets(archive)
    liar = craft.edit(archive, [(22, "<I", 1000), (central + 24, "<I", 1000)])
    assert verify_archive(liar)  # the headers alone look harmless
    error = refusal(liar, PASSWORD)
    assert (error.code, error.entry) == ("size_mismatch", "zeros.bin")


def test_the_real_inflated_total_is_bounded_too(craft):
    archive = craft.aes({"a.csv": TEXT, "b.csv": TEXT})
    (_, second) = craft.central_offsets(archive)
    shrunk = craft.edit(archive, [(second + 24, "<I", 10)])  # central size of b.csv lies
    error = refusal(shrunk, PASSWORD, max_total_size=len(TEXT) + 100)
    assert (error.code, error.entry) == ("too_large", "b.csv")


def test_entries_sharing_bytes_are_refused(craft):
    archive = craft.aes({"a.bin": NOISE, "b.bin": NOISE})
    first, _ = craft.central_offsets(archive)
    _, second_local = craft.local_offsets(archive)
    data = archive.read_bytes()
    (compressed,) = struct.unpack_from("<I", data, first + 20)
    longer = compressed + data.find(b"PK\x01\x02") - second_local  # a.bin swallows b.bin
    error = refusal(craft.edit(archive, [(18, "<I", longer), (first + 20, "<I", longer)]))
    assert error.code == "overlapping_entries"


def test_two_names_for_one_local_header_are_refused(craft):
    archive = craft.aes({"a.bin": NOISE, "b.bin": NOISE})
    first_local, _ = craft.local_offsets(archive)
    _, second = craft.central_offsets(archive)
    error = refusal(craft.edit(archive, [(second + 42, "<I", first_local)]))
    assert error.code == "overlapping_entries"


def test_a_local_header_that_disagrees_with_the_directory_is_corrupt(craft):
    archive = craft.aes({"aaaa.txt": b"1"})
    data = archive.read_bytes()
    archive.write_bytes(data[:30] + b"zzzz" + data[34:])
    assert refusal(archive).code == "corrupt"


def test_an_aes_entry_too_short_for_salt_and_mac_is_corrupt(craft):
    archive = craft.aes({"a.txt": b"x"})
    (central,) = craft.central_offsets(archive)
    assert refusal(craft.edit(archive, [(central + 20, "<I", 20)])).code == "corrupt"


def test_7zip_style_clear_folder_entries_are_accepted(craft):
    archive = craft.aes({"a.txt": b"x"})
    with zipfile.ZipFile(archive, "a") as appended:
        appended.mkdir("dossier")
    assert [entry.is_dir for entry in verify_archive(archive, PASSWORD)] == [False, True]
