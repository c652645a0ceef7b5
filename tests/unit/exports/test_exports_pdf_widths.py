"""Column widths of the printed table (fixed layout): no word cut, the rest shared by length."""

from rgpd_app.exports.pdf import column_widths


def test_widths_add_up_to_the_page_and_give_long_texts_more_room():
    widths = column_widths(
        ["N°", "Nom", "Observations"],
        [["1", "Metz", "Un long commentaire " * 3], ["2", "Nancy", "Un autre commentaire " * 3]],
    )
    assert abs(sum(widths) - 100) < 0.1
    assert widths[0] < widths[1] < widths[2]


def test_a_column_of_dates_keeps_room_for_a_whole_date():
    widths = column_widths(["Créé le", "Texte"], [["12/01/2025", "x " * 200]])
    # 10 digits plus padding out of the 175 that fit on a line, at least
    assert widths[0] >= round(100 * 11.5 / 175, 2)


def test_no_rows_and_no_columns_are_fine():
    assert column_widths([], []) == []
    assert column_widths(["A", "B"], []) == [50.0, 50.0]
