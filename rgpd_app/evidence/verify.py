"""Check one pack: the zip and its password, each file against the manifest, the manifest's
signature against the published keys, and the journal chain. Every failure is named in French;
an empty list means the pack is what the processor signed."""

import hashlib
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from encryption import DEFAULT_LIMITS, ArchiveError, inspect_archive
from encryption.aeszip_read import InflateBudget, stream_entry
from rgpd_app.evidence import chain
from rgpd_app.evidence.rules import FORMAT, MANIFEST, SIGNATURE, SUMS, TMP, check_members
from rgpd_app.files import folder, private_folder
from rgpd_app.foundation import signing

PUBLIC_KEY = "signing-key.pem"


def read_members(path: Path, password: str) -> dict[str, bytes]:
    """Every file of the AES-256 zip, decrypted and authenticated (raises ArchiveError)."""
    entries = inspect_archive(path, DEFAULT_LIMITS)
    budget = InflateBudget()
    members = {}
    with path.open("rb") as source:
        for entry in entries:
            if not entry.is_dir:
                chunks = stream_entry(source, entry, password, DEFAULT_LIMITS, budget)
                members[entry.name] = b"".join(chunks)
    return members


@dataclass(frozen=True)
class Member:
    """A decrypted file of the pack, written to the verification's temporary folder."""

    path: Path
    sha256: str
    size: int

    def read(self) -> bytes:
        return self.path.read_bytes()


def extract_members(path: Path, password: str, folder: Path) -> dict[str, Member]:
    """Every file of the AES-256 zip, decrypted, authenticated and hashed into `folder` a chunk
    at a time (raises ArchiveError): a large pack is checked without being held in memory."""
    entries = inspect_archive(path, DEFAULT_LIMITS)
    budget = InflateBudget()
    members = {}
    with path.open("rb") as source:
        for number, entry in enumerate(entries):
            if entry.is_dir:
                continue
            target, digest, size = folder / f"{number:05d}", hashlib.sha256(), 0
            with target.open("wb") as out:
                for chunk in stream_entry(source, entry, password, DEFAULT_LIMITS, budget):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            members[entry.name] = Member(target, digest.hexdigest(), size)
    return members


def _lines(member: Member | None) -> Iterator[dict]:
    if member is None:
        return
    with member.path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _one_seal_per_line(path: Path) -> bool:
    """True when sceaux.json is laid out as the pack writes it: a seal record per line."""
    with path.open(encoding="utf-8") as lines:
        head = [next(lines, "").strip() for _ in range(3)]
        if head[0] != "{" or not head[1].startswith('"genesis"') or head[2] != '"seals": [':
            return False
        for line in lines:
            text = line.strip().rstrip(",")
            if text not in ("]", "}") and not (text.startswith("{") and text.endswith("}")):
                return False
    return True


def _seals(member: Member | None) -> Iterator[dict]:
    """The seal records of sceaux.json, read a line at a time; a file laid out otherwise
    (edited by hand, say) is read whole instead."""
    if member is None:
        return
    if not _one_seal_per_line(member.path):
        yield from json.loads(member.read()).get("seals", [])
        return
    with member.path.open(encoding="utf-8") as lines:
        for line in lines:
            text = line.strip().rstrip(",")
            if text.startswith("{") and text.endswith("}"):
                yield json.loads(text)


def problems_of(members: dict[str, Member], keys: list[signing.PublicKey]) -> list[str]:
    """What is wrong with a pack's decrypted files (empty: nothing)."""
    try:
        manifest = json.loads(members[MANIFEST].read())
    except KeyError:
        return [f"Le paquet n'a pas de {MANIFEST}."]
    except ValueError:
        return [f"{MANIFEST} n'est pas un JSON lisible."]
    problems = []
    if manifest.get("format") != FORMAT:
        problems.append(
            f"Format de paquet inconnu : {manifest.get('format')!r} (attendu {FORMAT})."
        )
    kid = manifest.get("key_id", "")
    if SIGNATURE not in members:
        problems.append(f"Le paquet n'a pas de signature ({SIGNATURE}).")
    else:
        body, signature = members[MANIFEST].read(), members[SIGNATURE].read()
        refused = signing.verify_with(keys, kid, body, signature)
        if refused:
            problems.append(refused)
    published = next((k for k in keys if k.kid == kid), None)
    key = members.get(PUBLIC_KEY)
    shipped = key.read().decode(errors="replace").strip() if key else ""
    if published is not None and shipped != published.pem.strip():
        problems.append(f"{PUBLIC_KEY} n'est pas la clé publiée sous l'identifiant {kid}.")
    digests = {name: (m.sha256, m.size) for name, m in members.items()}
    sums = members[SUMS].read() if SUMS in members else None
    problems += check_members(manifest, digests, sums)
    extract, proof = members.get("journal/extrait.jsonl"), members.get("journal/sceaux.json")
    try:
        wanted = {row["id"] for row in _lines(extract)}
        chain_problems, _proven = chain.check(_lines(extract), {"seals": _seals(proof)}, wanted)
    except (ValueError, KeyError, TypeError):
        return [*problems, "Le journal du paquet n'est pas un JSON lisible."]
    problems += [f"Journal : {p}" for p in chain_problems]
    return problems


def verify_pack(path: Path, password: str, keys: list[signing.PublicKey]) -> list[str]:
    with tempfile.TemporaryDirectory(dir=private_folder(folder(TMP))) as spool:
        try:
            members = extract_members(path, password, Path(spool))
        except ArchiveError as error:
            return [f"Archive illisible ou mot de passe faux : {error}"]
        return problems_of(members, keys)


def keys_from_document(text: str) -> list[signing.PublicKey]:
    """The keys of a saved /.well-known/rgpd-evidence-keys.json document."""
    data = json.loads(text)
    return [
        signing.PublicKey(k["kid"], k["public_key_pem"], k["created_at"], k.get("retired_at"))
        for k in data["keys"]
    ]
