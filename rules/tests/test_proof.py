"""R-ORG-1: the checks a court makes of a signed attendance sheet, one test each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rules import proof
from rules.proof import SheetFacts, check_closure, check_opening, check_signature
from rules.regulation import load_regulation

PROOF = load_regulation(
    Path(__file__).resolve().parents[2] / "data" / "years" / "2016-2017.toml"
).attendance_proof
TZ = dt.timezone(dt.timedelta(hours=4))
STARTS = dt.datetime(2016, 11, 28, 17, 0, tzinfo=TZ)
ENDS = dt.datetime(2016, 11, 28, 19, 0, tzinfo=TZ)
DURING = dt.datetime(2016, 11, 28, 17, 20, tzinfo=TZ)


def facts(**changes) -> SheetFacts:
    base = dict(
        starts_at=STARTS,
        ends_at=ENDS,
        on_holiday=False,
        in_calendar=True,
        capacity=2,
        registered=frozenset({"a", "b", "c"}),
        signed=frozenset(),
    )
    return SheetFacts(**{**base, **changes})


def messages(reasons) -> list[str]:
    assert all(r.rule_id == "R-ORG-1" for r in reasons)
    return [r.message for r in reasons]


def test_the_years_readings_are_read():
    assert (PROOF.sign_from_minutes_before, PROOF.sign_until_minutes_after) == (15, 30)
    assert PROOF.qr_seconds == 20 and PROOF.close_within_days == 2
    assert PROOF.presence_kinds == ("class_meeting", "web_conference", "chat")


def test_a_signature_inside_the_window_is_accepted_and_outside_it_refused():
    assert check_signature(facts(), PROOF, "a", DURING) == []
    early = STARTS - dt.timedelta(minutes=16)
    late = ENDS + dt.timedelta(minutes=31)
    for moment in (early, late, DURING + dt.timedelta(days=1)):
        assert messages(check_signature(facts(), PROOF, "a", moment)) == [
            "Signature hors de la séance : elle se fait de 16:45 à 19:30 le 28/11/2016."
        ]
    assert check_signature(facts(), PROOF, "a", STARTS - dt.timedelta(minutes=15)) == []


def test_a_learner_signs_once_and_only_for_their_group():
    assert messages(check_signature(facts(signed=frozenset({"a"})), PROOF, "a", DURING)) == [
        "Votre présence est déjà signée pour cette séance."
    ]
    assert messages(check_signature(facts(), PROOF, "z", DURING)) == [
        "Vous n'êtes pas inscrit(e) à cette UE dans ce groupe."
    ]


def test_no_more_signatures_than_the_room_seats():
    full = facts(signed=frozenset({"a", "b"}))
    assert "La salle compte 2 places" in messages(check_signature(full, PROOF, "c", DURING))[0]
    assert (
        check_signature(facts(capacity=None, signed=frozenset({"a", "b"})), PROOF, "c", DURING)
        == []
    )


def test_a_learner_cannot_sign_two_sessions_at_once():
    other_room = ((STARTS + dt.timedelta(minutes=30), ENDS + dt.timedelta(minutes=30)),)
    assert (
        "déjà signé une autre séance à la même heure"
        in messages(check_signature(facts(), PROOF, "a", DURING, learner_elsewhere=other_room))[0]
    )
    before = ((STARTS - dt.timedelta(hours=2), STARTS),)
    assert check_signature(facts(), PROOF, "a", DURING, learner_elsewhere=before) == []


def test_a_trainer_opens_a_sheet_only_where_and_when_they_teach():
    assert check_opening(facts(), PROOF, DURING) == []
    assert messages(check_opening(facts(on_holiday=True), PROOF, DURING)) == [
        "Cette séance tombe un jour férié : pas d'émargement."
    ]
    assert messages(check_opening(facts(in_calendar=False), PROOF, DURING)) == [
        "Cette séance est hors du calendrier de l'année : pas d'émargement."
    ]
    elsewhere = facts(trainer_elsewhere=((STARTS, ENDS),))
    assert (
        "Vous émargez déjà une autre séance à la même heure"
        in messages(check_opening(elsewhere, PROOF, DURING))[0]
    )
    assert (
        "L'émargement se fait pendant la séance"
        in messages(check_opening(facts(), PROOF, DURING + dt.timedelta(days=2)))[0]
    )


def test_a_sheet_closed_long_after_is_flagged():
    assert check_closure(facts(), PROOF, ENDS + dt.timedelta(hours=3)) == []
    assert messages(check_closure(facts(), PROOF, ENDS + dt.timedelta(days=5))) == [
        "Feuille close 5 jours après la séance (au-delà de 2) : un financeur peut la contester."
    ]


@pytest.mark.parametrize(
    ("present", "absent", "remaining", "expected"),
    [
        (2, 3, 0, "ok"),  # reached: absences no longer matter
        (0, 1, 5, "ok"),  # one absence, plenty left
        (0, 2, 5, "at_risk"),  # alert_after = 2 absences
        (1, 0, 1, "at_risk"),  # exactly enough left: one more absence loses it
        (0, 3, 1, "lost"),  # 0 + 1 < 2
        (1, 4, 0, "lost"),
    ],
)
def test_the_right_to_sit_in_view(present, absent, remaining, expected):
    """R-EXA-3: "2 présences par UE et par semestre"; alert from the 2nd absence."""
    assert proof.sitting_outlook(2, present, absent, remaining, alert_after=2) == expected
