"""Every list sorts by its columns through links that keep its filters; a forged sort falls
back to the list's default order instead of failing."""

import re

import pytest

LISTS = [
    ("processor_dpo", "/register/", "name"),
    ("processor_dpo", "/audits/", "organisation"),
    ("security_officer", "/breaches/", "aware"),
    ("processor_dpo", "/instructions/", "subject"),
    ("processor_dpo", "/requests/", "kind"),
    ("support", "/deposits/", "file"),
    ("admin", "/users/", "name"),
]


@pytest.mark.parametrize(("role", "path", "key"), LISTS)
def test_a_list_sorts_both_ways_and_refuses_no_forged_sort(client, login_as, role, path, key):
    login_as(role)
    ascending = client.get(path, query_string={"sort": key, "q": "x"})
    body = ascending.get_data(as_text=True)
    assert ascending.status_code == 200 and 'aria-sort="ascending"' in body
    link = re.search(rf'<a class="sort" href="([^"]*sort=-{key}[^"]*)"', body)
    assert link is not None and "q=x" in link.group(1)  # reverses, keeps the search
    descending = client.get(link.group(1).replace("&amp;", "&"))
    assert 'aria-sort="descending"' in descending.get_data(as_text=True)
    assert client.get(path, query_string={"sort": "-password_hash"}).status_code == 200


def test_the_accounts_list_follows_the_chosen_order(client, login_as, make_user):
    for name in ("Bernard", "Alice", "Chloé"):
        make_user("support", email=f"{name.lower()}@example.org").name = name
    from rgpd_app.extensions import db

    db.session.commit()
    login_as("admin")
    body = client.get("/users/?sort=-name&q=example.org").get_data(as_text=True)
    shown = [n for n in re.findall(r"<td>(Alice|Bernard|Chloé)</td>", body)]
    assert shown == ["Chloé", "Bernard", "Alice"]
