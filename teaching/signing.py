"""Signed attendance (R-ORG-1): the trainer opens a session's sheet, learners sign by
scanning the rotating QR code it shows (or the trainer records them, with a reason),
the trainer closes and signs it. Every check is the rules core's (rules/proof.py);
every signature also sets the session's Attendance row, which the right to sit reads
(R-EXA-3) — one record for both.

The QR code carries a token signed with the site's key and the sheet's own secret,
naming the sheet and a time window of `qr_seconds` (the year's data) counted on the
business clock: a token is accepted during its window and the next ones within
`TOKEN_WINDOWS`, so a photo of the code sent to an absent friend is soon useless.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from parcours import clock
from rules.holidays import reunion_holidays
from rules.proof import SheetFacts, check_closure, check_opening, check_signature
from teaching.models import Attendance, AttendanceSheet, Signature, TeachingGroup
from teaching.services import _group_of, members
from timetable.models import Session
from timetable.services import LOCAL

SALT = "parcours.emargement"
TOKEN_WINDOWS = 3  # the window shown, and two more for the time to scan and send


def _refuse(reasons) -> None:
    if reasons:
        raise ValidationError([r.message for r in reasons])


def _proof(session: Session):
    return session.planning.year.regulation.attendance_proof


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, LOCAL)


def facts(session: Session, sheet: AttendanceSheet | None = None, trainer=None) -> SheetFacts:
    regulation = session.planning.year.regulation
    starts = _local(session.starts_at)
    day = starts.date()
    group = _group_of(session)
    signed = (
        frozenset(
            str(pk)
            for pk in sheet.signatures.filter(learner__isnull=False, present=True).values_list(
                "learner_id", flat=True
            )
        )
        if sheet is not None
        else frozenset()
    )
    elsewhere: tuple = ()
    if trainer is not None:
        elsewhere = tuple(
            (_local(other.starts_at), _local(other.ends_at))
            for other in Session.objects.filter(
                sheet__opened_by=trainer,
                starts_at__lt=session.ends_at,
                starts_at__gt=session.starts_at - dt.timedelta(hours=6),
            ).exclude(pk=session.pk)
        )
    return SheetFacts(
        starts_at=starts,
        ends_at=_local(session.ends_at),
        on_holiday=day in reunion_holidays({day.year}),
        in_calendar=regulation.contains(day),
        capacity=session.room.capacity if session.room_id else None,
        registered=frozenset(str(m.learner_id) for m in members(group)),
        signed=signed,
        trainer_elsewhere=elsewhere,
    )


def _locked_session(session: Session) -> Session:
    return (
        # of=self: PostgreSQL locks no row of the outer join to a room (none online).
        Session.objects.select_for_update(of=("self",))
        .select_related("planning__year", "room", "unit")
        .get(pk=session.pk)
    )


@transaction.atomic
def open_sheet(session: Session, by) -> AttendanceSheet:
    """The trainer opens the sheet during the session (R-ORG-1 checks)."""
    session = _locked_session(session)
    existing = AttendanceSheet.objects.filter(session=session).first()
    if existing is not None:
        return existing
    if session.cancelled:
        raise ValidationError("Cette séance est annulée : pas d'émargement.")
    _refuse(check_opening(facts(session, trainer=by), _proof(session), _local(clock.now())))
    return AttendanceSheet.objects.create(
        session=session, opened_at=clock.now(), opened_by=by, secret=secrets.token_hex(16)
    )


def rotating_token(sheet, salt: str, key: str, seconds: int) -> str:
    """The token a sheet's QR code shows now: the sheet's id under `key` and the current
    window of `seconds`, signed with the site's key salted with the sheet's own secret
    (reading only: GET never writes)."""
    window = int(clock.now().timestamp()) // seconds
    return signing.Signer(salt=salt + sheet.secret).sign_object({key: sheet.pk, "w": window})


def sheet_of_rotating_token(token: str, salt: str, key: str, sheets, seconds_of, expired: str):
    """The sheet of `sheets` a scanned token names, while its window is fresh, or a
    French refusal. The id is read before the signature is checked (the key depends on
    the sheet); the signature is checked right after."""
    unknown = ValidationError("Ce QR code n'est pas celui d'une feuille d'émargement.")
    try:
        payload = token.split(":")[0].encode()
        pk = int(signing.JSONSerializer().loads(signing.b64_decode(payload))[key])
    except (ValueError, TypeError, KeyError, UnicodeError, AttributeError):
        raise unknown from None
    sheet = sheets.filter(pk=pk).first()
    if sheet is None:
        raise unknown
    try:
        data = signing.Signer(salt=salt + sheet.secret).unsign_object(token)
    except signing.BadSignature:
        raise unknown from None
    age = int(clock.now().timestamp()) // seconds_of(sheet) - int(data.get("w", -(10**9)))
    if data.get(key) != sheet.pk or not 0 <= age < TOKEN_WINDOWS:
        raise ValidationError(expired)
    return sheet


def _qr_seconds(sheet: AttendanceSheet) -> int:
    return _proof(sheet.session).qr_seconds


def qr_token(sheet: AttendanceSheet) -> str:
    return rotating_token(sheet, SALT, "s", _qr_seconds(sheet))


def sheet_of_token(token: str) -> AttendanceSheet:
    """The open sheet a scanned token names, or a French refusal."""
    sheet = sheet_of_rotating_token(
        token or "",
        SALT,
        "s",
        AttendanceSheet.objects.select_related("session__planning__year", "session__unit"),
        _qr_seconds,
        "Ce QR code a expiré : scannez celui que le formateur affiche maintenant.",
    )
    if sheet.is_closed:
        raise ValidationError("La feuille de cette séance est close : voyez le formateur.")
    return sheet


def _set_attendance(session: Session, learner_id: int, present: bool, by, reason="") -> None:
    row = Attendance.objects.filter(session=session, learner_id=learner_id).first()
    if row is None:
        row = Attendance(session=session, learner_id=learner_id)
    elif row.present == present:
        return
    row.present, row.recorded_by = present, by
    if reason:
        row._change_reason = reason
    row.save()


def _elsewhere(learner_id: int, session: Session) -> tuple:
    return tuple(
        (_local(s.sheet.session.starts_at), _local(s.sheet.session.ends_at))
        for s in Signature.objects.filter(
            learner_id=learner_id,
            present=True,
            sheet__session__starts_at__lt=session.ends_at,
            sheet__session__starts_at__gt=session.starts_at - dt.timedelta(hours=6),
        )
        .exclude(sheet__session=session)
        .select_related("sheet__session")
    )


def _sign(sheet, learner_id: int, method: str, by, reason: str = "") -> Signature:
    session = _locked_session(sheet.session)
    sheet = AttendanceSheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.is_closed:
        raise ValidationError("La feuille de cette séance est close : voyez le formateur.")
    _refuse(
        check_signature(
            facts(session, sheet),
            _proof(session),
            str(learner_id),
            _local(clock.now()),
            _elsewhere(learner_id, session),
        )
    )
    signature = Signature.objects.create(
        sheet=sheet,
        learner_id=learner_id,
        method=method,
        signed_at=clock.now(),
        signed_by=by,
        reason=reason,
    )
    _set_attendance(session, learner_id, True, by)
    return signature


@transaction.atomic
def sign_by_qr(token: str, learner) -> Signature:
    """A learner signs their own presence with the code shown in the room."""
    sheet = sheet_of_token(token)
    return _sign(sheet, learner.pk, Signature.Method.QR, learner)


@transaction.atomic
def record_by_trainer(sheet: AttendanceSheet, learner_id: int, reason: str, by) -> Signature:
    """The trainer records a learner present without a phone; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Indiquez pourquoi l'apprenant ne signe pas lui-même (par exemple : pas de "
            "téléphone) : le motif est gardé avec la signature."
        )
    return _sign(sheet, learner_id, Signature.Method.TRAINER, by, reason[:300])


