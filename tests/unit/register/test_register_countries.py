from rgpd_app.register import countries


def test_groupings_and_placeholders_are_not_countries():
    names = countries.names()
    for code in ("ZZ", "EU", "EZ", "UN", "QO"):
        assert code not in names
    assert names["US"] == "États-Unis" and names["FR"] == "France" and "XK" in names


def test_every_eea_and_adequacy_country_is_a_known_country():
    names = countries.names()
    assert countries.eea() <= set(names)
    assert set(countries.adequacy()) <= set(names)
