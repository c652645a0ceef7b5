"""Catalogue rules of the sub-processors (annex 4.2 and 4.4). Pure: lists come as parameters."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from rgpd_app.messages import N_

ADEQUACY = "adequacy"  # the register's safeguard code for an art. 45 adequacy decision


def outside_eea(country: str, processing_countries: Iterable[str], eea: Collection[str]) -> bool:
    """True when the seat or any place of processing is outside the EU/EEA (annex 4.2)."""
    return any(code not in eea for code in [country, *processing_countries])


def countries_outside(
    country: str, processing_countries: Iterable[str], eea: Collection[str]
) -> list[str]:
    """The codes outside the EU/EEA, each once, in the order given."""
    return list(dict.fromkeys(c for c in [country, *processing_countries] if c not in eea))


def catalogue_errors(
    data: Mapping,
    *,
    known_countries: Collection[str],
    eea: Collection[str],
    adequacy: Mapping[str, str],
    activities: Collection[str],
    mechanisms: Collection[str],
) -> dict[str, list[str]]:
    """Every refusal of a catalogue entry at once, by field, in French (annex 4.2, 4.4)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    country = data.get("country", "")
    places = list(data.get("processing_countries") or [])
    if country not in known_countries:
        add(
            "country",
            N_(
                "Pays inconnu : « %(country)s » (code ISO à deux lettres attendu).", country=country
            ),
        )
    for code in places:
        if code not in known_countries:
            add("processing_countries", N_("Pays inconnu : « %(code)s ».", code=code))
    for code in data.get("activities") or []:
        if code not in activities:
            add("activities", N_("Activité inconnue : « %(code)s ».", code=code))
    start, end = data.get("contract_start_on"), data.get("contract_end_on")
    if start and end and end < start:
        add("contract_end_on", N_("La fin du contrat précède son début."))
    if data.get("dpa_valid_until_on") and not data.get("dpa_reference"):
        add("dpa_reference", N_("Indiquez la référence de l'accord de traitement des données."))
    mechanism = data.get("transfer_mechanism") or ""
    outside = countries_outside(country, places, eea)
    if outside and not errors.get("country") and not errors.get("processing_countries"):
        if not mechanism:
            add(
                "transfer_mechanism",
                N_(
                    "Données traitées hors UE/EEE (%(countries)s) : indiquez le mécanisme de "
                    "transfert (annexe 4.2).",
                    countries=", ".join(outside),
                ),
            )
        elif mechanism not in mechanisms:
            add(
                "transfer_mechanism",
                N_("Mécanisme de transfert inconnu : « %(mechanism)s ».", mechanism=mechanism),
            )
        elif mechanism == ADEQUACY:
            lacking = [c for c in outside if c not in adequacy]
            if lacking:
                add(
                    "transfer_mechanism",
                    N_(
                        "Pas de décision d'adéquation pour : %(countries)s.",
                        countries=", ".join(lacking),
                    ),
                )
            partial = [c for c in outside if adequacy.get(c)]
            if partial and not (data.get("transfer_documentation") or "").strip():
                add(
                    "transfer_documentation",
                    N_(
                        "L'adéquation ne couvre qu'une partie des destinataires (%(countries)s) : "
                        "justifiez que ce sous-traitant est couvert.",
                        countries="; ".join(f"{c} : {adequacy[c]}" for c in partial),
                    ),
                )
    return errors


def creates_cycle(edges: Iterable[tuple[int, int]], parent: int, child: int) -> bool:
    """True when linking parent → child closes a loop (the child already reaches the parent)."""
    if parent == child:
        return True
    following: dict[int, list[int]] = {}
    for a, b in edges:
        following.setdefault(a, []).append(b)
    seen, stack = set(), [child]
    while stack:
        node = stack.pop()
        if node == parent:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(following.get(node, ()))
    return False


@dataclass(frozen=True)
class ChainLink:
    """One sub-processor in a chain, at `depth` (1 = relied on directly by the root)."""

    depth: int
    subprocessor_id: int
    parent_id: int


def chain_below(root: int, edges: Iterable[tuple[int, int]]) -> list[ChainLink]:
    """Every further sub-processor under `root`, depth first, down to the last known level."""
    following: dict[int, list[int]] = {}
    for a, b in edges:
        following.setdefault(a, []).append(b)
    links: list[ChainLink] = []

    def walk(node: int, depth: int, path: frozenset[int]) -> None:
        for nxt in following.get(node, ()):
            if nxt in path:  # refused on write; never loop on a bad row
                continue
            links.append(ChainLink(depth, nxt, node))
            walk(nxt, depth + 1, path | {nxt})

    walk(root, 1, frozenset({root}))
    return links
