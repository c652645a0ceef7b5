"""Recompute the journal's seal chain from a pack's two files, with Python's standard library only.

This file is shipped in every pack as `journal/verifier_journal.py`:

    python3 verifier_journal.py extrait.jsonl sceaux.json

`sceaux.json` holds, for the stretch of the chain that covers the controller's rows, each seal's
record; for each seal covering one of its rows, the hashes of *all* the rows it covers (the
other controllers' rows as hashes only). `extrait.jsonl` holds the controller's rows, one
canonical JSON object per line. The chain holds when every row's hash is the one its seal lists,
every seal's rows digest and hash recompute, and each seal names the previous one's hash.
"""

import hashlib
import json
import sys

FIELDS = (
    "id", "at", "user_id", "user_email", "organisation_id", "action",
    "object_type", "object_id", "ip", "user_agent", "details",
)  # fmt: skip


def row_hash(row: dict) -> str:
    canonical = json.dumps({k: row[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_hash(previous_hash: str, digest: str, first_id: int, last_id: int, count: int) -> str:
    material = f"{previous_hash}|{digest}|{first_id}|{last_id}|{count}".encode()
    return hashlib.sha256(material).hexdigest()


def rows_digest(hashes) -> str:
    digest = hashlib.sha256()
    for value in hashes:
        digest.update(bytes.fromhex(value))
    return digest.hexdigest()


def check(entries, proof: dict, wanted=None) -> tuple[list[str], int]:
    """(problems in French, number of the controller's rows proven by a seal).

    `entries` and `proof["seals"]` are read once each, so both may be streams; `wanted`, the
    ids of `entries` when known, keeps only their sealed hashes in memory."""
    problems: list[str] = []
    seals = proof.get("seals", [])
    listed: dict[int, str] = {}
    previous = None
    for seal in seals:
        sid = seal["id"]
        if previous is not None and seal["previous_hash"] != previous["hash"]:
            problems.append(f"Sceau {sid} : il ne désigne pas le sceau {previous['id']} qui le "
                            "précède (chaîne rompue).")  # fmt: skip
        rows = seal.get("rows")
        if rows is not None:
            ids = [row_id for row_id, _ in rows]
            if len(rows) != seal["entry_count"] or (
                rows and (ids[0] != seal["first_entry_id"] or ids[-1] != seal["last_entry_id"])
            ):
                problems.append(
                    f"Sceau {sid} : la liste de ses lignes ne correspond pas à ce qu'il couvre "
                    f"({len(rows)} lignes pour {seal['entry_count']})."
                )
            if rows_digest(h for _, h in rows) != seal["rows_digest"]:
                problems.append(f"Sceau {sid} : l'empreinte de ses lignes ne correspond pas.")
            listed.update({row_id: h for row_id, h in rows if wanted is None or row_id in wanted})
        expected = seal_hash(seal["previous_hash"], seal["rows_digest"], seal["first_entry_id"],
                             seal["last_entry_id"], seal["entry_count"])  # fmt: skip
        if expected != seal["hash"]:
            problems.append(f"Sceau {sid} : son empreinte ne se recalcule pas.")
        previous = seal
    proven = 0
    for row in entries:
        sealed = listed.get(row["id"])
        if sealed is None:
            if row.get("sealed"):
                problems.append(f"Ligne {row['id']} : donnée pour scellée, mais aucun sceau du "
                                "paquet ne la couvre.")  # fmt: skip
            continue
        if row_hash(row) != sealed:
            problems.append(f"Ligne {row['id']} : son contenu ne correspond pas à l'empreinte "
                            "scellée (ligne modifiée).")  # fmt: skip
        else:
            proven += 1
    return problems, proven


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage : python3 verifier_journal.py extrait.jsonl sceaux.json")
        return 2
    with open(argv[1], encoding="utf-8") as lines:
        entries = [json.loads(line) for line in lines if line.strip()]
    with open(argv[2], encoding="utf-8") as proof_file:
        proof = json.load(proof_file)
    problems, proven = check(entries, proof)
    for problem in problems:
        print("ÉCHEC :", problem)
    unsealed = sum(1 for row in entries if not row.get("sealed"))
    print(f"{proven} ligne(s) prouvée(s) par {len(proof.get('seals', []))} sceau(x) ; "
          f"{unsealed} ligne(s) pas encore scellée(s) à la date du paquet.")  # fmt: skip
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
