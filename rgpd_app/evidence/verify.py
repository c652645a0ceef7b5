"""Check one pack: the zip and its password, each file against the manifest, the manifest's
signature against the published keys, and the journal chain. Every failure is named in French;
an empty list means the pack is what the processor signed."""

import json
from pathlib import Path

from encryption import DEFAULT_LIMITS, ArchiveError, inspect_archive
from encryption.aeszip_read import InflateBudget, stream_entry
from rgpd_app.evidence import chain, signing
from rgpd_app.evidence.rules import FORMAT, MANIFEST, SIGNATURE, check_members

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


def problems_of(members: dict[str, bytes], keys: list[signing.PublicKey]) -> list[str]:
    """What is wrong with a pack's decrypted files (empty: nothing)."""
    try:
        manifest = json.loads(members[MANIFEST])
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
        refused = signing.verify_with(keys, kid, members[MANIFEST], members[SIGNATURE])
        if refused:
            problems.append(refused)
    published = next((k for k in keys if k.kid == kid), None)
    shipped = members.get(PUBLIC_KEY, b"").decode(errors="replace").strip()
    if published is not None and shipped != published.pem.strip():
        problems.append(f"{PUBLIC_KEY} n'est pas la clé publiée sous l'identifiant {kid}.")
    problems += check_members(manifest, members)
    try:
        entries = [
            json.loads(line)
            for line in members.get("journal/extrait.jsonl", b"").splitlines()
            if line.strip()
        ]
        proof = json.loads(members.get("journal/sceaux.json", b'{"seals": []}'))
    except ValueError:
        return [*problems, "Le journal du paquet n'est pas un JSON lisible."]
    chain_problems, _proven = chain.check(entries, proof)
    problems += [f"Journal : {p}" for p in chain_problems]
    return problems


def verify_pack(path: Path, password: str, keys: list[signing.PublicKey]) -> list[str]:
    try:
        members = read_members(path, password)
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
