"""The password policy of OWASP ASVS 5.0 V6.2: long passphrases, context and French words.

No database: passwords.problems runs zxcvbn (with wordfreq's French words) on plain values."""

from types import SimpleNamespace

import pytest

from rgpd_app.accounts import passwords, rules

MONTIGNY = SimpleNamespace(
    name="Commune de Montigny-lès-Metz",
    address="Place de la Mairie, 57950 Montigny-lès-Metz",
    departement="57",
)
CONTEXT = passwords.context("jean.dupont@montigny-les-metz.fr", "Jean Dupont", MONTIGNY)

# What municipal staff choose when told "12 characters, a digit, a symbol": a word, a year, a
# symbol; the town; the town hall; their own name. Every one of them must be refused.
WEAK = [
    "Montigny2026!",
    "Mairie57!",
    "Soleil2025#",
    "Bonjour123!",
    "Montigny2026!!",
    "MontignyLesMetz57!",
    "Montigny-les-Metz",
    "M0nt1gny2026!",
    "Montigny@2026",
    "Metz2026Metz!",
    "Mairie57950!!",
    "Mairie2026!!",
    "MairieMontigny1!",
    "Commune2026!!",
    "Rgpd2026Mairie!",
    "Motdepasse2026!",
    "Bienvenue2026!",
    "Jean.Dupont2026!",
    "JeanDupont1975#",
    "Dupont1975!!",
    "Dupont-Jean-2026",
    "J3anDup0nt!!",
    "Soleil2025#!",
    "Bonjour2026!!",
    "Printemps2026!",
    "Liberte2026!!",
    "Liberté2026!!",
    "Chocolat2024$",
    "Vacances2025!",
    "Papillon2026*",
    "Juillet2026!!",
    "Secretaire2026!",
    "Fromage2026!!",
    "Soleil-Levant-2026!",
    "Azerty123456!",
]

STRONG = [
    "Vaste-plaine-sous-la-neige-42",
    "tulipe-orage-cadran-fourmi",
    "x7#Kq9!mZ2@pLw",
    "Le chat de ma voisine mange des croissants le dimanche matin",
    "correct cheval agrafe pile batterie",
]


def test_asvs_v6_2_11_contextual_words_refused():
    assert len(WEAK) == 35
    accepted = [p for p in WEAK if not passwords.problems(p, CONTEXT)]
    assert accepted == []


def test_asvs_v6_2_11_strong_passphrases_accepted():
    long_one = (
        "Quand la brume du matin couvre les vergers de mirabelles, le vieux facteur "
        "siffle une chanson oubliée en poussant son vélo rouge sur le chemin de halage, "
        "et les hérons gris s'envolent un à un vers la Moselle."
    )
    assert len(long_one) >= 200
    for password in [*STRONG, long_one]:
        assert passwords.problems(password, CONTEXT) == [], password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Montigny2026!!", "Le mot de passe ne doit pas contenir le nom de votre commune."),
        ("Soleil2025#!", "mot français courant suivi d'une année"),
        ("Bonjour123!!!", "mot français courant suivi de chiffres"),
        ("Dupont1975!!", "Le mot de passe ne doit pas contenir votre nom."),
        ("Rgpd2026Mairie!", "il contient un mot lié à ce service"),
        ("Mairie57950!!", "il contient le code postal ou le numéro du département"),
        ("Montigny-Lès-Metz-2026", "le nom de votre commune"),
    ],
)
def test_asvs_v6_2_11_refusal_names_why_in_french(password, reason):
    assert any(reason in problem for problem in passwords.problems(password, CONTEXT))


def test_asvs_v6_2_11_organisation_words_weigh_on_the_score():
    processor = SimpleNamespace(name="Logiciels Publics", address="", departement="35")
    context = passwords.context("a.martin@logiciels.example", "Anne Martin", processor)
    problems = passwords.problems("LogicielsPublics2026!", context)
    assert any("le nom de votre organisation" in p for p in problems)


def test_asvs_v6_2_1_passphrases_up_to_1024_characters():
    words = "mirabelle héron facteur vélo halage brume verger chanson "
    assert passwords.problems((words * 20)[:1024], CONTEXT) == []
    assert passwords.problems((words * 2)[:73], CONTEXT) == []  # zxcvbn alone refuses > 72
    too_long = passwords.problems((words * 20)[:1025], CONTEXT, field="new_password")
    limit = "1\N{NO-BREAK SPACE}024"
    assert too_long == [f"Le nouveau mot de passe ne doit pas dépasser {limit} caractères."]
    assert passwords.problems("Ab3$", CONTEXT)[0].startswith("Le mot de passe doit contenir")


def test_asvs_v6_2_11_town_is_read_from_the_address_or_the_name():
    assert rules.town_of("SIVOM du Val", "2 rue Haute, 35510 Cesson-Sévigné") == "Cesson-Sévigné"
    assert rules.town_of("Commune de Montigny-lès-Metz") == "Montigny-lès-Metz"
    assert rules.town_of("Ville d'Avray") == "Avray"
    assert rules.town_of("Logiciels Publics", "") == ""


def test_asvs_v6_2_11_context_words_carry_what_they_are():
    words = rules.context_words(
        name="Jean-Pierre Le Goff",
        email="jp.legoff@cesson-sevigne.fr",
        organisation_name="Commune de Cesson-Sévigné",
        address="1 esplanade de l'Hôtel de Ville, 35510 Cesson-Sévigné",
        departement="35",
    )
    assert words["goff"] == words["jean"] == rules.NAME
    assert words["jp.legoff"] == rules.EMAIL
    assert words["cessonsevigne"] == words["sévigné"] == words["sevigne"] == rules.TOWN
    assert words["35510"] == rules.PLACE_CODE
    assert "fr" not in words and "de" not in words


def test_asvs_v6_2_11_one_or_two_words_with_a_year_and_symbols_are_decorated_words():
    known = {"soleil", "levant", "mairie", "dupont", "jean", "123456"}.__contains__
    assert rules.decorated_words("Soleil2026!", known)
    assert rules.decorated_words("SoleilLevant2026!", known)
    assert rules.decorated_words("Dup0nt-1975#", known)
    assert rules.decorated_words("Mairie123456!", known)
    assert not rules.decorated_words("Soleil83746192!", known)  # nine digits nobody guesses
    assert not rules.decorated_words("Soleil-Levant-Mairie", known)  # three words
    assert not rules.decorated_words("Soleil-Kqzw-2026", known)  # an unknown part
    assert not rules.decorated_words("20262026!", known)  # no word: zxcvbn judges


def test_a_plain_list_of_identifiers_still_refuses_the_login():
    problems = rules.password_problems("jean.dupont-2026!", score=4, user_inputs=["jean.dupont"])
    assert problems == ["Le mot de passe ne doit pas contenir votre identifiant ou votre nom."]
