"""The pack's large JSON files are written one item at a time, as the same bytes as the whole
list dumped at once (the pack stays deterministic)."""

from datetime import date

import pytest

from rgpd_app.evidence.contents import as_json
from rgpd_app.evidence.register_files import write_json_array

CASES = [
    [],
    [{}],
    [{"b": 1, "a": [1, {"z": None, "y": "Saint-Étienne\nligne 2"}]}, {"day": date(2026, 12, 7)}],
    [[], [[]], "texte « entre guillemets »", 3.5, True],
]


@pytest.mark.parametrize("items", CASES)
def test_the_streamed_array_is_byte_for_byte_the_dumped_list(tmp_path, items):
    path = tmp_path / "items.json"
    assert write_json_array(path, iter(items)) == len(items)
    assert path.read_bytes() == as_json(items)


def test_the_seal_proof_is_read_a_line_at_a_time_or_whole_when_laid_out_otherwise(tmp_path):
    import json

    from rgpd_app.evidence.verify import Member, _seals

    seals = [{"id": n, "hash": f"{n:064x}", "rows": [[n, "ab"]]} for n in (1, 2, 3)]
    written = tmp_path / "as-written.json"  # the layout contents._journal writes
    written.write_text(
        '{\n  "genesis": "' + "0" * 64 + '",\n  "seals": ['
        + ",".join("\n    " + json.dumps(s, sort_keys=True) for s in seals)
        + "\n  ]\n}\n"
    )  # fmt: skip
    reformatted = tmp_path / "by-hand.json"
    reformatted.write_text(json.dumps({"genesis": "0" * 64, "seals": seals}, indent=4))
    for path in (written, reformatted):
        assert list(_seals(Member(path, "", 0))) == seals
