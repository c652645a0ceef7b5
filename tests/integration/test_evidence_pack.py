"""The signed evidence pack, built on the demo (three municipalities sharing one processor and
its sub-processors), checked by our verifier and by standard tools (OpenSSL, sha256sum, 7-Zip)."""

import hashlib
import json
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from encryption import AesZipWriter
from rgpd_app.extensions import db

NOW = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
PASSWORD = "Mot-de-passe-du-paquet-2026"
MONTIGNY, CESSON, COLMAR = "215704636", "213502388", "216800664"


@pytest.fixture
def demo(app, clock):
    from rgpd_app.demo import load_demo

    clock.set(NOW)
    load_demo(now=NOW, password_factory=lambda: "Grand-vent-sur-la-lande-2026")
    return app


def build(tmp_path, siren=MONTIGNY, *, now=NOW, name="pack.zip"):
    from rgpd_app.evidence import services

    controller = services.controller_by_siren(siren)
    period = services.period_of(date(2026, 1, 1), now.date(), now=now)
    path = tmp_path / name
    built = services.build_pack(controller, period, path, password=PASSWORD, actor=None, now=now)
    return path, built


def members_of(path):
    from rgpd_app.evidence.verify import read_members

    return read_members(path, PASSWORD)


def rezip(path, members: dict[str, bytes]):
    with path.open("wb") as out, AesZipWriter(out, PASSWORD) as writer:
        for name, content in members.items():
            writer.add_bytes(content, name)
    return path


def verify(path, keys=None):
    from rgpd_app.evidence import services

    return services.verify(path, PASSWORD, now=NOW, keys=keys)


def test_a_pack_holds_the_documented_files_and_verifies(demo, tmp_path):
    path, built = build(tmp_path)
    members = members_of(path)
    for expected in ("manifest.json", "manifest.sig", "signing-key.pem", "SHA256SUMS",
                     "LISEZMOI.txt", "README.txt", "registre/art30-2.ods", "registre/art30-2.csv",
                     "registre/art30-2.pdf", "registre/art30-1.pdf", "registre/historique.json",
                     "instructions/instructions.json", "sous-traitance/notifications.json",
                     "audits/audits.json", "violations/violations.json", "demandes/demandes.json",
                     "depots/depots.json", "journal/extrait.jsonl", "journal/sceaux.json",
                     "journal/verifier_journal.py"):  # fmt: skip
        assert expected in members, expected
    manifest = json.loads(members["manifest.json"])
    assert manifest["controller"]["siren"] == MONTIGNY
    assert manifest["period"] == {"from": "2026-01-01", "to": "2026-12-07"}
    assert manifest["key_id"].startswith("ed25519:") and manifest["software"]["name"] == "rgpd_app"
    assert built.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert verify(path) == []
    # The pack's contents: the breach notice's acceptance and 72-hour deadline, the notice
    # windows with the mail server's acceptance, the suspended instruction, the extension.
    notices = json.loads(members["sous-traitance/notifications.json"])
    assert len(notices) == 2 and all(n["for_this_controller"]["email_accepted_at"] for n in notices)
    (breach,) = json.loads(members["violations/violations.json"])
    assert breach["notice"]["email_accepted_at"] and breach["notice"]["authority_deadline_at"]
    states = [i["state"] for i in json.loads(members["instructions/instructions.json"])]
    assert "suspended" in states
    register = json.loads(members["registre/au-terme-de-la-periode.json"])
    assert len(register) == 12  # Montigny's 11 standard processings and its newsletter


def test_another_controllers_data_never_enters_the_pack(demo, tmp_path):
    from rgpd_app.organisations.models import Organisation
    from rgpd_app.register.models import ProcessingActivity

    path, _ = build(tmp_path)
    blob = b"\n".join(members_of(path).values())
    others = db.session.scalars(
        select(Organisation).where(Organisation.siren.in_([CESSON, COLMAR]))
    ).all()
    for org in others:
        for secret in (org.name, org.dpo_email, org.siren, org.dpo_name):
            assert secret.encode() not in blob, secret
        ids = db.session.scalars(
            select(ProcessingActivity.id).where(ProcessingActivity.controller_id == org.id)
        ).all()
        assert ids
    proof = json.loads(members_of(path)["journal/sceaux.json"])
    extract = [json.loads(line) for line in members_of(path)["journal/extrait.jsonl"].splitlines()]
    montigny = db.session.scalar(select(Organisation).where(Organisation.siren == MONTIGNY))
    assert extract and {row["organisation_id"] for row in extract} == {montigny.id}
    hashed_only = {row_id for s in proof["seals"] for row_id, _ in s.get("rows", [])} - {
        row["id"] for row in extract
    }
    assert hashed_only  # other controllers' rows sealed alongside: present as hashes only


