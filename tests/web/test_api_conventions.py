"""The conventions of every /api/v1 blueprint: Link headers on lists, ETag and If-Match,
Idempotency-Key on creations, and 429 with Retry-After past a token's rate."""

import re

from sqlalchemy import func, select

from rgpd_app.api_conventions import IdempotencyKey, purge
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry
from rgpd_app.register.models import Subprocessor
from tests.api_support import problem_fields
from tests.subprocessor_support import sub_data

SUBS = "/api/v1/subprocessors"


def body(**overrides) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in sub_data(**overrides).items()}  # fmt: skip


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _links(response) -> dict[str, str]:
    return {
        rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    }


def test_a_list_links_its_pages_keeping_the_filters(api, sub_world):
    dpo = api(sub_world.dpo.user)
    for n in range(4):
        assert dpo.post(SUBS, json=body(legal_name=f"Stockage {n}")).status_code == 201
    page = dpo.get(SUBS, query_string={"q": "Stockage", "per_page": 1, "page": 2})
    assert page.json["total"] == 4 and page.json["page"] == 2
    links = _links(page)
    assert set(links) == {"first", "prev", "next", "last"}
    assert "page=1" in links["first"] and "page=1" in links["prev"]
    assert "page=3" in links["next"] and "page=4" in links["last"]
    assert all("q=Stockage" in url and "per_page=1" in url for url in links.values())
    last = dpo.get(links["last"])
    assert set(_links(last)) == {"first", "prev", "last"}
    assert dpo.get(SUBS, query_string={"per_page": 1000}).json["per_page"] == 200


def test_a_stale_if_match_is_refused_and_changes_nothing(api, sub_world):
    dpo = api(sub_world.dpo.user)
    url = f"{SUBS}/{sub_world.sub.id}"
    etag = dpo.get(url).headers["ETag"]
    assert etag and dpo.get(url).headers["ETag"] == etag  # stable while nothing changes
    changed = dpo.put(url, json=body(contact="nouveau@hebergeur.example"),
                      headers={"If-Match": etag})  # fmt: skip
    assert changed.status_code == 200
    stale = dpo.put(url, json=body(contact="perdu@hebergeur.example"), headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert stale.json["code"] == "precondition_failed"
    assert dpo.get(url).json["contact"] == "nouveau@hebergeur.example"
    fresh = dpo.get(url).headers["ETag"]
    assert fresh != etag
    assert dpo.put(url, json=body(contact="ok@hebergeur.example"),
                   headers={"If-Match": fresh}).status_code == 200  # fmt: skip
    assert dpo.put(url, json=body(contact="any@hebergeur.example"),
                   headers={"If-Match": "*"}).status_code == 200  # fmt: skip


def test_the_same_key_and_body_answers_the_first_creation_once(api, sub_world, clock):
    dpo = api(sub_world.dpo.user)
    before, journal_before = _count(Subprocessor), _count(JournalEntry)
    key = {"Idempotency-Key": "creation-42"}
    first = dpo.post(SUBS, json=body(legal_name="Sauvegardes SA"), headers=key)
    again = dpo.post(SUBS, json=body(legal_name="Sauvegardes SA"), headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(Subprocessor) == before + 1
    created_entries = _count(JournalEntry) - journal_before
    other = dpo.post(SUBS, json=body(legal_name="Autre SA"), headers=key)
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    assert _count(Subprocessor) == before + 1
    assert _count(JournalEntry) - journal_before == created_entries  # nothing journaled twice
    # the same user with another token: the key is the user's, still the same creation
    assert (
        api(sub_world.dpo.user).post(SUBS, json=body(legal_name="Sauvegardes SA"), headers=key).json
        == first.json
    )
    # after 24 hours the key is forgotten (and purged by the worker)
    clock.advance(hours=25)
    assert purge(clock()) == 1 and _count(IdempotencyKey) == 0
    later = dpo.post(SUBS, json=body(legal_name="Sauvegardes Nord SA"), headers=key)
    assert later.status_code == 201 and later.json["id"] != first.json["id"]


def test_a_refused_creation_leaves_its_key_free(api, sub_world):
    dpo = api(sub_world.dpo.user)
    key = {"Idempotency-Key": "retry-me"}
    refused = dpo.post(SUBS, json={"legal_name": "Sans adresse", "country": "FR"}, headers=key)
    assert refused.status_code == 400 and "address" in problem_fields(refused.json)
    assert _count(IdempotencyKey) == 0
    fixed = dpo.post(SUBS, json=body(legal_name="Avec adresse"), headers=key)
    assert fixed.status_code == 201
    too_long = dpo.post(SUBS, json=body(), headers={"Idempotency-Key": "x" * 201})
    assert too_long.status_code == 400 and "Idempotency-Key" in problem_fields(too_long.json)


def test_past_its_rate_a_token_gets_429_with_retry_after(app, tmp_path, api, sub_world):
    from rgpd_app import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_API": "3 per minute",
                          "INSTANCE_PATH": str(tmp_path / "limited")})  # fmt: skip
    headers = api(sub_world.dpo.user).headers
    client = limited.test_client()
    answers = [client.get(SUBS, headers=headers) for _ in range(4)]
    with limited.app_context():
        db.engine.dispose()
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json" and refused.json["status"] == 429
    assert int(refused.headers["Retry-After"]) > 0
