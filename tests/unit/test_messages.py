"""Messages made in French, translated where shown (rgpd_app.messages)."""

from rgpd_app.messages import N_, joined, render

ENGLISH = {
    "Le délai a expiré le %(day)s.": "The period expired on %(day)s.",
    "Au moins {min} caractères.": "At least {min} characters.",
    "Doit être {min_op} {{min}}.": "Must be {min_op} {{min}}.",
    "supérieur ou égal à": "greater than or equal to",
    "Ce champ est obligatoire.": "This field is required.",
    "clos": "closed",
}


def english(msgid: str) -> str:
    return ENGLISH.get(msgid, msgid)


def test_a_message_is_its_french_sentence_with_its_params():
    message = N_("Le délai a expiré le %(day)s.", day="09/03/2026")
    assert message == "Le délai a expiré le 09/03/2026."
    assert message.msgid == "Le délai a expiré le %(day)s."


def test_a_message_renders_in_another_language_with_the_same_params():
    message = N_("Le délai a expiré le %(day)s.", day="09/03/2026")
    assert render(message, english) == "The period expired on 09/03/2026."


def test_a_label_param_is_translated_and_user_data_is_left_alone():
    message = N_("Le délai a expiré le %(day)s.", day="clos")
    assert render(message, english) == "The period expired on closed."
    assert render(N_("Le délai a expiré le %(day)s.", day="Ville de Rennes"), english) == (
        "The period expired on Ville de Rennes."
    )


def test_marshmallow_formatting_keeps_the_msgid_even_in_two_steps():
    assert (
        render(N_("Au moins {min} caractères.").format(min=3), english) == "At least 3 characters."
    )
    twice = N_("Doit être {min_op} {{min}}.").format(min_op=N_("supérieur ou égal à"))
    twice = twice.format(min=1, max=None, input=0)
    assert twice == "Doit être supérieur ou égal à 1."
    assert render(twice, english) == "Must be greater than or equal to 1."


def test_joined_messages_are_each_translated():
    reasons = joined(" ", [N_("Ce champ est obligatoire."), N_("clos")])
    assert reasons == "Ce champ est obligatoire. clos"
    assert render(reasons, english) == "This field is required. closed"


def test_a_plain_string_is_looked_up_and_other_values_pass_through():
    assert render("Ce champ est obligatoire.", english) == "This field is required."
    assert render("Texte libre", english) == "Texte libre"
    assert render(None, english) is None