def test_standard_tools_verify_the_pack(demo, tmp_path):
    if not shutil.which("7z") or not shutil.which("openssl"):
        pytest.skip("7-Zip (p7zip-full) and OpenSSL are needed to check with standard tools")
    from rgpd_app.evidence.rules import OPENSSL_VERIFY

    path, _ = build(tmp_path)
    out = tmp_path / "x"
    subprocess.run(["7z", "x", f"-p{PASSWORD}", f"-o{out}", str(path)], check=True,
                   capture_output=True)  # fmt: skip
    signature = subprocess.run(OPENSSL_VERIFY.split(), cwd=out, capture_output=True, text=True)
    assert signature.returncode == 0 and "Signature Verified Successfully" in signature.stdout
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True,
                          text=True)  # fmt: skip
    assert sums.returncode == 0 and "FAILED" not in sums.stdout
    chain = subprocess.run(["python3", "verifier_journal.py", "extrait.jsonl", "sceaux.json"],
                           cwd=out / "journal", capture_output=True, text=True)  # fmt: skip
    assert chain.returncode == 0 and "prouvée(s)" in chain.stdout
    # One byte changed in the manifest: OpenSSL refuses it.
    manifest = out / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"2026-01-01", b"2025-01-01"))
    signature = subprocess.run(OPENSSL_VERIFY.split(), cwd=out, capture_output=True, text=True)
    assert signature.returncode != 0


def test_each_tampering_fails_verify_with_its_own_message(demo, tmp_path):
    path, _ = build(tmp_path)
    other, _ = build(tmp_path, CESSON, name="other.zip")
    good = members_of(path)

    def tampered(name, change):
        members = dict(good)
        change(members)
        return verify(rezip(tmp_path / name, members))

    csv = "registre/art30-2.csv"
    one_byte = tampered("byte.zip", lambda m: m.update({csv: m[csv][:-2] + b"X\n"}))
    added = tampered("added.zip", lambda m: m.update({"registre/ajout.csv": b"a;b\n"}))
    removed = tampered("removed.zip", lambda m: m.pop("audits/audits.json"))
    period = (b'"2026-01-01"', b'"2025-01-01"')
    edited = tampered("edited.zip", lambda m: m.update(
        {"manifest.json": m["manifest.json"].replace(*period)}))  # fmt: skip
    foreign = tampered("foreign.zip", lambda m: m.update(
        {"manifest.sig": members_of(other)["manifest.sig"]}))  # fmt: skip
    assert one_byte == [f"Fichier modifié (empreinte SHA-256 différente du manifeste) : {csv}."]
    assert added == ["Fichier ajouté au paquet, absent du manifeste : registre/ajout.csv."]
    assert removed == ["Fichier du manifeste absent du paquet : audits/audits.json."]
    assert edited and edited[0].startswith("La signature ne correspond pas")
    assert foreign and foreign[0].startswith("La signature ne correspond pas")
    kid = json.loads(good["manifest.json"])["key_id"]
    assert verify(path, keys=[]) == [f"La clé {kid} ne fait pas partie des clés publiées."]
    from rgpd_app.evidence import services

    wrong = services.verify(path, "Mauvais-mot-de-passe-2026", now=NOW)
    assert len(wrong) == 1 and wrong[0].startswith("Archive illisible ou mot de passe faux")


def test_a_journal_row_edited_in_the_database_shows_in_the_pack(demo, tmp_path):
    from rgpd_app.foundation.journal import JournalEntry
    from rgpd_app.organisations.models import Organisation

    montigny = db.session.scalar(select(Organisation).where(Organisation.siren == MONTIGNY))
    row = db.session.scalar(
        select(JournalEntry)
        .where(JournalEntry.organisation_id == montigny.id, JournalEntry.seal_id.is_not(None))
        .order_by(JournalEntry.id)
    )
    row.details = json.dumps({"edited": True})
    db.session.commit()
    path, _ = build(tmp_path)
    problems = verify(path)
    assert problems == [
        f"Journal : Ligne {row.id} : son contenu ne correspond pas à l'empreinte scellée "
        "(ligne modifiée)."
    ]


