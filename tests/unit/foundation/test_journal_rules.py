from rgpd_app.journal import rules

ROW = {
    "id": 1,
    "at": "2026-03-02T09:00:00+00:00",
    "user_id": 3,
    "user_email": "a@b.fr",
    "organisation_id": 2,
    "action": "login.success",
    "object_type": "",
    "object_id": "",
    "ip": "127.0.0.1",
    "user_agent": "ua",
    "details": "{}",
}


def test_any_field_change_changes_the_row_hash():
    base = rules.row_hash(ROW)
    for key in ROW:
        changed = dict(ROW, **{key: "x" if not isinstance(ROW[key], int) else 99})
        assert rules.row_hash(changed) != base, key


def test_digest_depends_on_order_and_count():
    a, b = rules.row_hash(ROW), rules.row_hash(dict(ROW, id=2))
    assert rules.rows_digest([a, b]) != rules.rows_digest([b, a])
    assert rules.rows_digest([a])[1] == 1


def test_seal_hash_binds_the_previous_seal():
    digest, count = rules.rows_digest([rules.row_hash(ROW)])
    first = rules.seal_hash(rules.GENESIS, digest, 1, 1, count)
    assert rules.seal_hash("f" * 64, digest, 1, 1, count) != first
    assert len(first) == 64
