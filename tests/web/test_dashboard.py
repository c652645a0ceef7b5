from datetime import timedelta


def test_dashboard_shows_roles_and_the_nearest_echeances(client, login_as, make_org, clock):
    town = make_org("Commune de Sarreguemines", departement="57",
                    contract_end_on=clock().date() + timedelta(days=40))
    other = make_org("Commune voisine", contract_end_on=clock().date() + timedelta(days=20))
    login_as("controller_dpo", town)
    body = client.get("/dashboard").get_data(as_text=True)
    assert "DPO de la collectivité" in body
    assert "Échéances les plus proches" in body and "Commune de Sarreguemines" in body
    assert other.name not in body


def test_dashboard_without_echeances_says_so(client, login_as):
    login_as("support")
    body = client.get("/dashboard").get_data(as_text=True)
    assert "Aucune échéance en cours ne vous concerne." in body and "Agent support" in body