def test_same_data_period_and_key_give_the_same_files(demo, tmp_path):
    """Byte for byte, PDFs included, but for the zip's salts and the journal row the first
    build wrote (the period ends today)."""
    import io

    from pypdf import PdfReader

    first, _ = build(tmp_path, name="a.zip")
    second, _ = build(tmp_path, name="b.zip")
    a, b = members_of(first), members_of(second)
    assert first.read_bytes() != second.read_bytes()  # the zip's random salts
    assert sorted(a) == sorted(b)
    changed = {path for path in a if a[path] != b[path]}
    pdfs = {path for path in a if path.endswith(".pdf")}
    assert pdfs and not changed & pdfs  # a PDF's identifier comes from its content
    assert changed <= {"journal/extrait.jsonl", "journal/sceaux.json", "SHA256SUMS",
                       "manifest.json", "manifest.sig"}  # fmt: skip
    for path in pdfs:
        text = [[page.extract_text() for page in PdfReader(io.BytesIO(m[path])).pages]
                for m in (a, b)]  # fmt: skip
        assert text[0] == text[1] and "Montigny" in "".join(text[0])
    manifest = json.loads(a["manifest.json"])
    assert manifest["built_at"] == NOW.isoformat()
    assert a["manifest.json"] == rules_bytes(manifest)


def rules_bytes(manifest):
    from rgpd_app.evidence.rules import manifest_bytes

    return manifest_bytes(manifest)


def test_keys_rotate_and_old_packs_still_verify(demo, tmp_path, client):
    from rgpd_app.foundation import signing

    before, _ = build(tmp_path, name="before.zip")
    old, new = signing.rotate(NOW)
    after, built = build(tmp_path, name="after.zip")
    assert built.manifest["key_id"] == new != old
    assert verify(before) == [] and verify(after) == []
    document = client.get("/.well-known/rgpd-evidence-keys.json").get_json()
    assert [k["kid"] for k in document["keys"]] == [old, new]
    assert document["keys"][0]["retired_at"] and "private" not in json.dumps(document)
    keys_file = json.loads((tmp_path / "instance").parent.joinpath("instance/signing-keys.json")
                           .read_text())  # fmt: skip
    retired = next(k for k in keys_file["keys"] if k["kid"] == old)
    assert retired["private_key"] is None  # only the active key keeps its private half


def test_cli_build_and_verify(demo, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cli.zip"
    made = runner.invoke(demo.cli, ["rgpd", "evidence", "build", "--controller", MONTIGNY,
                                    "--from", "2026-01-01", "-o", str(out), "--password-stdin"],
                         input=PASSWORD + "\n", catch_exceptions=False)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert f"SHA-256 : {hashlib.sha256(out.read_bytes()).hexdigest()}" in made.output
    checked = runner.invoke(demo.cli, ["rgpd", "evidence", "verify", str(out), "--password-stdin"],
                            input=PASSWORD + "\n")  # fmt: skip
    assert checked.exit_code == 0 and "Paquet intègre" in checked.output
    members = members_of(out)
    members["depots/depots.json"] += b" "
    rezip(out, members)
    failed = runner.invoke(demo.cli, ["rgpd", "evidence", "verify", str(out), "--password-stdin"],
                           input=PASSWORD + "\n")  # fmt: skip
    assert failed.exit_code == 1 and "depots/depots.json" in failed.output
    refused = runner.invoke(demo.cli, ["rgpd", "evidence", "build", "--controller", "123456789",
                                       "-o", str(tmp_path / "n.zip"), "--password-stdin"],
                            input=PASSWORD + "\n")  # fmt: skip
    assert refused.exit_code != 0 and "controller" in refused.output
    assert not (tmp_path / "n.zip").exists()
    future = runner.invoke(demo.cli, ["rgpd", "evidence", "build", "--controller", MONTIGNY,
                                      "--to", "2027-06-01", "-o", str(tmp_path / "f.zip"),
                                      "--password-stdin"], input=PASSWORD + "\n")  # fmt: skip
    assert future.exit_code != 0 and "to :" in future.output
