"""`flask rgpd zip encrypt|verify|extract`: exit codes, French reasons, nothing left on refusal."""

from encryption import extract_archive, verify_archive
from tests.deposits_support import (
    ARCHIVE_PASSWORD,
    CSV,
    aes_zip,
    plain_zip,
    zipcrypto_zip,
)


def test_encrypt_prints_a_generated_password_once_and_the_archive_opens_with_it(runner, tmp_path):
    source = tmp_path / "liste_dupont.csv"
    source.write_bytes(CSV)
    out = tmp_path / "out.zip"
    result = runner.invoke(args=["rgpd", "zip", "encrypt", str(out), str(source)])
    assert result.exit_code == 0, result.output
    password = result.stdout.strip()
    assert len(password) >= 20 and "\n" not in password
    assert "une seule fois" in result.stderr
    entries = verify_archive(out, password)
    assert [e.name for e in entries] == ["file-001.csv"]  # no personal data in entry names
    extract_archive(out, tmp_path / "x", password)
    assert (tmp_path / "x" / "file-001.csv").read_bytes() == CSV


def test_encrypt_with_the_password_from_stdin_keeps_names_on_request(runner, tmp_path):
    source = tmp_path / "cadastre.csv"
    source.write_bytes(CSV)
    out = tmp_path / "out.zip"
    result = runner.invoke(
        args=["rgpd", "zip", "encrypt", str(out), str(source), "--password-stdin", "--keep-names"],
        input=ARCHIVE_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert ARCHIVE_PASSWORD not in result.output
    assert [e.name for e in verify_archive(out, ARCHIVE_PASSWORD)] == ["cadastre.csv"]


def test_encrypt_refuses_a_missing_source_and_writes_nothing(runner, tmp_path):
    out = tmp_path / "out.zip"
    result = runner.invoke(args=["rgpd", "zip", "encrypt", str(out), str(tmp_path / "absent")])
    assert result.exit_code != 0
    assert not out.exists()


def test_verify_accepts_aes256_with_and_without_the_password(runner, tmp_path):
    archive = aes_zip(tmp_path / "a.zip")
    structure = runner.invoke(args=["rgpd", "zip", "verify", str(archive)])
    assert structure.exit_code == 0 and "conforme" in structure.output
    full = runner.invoke(
        args=["rgpd", "zip", "verify", str(archive), "--password-stdin"],
        input=ARCHIVE_PASSWORD + "\n",
    )
    assert full.exit_code == 0 and "codes d'authentification vérifiés" in full.output


def test_verify_refuses_plain_zipcrypto_and_a_wrong_password_with_the_reason(runner, tmp_path):
    plain = runner.invoke(args=["rgpd", "zip", "verify", str(plain_zip(tmp_path / "p.zip"))])
    assert plain.exit_code != 0 and "unencrypted_entry" in plain.output
    assert "liste.csv" in plain.output
    crypto = runner.invoke(args=["rgpd", "zip", "verify", str(zipcrypto_zip(tmp_path / "z.zip"))])
    assert crypto.exit_code != 0 and "zipcrypto" in crypto.output
    wrong = runner.invoke(
        args=["rgpd", "zip", "verify", str(aes_zip(tmp_path / "a.zip")), "--password-stdin"],
        input="Pas-le-bon-mot-de-passe-du-tout\n",
    )
    assert wrong.exit_code != 0 and "Mot de passe incorrect" in wrong.output


def test_verify_refuses_a_tampered_byte(runner, tmp_path):
    archive = aes_zip(tmp_path / "a.zip")
    data = bytearray(archive.read_bytes())
    data[100] ^= 0x01  # inside the encrypted data of the only entry
    archive.write_bytes(bytes(data))
    result = runner.invoke(
        args=["rgpd", "zip", "verify", str(archive), "--password-stdin"],
        input=ARCHIVE_PASSWORD + "\n",
    )
    assert result.exit_code != 0 and "bad_mac" in result.output


def test_extract_writes_the_files(runner, tmp_path):
    archive = aes_zip(tmp_path / "a.zip", {"a.csv": CSV, "dossier/b.txt": b"b"})
    target = tmp_path / "out"
    result = runner.invoke(
        args=["rgpd", "zip", "extract", str(archive), str(target)], input=ARCHIVE_PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert (target / "a.csv").read_bytes() == CSV
    assert (target / "dossier" / "b.txt").read_bytes() == b"b"


def test_extract_refusals_leave_nothing_in_the_folder(runner, tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    wrong = runner.invoke(
        args=["rgpd", "zip", "extract", str(aes_zip(tmp_path / "a.zip")), str(target)],
        input="Pas-le-bon-mot-de-passe-du-tout\n",
    )
    assert wrong.exit_code != 0 and "Mot de passe incorrect" in wrong.output
    plain = runner.invoke(
        args=["rgpd", "zip", "extract", str(plain_zip(tmp_path / "p.zip")), str(target)],
        input=ARCHIVE_PASSWORD + "\n",
    )
    assert plain.exit_code != 0 and "unencrypted_entry" in plain.output
    assert list(target.iterdir()) == []


def test_extract_with_a_bad_mac_on_the_second_entry_undoes_the_first(runner, tmp_path):
    archive = aes_zip(tmp_path / "a.zip", {"a.csv": CSV, "b.csv": CSV})
    data = bytearray(archive.read_bytes())
    second = data.find(b"PK\x03\x04", 10)
    data[second + 120] ^= 0x01
    archive.write_bytes(bytes(data))
    target = tmp_path / "new"
    result = runner.invoke(
        args=["rgpd", "zip", "extract", str(archive), str(target)], input=ARCHIVE_PASSWORD + "\n"
    )
    assert result.exit_code != 0 and "bad_mac" in result.output
    assert not target.exists()


def test_extract_without_a_password_on_stdin_is_refused(runner, tmp_path):
    target = tmp_path / "out"
    result = runner.invoke(
        args=["rgpd", "zip", "extract", str(aes_zip(tmp_path / "a.zip")), str(target)], input=""
    )
    assert result.exit_code != 0 and "entrée standard" in result.output
    assert not target.exists()