@transaction.atomic
def close_sheet(sheet: AttendanceSheet, by) -> AttendanceSheet:
    """The trainer signs and closes the sheet: learners who did not sign are absent;
    a late closure is kept with its reason (check_closure)."""
    session = _locked_session(sheet.session)
    sheet = AttendanceSheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.is_closed:
        raise ValidationError("Cette feuille est déjà close.")
    now = clock.now()
    sheet_facts = facts(session, sheet)
    Signature.objects.create(
        sheet=sheet, method=Signature.Method.TRAINER_CLOSING, signed_at=now, signed_by=by
    )
    # Absent: the learners expected at this session who did not sign — a learner
    # following the UE at a distance is not expected at a class meeting (R-CAL-2).
    expected = {
        str(m.learner_id)
        for m in members(_group_of(session))
        if not (m.foad and session.kind == Session.Kind.CLASS_MEETING)
    }
    for learner in sorted(expected - sheet_facts.signed, key=int):
        _set_attendance(session, int(learner), False, by)
    sheet.closed_at = now
    sheet.flags = [r.message for r in check_closure(sheet_facts, _proof(session), _local(now))]
    sheet.save()
    return sheet


@transaction.atomic
def correct_sheet(sheet: AttendanceSheet, learner_id: int, present: bool, reason: str, by):
    """A correction of a closed sheet: a new signature with its reason, never an edit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Indiquez le motif de la correction : il est gardé avec elle.")
    session = _locked_session(sheet.session)
    if str(learner_id) not in facts(session, sheet).registered:
        raise ValidationError("Cet apprenant n'est pas inscrit dans ce groupe.")
    signature = Signature.objects.create(
        sheet=sheet,
        learner_id=learner_id,
        present=present,
        method=Signature.Method.CORRECTION,
        signed_at=clock.now(),
        signed_by=by,
        reason=reason[:300],
    )
    _set_attendance(session, learner_id, present, by, reason)
    return signature


def group_of(session: Session) -> TeachingGroup:
    return _group_of(session)
