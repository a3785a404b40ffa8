"""The back-office writes only for a role that holds the permission (ASVS 8.2.1).

Every registered admin model × every admin URL kind (list, bulk action, add, change,
delete, history, history form) × every role, by GET and POST: a role that may only view
gets a 403 on every POST (or the login page), and no row of any model changes. The
finding behind it: django-simple-history's history form saved a dossier posted by the
reception (`status=validated`), whose admin refuses every change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import serializers
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from simple_history.admin import SimpleHistoryAdmin

from accounts.roles import ROLES
from admissions import contract, services
from admissions.forms import STEP_TITLES
from admissions.models import Payment
from admissions.tests.conftest import TODAY, fill, upload_all
from catalogue.models import AcademicYear, Centre, Unit
from parcours.admin import GuardedHistoryAdmin
from timetable.models import CalendarFeed, Planning, Room, Session

ROLE_NAMES = ("anonymous", "learner", "teacher", "reception", "direction")


def registered_admins():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_every_history_admin_is_guarded():
    """A new admin on SimpleHistoryAdmin would reopen the history-form hole."""
    unguarded = [
        model._meta.label
        for model, model_admin in registered_admins()
        if isinstance(model_admin, SimpleHistoryAdmin)
        and not isinstance(model_admin, GuardedHistoryAdmin)
    ]
    assert unguarded == []


@pytest.fixture
def population(catalogue, settings, django_user_model):
    """One row at least of every model the admin shows, each with a history."""
    settings.PARCOURS_TODAY = TODAY.isoformat()
    users = {}
    for role in ROLE_NAMES[1:]:
        user = django_user_model.objects.create_user(
            email=f"{role}@example.re", password="motdepasse-solide-42"
        )
        user.groups.add(Group.objects.get(name=ROLES[role].group))
        user.is_staff = ROLES[role].is_staff
        user.save()
        users[role] = user
    learner, reception = users["learner"], users["reception"]
    year = AcademicYear.objects.get(code="2016-2017")
    dossier = fill(services.start_dossier(learner, year))
    upload_all(dossier, learner)
    dossier = services.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    services.record_payment(
        dossier,
        token=uuid.uuid4(),
        payer="learner",
        method=Payment.Method.CHEQUE,
        amount=Decimal("118.00"),
        received_on=TODAY,
        by=reception,
        cheque_number="0001234",
    )
    services.withdraw(dossier, learner)
    centre = Centre.objects.get(code="LE-PORT")
    room = Room.objects.create(centre=centre, code="S1", name="Salle 1", capacity=20)
    planning = Planning.objects.create(year=year, centre=centre)
    Session.objects.create(
        planning=planning,
        unit=Unit.objects.get(code="AST004"),
        kind=Session.Kind.choices[0][0],
        number=1,
        starts_at=dt.datetime(2016, 9, 12, 18, tzinfo=dt.UTC),
        minutes=120,
        room=room,
    )
    CalendarFeed.objects.create(learner=learner, token_hash="0" * 64)
    for model, _ in registered_admins():  # the libraries' own (lockout logs, DSFR setup)
        if not model._default_manager.exists():
            model._default_manager.create(**required_values(model))
    return users


def required_values(model) -> dict:
    values = {}
    for field in model._meta.fields:
        if field.primary_key or field.null or field.has_default() or field.blank:
            continue
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            values[field.name] = dt.datetime(2016, 9, 1, tzinfo=dt.UTC)
        elif kind == "DateField":
            values[field.name] = dt.date(2016, 9, 1)
        elif kind == "JSONField":
            values[field.name] = {}
        elif kind == "UUIDField":
            values[field.name] = uuid.uuid4()
        elif kind == "BooleanField":
            values[field.name] = False
        else:
            values[field.name] = 1 if "Integer" in kind else "x"
    return values


def snapshot() -> str:
    """Every row of every model the admin shows, and their history, as one text."""
    models = [model for model, _ in registered_admins()]
    models += [m.history.model for m in models if hasattr(m, "history")]
    models.append(apps.get_model("admin", "LogEntry"))
    return "".join(serializers.serialize("json", m._default_manager.order_by("pk")) for m in models)


def admin_urls(model, obj) -> list[tuple[str, str, dict]]:
    """(kind, url, POST data) of every admin page of one object."""
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    changed = {
        key: ("" if value is None else value)
        for key, value in model_to_dict(obj).items()
        if not isinstance(value, list | dict | FieldFile)
    }
    # A change a careless or hostile POST would make: every text field rewritten.
    for field in model._meta.fields:
        if field.get_internal_type() in {"CharField", "TextField"} and not field.choices:
            changed[field.name] = "réécrit"
        if field.get_internal_type() in {"DecimalField", "PositiveSmallIntegerField"}:
            changed[field.name] = "60"
    urls = [
        ("list", base, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}),
        ("add", f"{base}add/", changed),
        ("change", f"{base}{obj.pk}/change/", changed),
        ("delete", f"{base}{obj.pk}/delete/", {"post": "yes"}),
        ("history", f"{base}{obj.pk}/history/", {}),
    ]
    history = getattr(obj, "history", None)
    if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
        version = history.order_by("history_id").first()
        urls.append(("history form", f"{base}{obj.pk}/history/{version.history_id}/", changed))
    return urls


def may_change(user, model) -> bool:
    model_admin = admin.site._registry[model]

    class Request:
        pass

    request = Request()
    request.user = user
    return bool(
        user is not None
        and user.is_staff
        and (
            model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
            or model_admin.has_add_permission(request)
        )
    )


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_no_admin_url_writes_for_a_role_without_the_permission(client, population, role):
    user = population.get(role)
    if user is not None:
        client.force_login(user)
    refused = []
    visited = walked = 0
    for model, _ in registered_admins():
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"aucune ligne de {model._meta.label} pour le test"
        if may_change(user, model):
            continue  # the direction corrects the catalogue by design (see catalogue/admin.py)
        walked += 1
        for kind, url, data in admin_urls(model, obj):
            before = snapshot()
            get = client.get(url)
            post = client.post(url, data)
            visited += 1
            assert get.status_code < 500, (url, get.status_code)
            assert snapshot() == before, f"{role} a modifié {model._meta.label} par {kind}"
            if user is None or not user.is_staff:
                assert post.status_code == 302 and "/admin/login/" in post.url, (url, post)
            elif post.status_code != 403 and kind != "history":
                refused.append((kind, url, post.status_code))
    assert walked >= len(admin.site._registry) - 5 and visited >= 5 * walked
    # Every write refused outright (403), not silently ignored.
    assert refused == []


def test_the_reception_reads_a_dossier_history_form_without_a_form_to_submit(client, population):
    from admissions.models import Dossier

    client.force_login(population["reception"])
    dossier = Dossier.objects.get()
    version = dossier.history.order_by("history_id").first()

    page = client.get(f"/admin/admissions/dossier/{dossier.pk}/history/{version.history_id}/")

    assert page.status_code == 200
    assert b'name="status"' not in page.content
    assert b'name="_save"' not in page.content


def test_the_direction_may_still_correct_a_unit_and_it_shows_in_the_history(client, population):
    unit = Unit.objects.get(code="AST004")
    client.force_login(population["direction"])
    version = unit.history.order_by("history_id").first()
    data = {
        key: ("" if value is None else value)
        for key, value in model_to_dict(unit).items()
        if not isinstance(value, dict)
    }
    data["programmes"] = [p.pk for p in unit.programmes.all()]
    data["title"] = "Titre corrigé"

    response = client.post(f"/admin/catalogue/unit/{unit.pk}/history/{version.history_id}/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.title == "Titre corrigé"
    assert unit.history.first().history_user == population["direction"]
