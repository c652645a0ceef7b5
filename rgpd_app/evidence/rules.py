"""Pure rules of the evidence pack: its manifest's exact bytes, the checksum list, the
instructions shipped in it, and the checks of a pack's members against its manifest."""

import json

FORMAT = "rgpd-evidence-pack/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SUMS = "SHA256SUMS"
TMP = "evidence-tmp"  # the spool folder of builds and verifications, under the storage root
OPENSSL_VERIFY = (
    "openssl pkeyutl -verify -pubin -inkey signing-key.pem -rawin -in manifest.json "
    "-sigfile manifest.sig"
)


def manifest_bytes(manifest: dict) -> bytes:
    """The signed bytes: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def sums_bytes(digests: dict[str, str]) -> bytes:
    """`sha256sum -c` input: "<hex>  <path>" per file, in path order."""
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests)).encode()


def check_members(
    manifest: dict, digests: dict[str, tuple[str, int]], sums: bytes | None
) -> list[str]:
    """Each failure of the pack's files against its manifest, in French (empty: all good).
    `digests`: each member's (SHA-256, size); `sums`: the shipped checksum list's bytes."""
    problems = []
    listed = {f["path"]: f for f in manifest.get("files", [])}
    expected = set(listed) | {MANIFEST, SIGNATURE}
    for extra in sorted(set(digests) - expected):
        problems.append(f"Fichier ajouté au paquet, absent du manifeste : {extra}.")
    for missing in sorted(expected - set(digests)):
        problems.append(f"Fichier du manifeste absent du paquet : {missing}.")
    for path, entry in sorted(listed.items()):
        if path not in digests:
            continue
        if digests[path] != (entry["sha256"], entry["size"]):
            problems.append(
                f"Fichier modifié (empreinte SHA-256 différente du manifeste) : {path}."
            )
    if sums is not None and SUMS in listed:  # what `sha256sum -c` checks is what was signed
        signed = sums_bytes({path: f["sha256"] for path, f in listed.items() if path != SUMS})
        if sums != signed:
            problems.append(f"La liste {SUMS} ne correspond pas au manifeste signé.")
    return problems


def readme_fr(facts: dict, kid: str) -> str:
    controller, period = facts["controller"], facts["period"]
    return f"""Paquet de preuves RGPD — {controller["name"]} (SIREN {controller["siren"]})
Période : du {period["from"]} au {period["to"]}. Format : {FORMAT}. Clé de signature : {kid}.

Contenu
  registre/            le registre tenu pour la collectivité (art. 30.2, CSV, ODS, PDF) et son
                       volet art. 30.1, dans l'état du dernier jour de la période ; l'historique
                       des versions de la période (historique.json)
  instructions/        les instructions écrites, leurs accusés de réception et suspensions
  sous-traitance/      les notifications de changement de sous-traitant ultérieur : acceptation
                       du courriel par le serveur de messagerie, fin du délai, réponse
  audits/              les audits : préavis, décisions, rapport, observations, plan correctif
  violations/          les violations : faits, notification, acceptation, délai de 72 heures
  demandes/            les demandes de personnes, leurs délais et prolongation
  depots/              les dépôts de fichiers et leurs destructions
  journal/             l'extrait du journal de la collectivité (extrait.jsonl) et la preuve de
                       la chaîne de sceaux (sceaux.json : les autres collectivités n'y figurent
                       que par des empreintes), avec verifier_journal.py
  manifest.json        chaque fichier, sa taille et son empreinte SHA-256 ; signé par
  manifest.sig         la signature Ed25519 des octets exacts de manifest.json
  signing-key.pem      la clé publique (comparez son identifiant {kid} avec la liste publiée
                       par le sous-traitant : /.well-known/rgpd-evidence-keys.json)

Vérifier avec des outils standard (après extraction : 7z x paquet.zip)
  1. La signature du manifeste (OpenSSL 3) :
       {OPENSSL_VERIFY}
     doit afficher « Signature Verified Successfully ».
  2. Les fichiers :
       sha256sum -c SHA256SUMS
     doit afficher « OK » pour chaque fichier (SHA256SUMS est lui-même dans le manifeste).
  3. La chaîne du journal :
       cd journal && python3 verifier_journal.py extrait.jsonl sceaux.json
  Ou tout en une fois, avec le logiciel : flask rgpd evidence verify paquet.zip
"""


def readme_en(facts: dict, kid: str) -> str:
    controller, period = facts["controller"], facts["period"]
    return f"""GDPR evidence pack — {controller["name"]} (SIREN {controller["siren"]})
Period: {period["from"]} to {period["to"]}. Format: {FORMAT}. Signing key: {kid}.

The folders hold the register kept for the municipality (Art. 30(2) as CSV, ODS and PDF, and its
Art. 30(1) side) as it stood on the period's last day with the period's version history;
written instructions; sub-processor change notices (the mail server's acceptance, the window's
end, the answer); audits; breaches (notices, acceptance, 72-hour deadline); data-subject
requests; file deposits; and the municipality's journal extract with the proof of the seal
chain (other municipalities' rows appear as hashes only). manifest.json lists every file with
its size and SHA-256; manifest.sig is the Ed25519 signature of its exact bytes; signing-key.pem
is the public key, whose id {kid} must be in the processor's published list
(/.well-known/rgpd-evidence-keys.json).

Verify with standard tools (after extracting: 7z x pack.zip):
  {OPENSSL_VERIFY}
  sha256sum -c SHA256SUMS
  cd journal && python3 verifier_journal.py extrait.jsonl sceaux.json
Or all at once with the software: flask rgpd evidence verify pack.zip
"""
