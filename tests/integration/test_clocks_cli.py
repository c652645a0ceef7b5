"""`flask rgpd deadline`: every clock with literal dates, JSON output, refused input."""

import json

import pytest
from sqlalchemy import func, select

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import JournalEntry


def run(runner, *args):
    return runner.invoke(args=["rgpd", "deadline", *args])


def run_json(runner, *args):
    result = run(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("args", "deadline", "closes_at"),
    [
        (
            ["breach-processor", "2026-03-26T14:05"],
            "2026-03-27T14:05:00+01:00",
            "2026-03-27T14:05:00+01:00",
        ),
        (
            ["breach-authority", "2026-03-28T10:00:00+01:00"],
            "2026-03-31T11:00:00+02:00",
            "2026-03-31T11:00:00+02:00",
        ),
        (["subprocessor-objection", "2026-05-01"], "2026-05-11", "2026-05-12T00:00:00+02:00"),
        (["audit-notice", "2026-06-15"], "2026-05-15", "2026-05-16T00:00:00+02:00"),
        (["auditor-refusal", "2026-03-02"], "2026-03-17", "2026-03-18T00:00:00+01:00"),
        (["audit-observations", "2026-03-19"], "2026-04-03", "2026-04-04T00:00:00+02:00"),
        (["audit-corrective", "2025-11-30"], "2026-03-02", "2026-03-03T00:00:00+01:00"),
        (["next-audit", "2025-03-15"], "2026-03-16", "2026-03-17T00:00:00+01:00"),
        (["assistance", "2026-03-02"], "2026-03-17", "2026-03-18T00:00:00+01:00"),
        (["assistance-extended", "2026-03-02"], "2026-03-25", "2026-03-26T00:00:00+01:00"),
    ],
)
def test_each_clock_gives_its_deadline_with_literal_dates(runner, args, deadline, closes_at):
    out = run_json(runner, *args)
    assert out["clock"] == args[0]
    assert (out["deadline"], out["closes_at"]) == (deadline, closes_at)


def test_json_output_has_clock_start_calendar_steps_and_deadline(runner):
    out = run_json(runner, "subprocessor-objection", "2026-05-01")
    assert {"clock", "start", "calendar", "steps", "deadline", "closes_at", "raw_end"} <= set(out)
    assert out["start"] == "2026-05-01"
    assert out["raw_end"] == "2026-05-08"
    assert out["calendar"] == "FR"
    assert any("Fête de la Victoire" in step["text"] for step in out["steps"])


def test_objection_window_moves_past_victory_day_in_plain_text(runner):
    result = run(runner, "subprocessor-objection", "2026-05-01")
    assert result.exit_code == 0
    assert "lundi 11 mai 2026" in result.stdout
    assert "2026-05-12T00:00:00+02:00" in result.stdout
    assert "reporté au lundi 11 mai 2026" in result.stdout


def test_good_friday_moves_the_deadline_in_moselle_and_alsace_only(runner):
    assert run_json(runner, "audit-observations", "2026-03-19")["deadline"] == "2026-04-03"
    moselle = run_json(runner, "audit-observations", "2026-03-19", "--calendar", "57")
    assert moselle["deadline"] == "2026-04-07"
    assert moselle["calendar"] == "57"
    for code in ("67", "68"):
        alsace = run_json(runner, "audit-observations", "2026-03-19", "--calendar", code)
        assert (alsace["deadline"], alsace["calendar"]) == ("2026-04-07", "6AE")


def test_length_option_overrides_the_default(runner):
    out = run_json(runner, "subprocessor-objection", "2026-05-01", "--length", "3")
    assert (out["length"], out["deadline"]) == (3, "2026-05-04")
    assert "valeur prévue au contrat" in out["steps"][0]["text"]


def _journal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry))


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        (["breach-authority", "2026-03-29T02:30"], "start", "n'existe pas à Paris"),
        (["breach-authority", "2026-10-25T02:30"], "start", "ambiguë"),
        (["subprocessor-objection", "2026-02-30"], "start", "n'existe pas dans le calendrier"),
        (["subprocessor-objection", "le 1er mai"], "start", "ISO 8601"),
        (["breach-authority", "2026-03-28"], "start", "une heure est nécessaire"),
        (["objection", "2026-05-01"], "clock", "Délai inconnu"),
        (["subprocessor-objection", "2026-05-01", "--calendar", "ZZ"], "calendar", "inconnu"),
        (["subprocessor-objection", "2026-05-01", "--length", "sept"], "length", "entier"),
    ],
)
def test_bad_input_exits_non_zero_naming_the_field_and_prints_no_deadline(
    runner, args, field, words
):
    before = _journal_count()
    result = run(runner, *args)
    assert result.exit_code != 0
    assert f"{field} :" in result.stderr
    assert words in result.stderr
    assert result.stdout == ""
    assert _journal_count() == before
