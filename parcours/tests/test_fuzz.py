# ruff: noqa: F811 (pytest fixtures imported from the assessment tests, then used by name)
"""No request ends in a server error (issue: "No request ends in a server error").

Every page of the site, public and staff, is opened as the role it is for with query
strings made by hypothesis: every GET parameter a view or a GET form reads, with
values an attacker or a careless user would type (9999-12-31, NaN, full-width digits,
NUL, 10 000 characters…). Then every form found on those pages is posted with fuzzed
values. Nothing may answer 500, and GET writes nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from admissions import contract
from admissions import services as admissions
from admissions.forms import STEP_TITLES
from admissions.tests.conftest import fill, make_user, upload_all
from assessment.models import ExamSession
from assessment.tests.conftest import (  # noqa: F401
    END_OF_S1,
    ast004,
    business_date,
    cached_solver,
    cohort,
    direction,
    draft_planning,
    le_port,
    learner,
    other_learner,
    planning,
    reception,
    s1,
    sessions,
    teacher,
    year,
)
from parcours.tests.test_access_rules import walk

NASTY = [
    "9999-12-31",
    "0001-01-01",
    "2016-02-30",
    "NaN",
    "sNaN",
    "-Infinity",
    "1e309",
    "-1",
    "0",
    "99999999999999999999999",
    "１２",
    "\u202eexe.pdf",
    "\x00",
    "a\x00b",
    "'; DROP TABLE x; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "a" * 10_000,
    "",
    " ",
    "mois",
    "semaine",
    "2016-2017",
    "CPN42",
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))


READS_PARAMETER = re.compile(r"(?:request\.GET|params)\.get\(\s*\"(\w+)\"")


def get_parameters() -> set[str]:
    """Every query-string parameter the views read: request.GET.get("…") and the
    fields of the forms bound to request.GET."""
    names: set[str] = set()
    for app in apps.get_app_configs():
        views = Path(app.path) / "views.py"
        if not views.is_relative_to(settings.BASE_DIR) or not views.exists():
            continue
        source = views.read_text()
        others = sorted(Path(app.path).glob("*_views.py"))  # teaching/proof_views.py…
        for module_file in (views, Path(app.path) / "presenters.py", *others):
            if module_file.exists():
                names |= set(
                    re.findall(
                        r"(?:request\.GET|params)\.get\(\s*\"(\w+)\"", module_file.read_text()
                    )
                )
        module = __import__(f"{app.name}.views", fromlist=["*"])
        for form_name in re.findall(r"(\w+Form)\(request\.GET", source):
            form = getattr(module, form_name, None) or getattr(module.forms, form_name)
            names |= set(form.base_fields)
    return names


def test_the_parameter_list_is_found_in_the_views():
    names = get_parameters()
    assert {"vue", "date", "annee", "q", "ue"} <= names, names


# --- the site, populated ------------------------------------------------------------------


@pytest.fixture
def site(cohort, teacher, s1, year, le_port, reception, direction, django_user_model, settings):
    """Every kind of object a page shows: a published planning, a cohort with
    attendance, its teacher, exam sessions with convocations, a deposited dossier."""
    from assessment import services as assessment
    from awards.services import issue_transcript

    learner, _ = cohort
    assessment.issue_convocations(s1)
    applicant = make_user(django_user_model, "candidate@example.re", "learner")
    settings.PARCOURS_TODAY = "2016-09-01"  # registrations open
    dossier = fill(admissions.start_dossier(applicant, year))
    upload_all(dossier, applicant)
    admissions.deposit(dossier, STEP_TITLES, contract.digest(dossier))
    settings.PARCOURS_TODAY = END_OF_S1.isoformat()
    with contextlib.suppress(Exception):  # nothing earned yet: no transcript
        issue_transcript(learner, by=reception)
    return {
        "anonymous": None,
        "learner": learner,
        "applicant": applicant,
        "teacher": teacher,
        "staff": reception,
        "direction": direction,
    }


def candidates(site) -> dict[str, list]:
    """Values for each URL keyword, taken from the populated site."""
    from admissions.models import Dossier, DossierFile, DossierItem
    from awards.models import Credit, Evidence, IssuedDocument
    from teaching.models import TeachingGroup
    from timetable.models import Planning, Session

    dossiers = list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    first_session = Session.objects.order_by("starts_at").values_list("pk", flat=True).first()
    return {
        "code": ["CPN42", "AST004", "CP29"],
        "year": ["2016-2017"],
        "pk": [
            *dossiers,
            *Planning.objects.values_list("pk", flat=True),
            *TeachingGroup.objects.values_list("pk", flat=True)[:3],
            *ExamSession.objects.values_list("pk", flat=True)[:2],
            first_session,
            site["learner"].pk,
            site["applicant"].pk,
            *IssuedDocument.objects.values_list("pk", flat=True)[:1],
            *Evidence.objects.values_list("pk", flat=True)[:1],
        ],
        "slug": ["identite"],
        "file_pk": list(DossierFile.objects.values_list("pk", flat=True)[:1]),
        "item_pk": list(DossierItem.objects.values_list("pk", flat=True)[:1]),
        "credit_pk": list(Credit.objects.values_list("pk", flat=True)[:1]),
        "dossier_pk": dossiers,
        "centre": ["le-port", "LE-PORT"],
        "unit": ["ast004", "AST004"],
        "fmt": ["csv", "xlsx"],
        "token": ["jeton-inconnu"],
        "uidb64": ["MQ"],
    }


def route_urls(route: str, values: dict[str, list]) -> list[str]:
    """Every URL of a route pattern filled with the candidate values (a few at most)."""
    keywords = re.findall(r"<(?:\w+:)?(\w+)>", route)
    pools = [values.get(keyword, ["1"]) or ["0"] for keyword in keywords]
    urls = []
    for combination in itertools.islice(itertools.product(*pools), 40):
        url = route
        for keyword, value in zip(keywords, combination, strict=True):
            url = re.sub(rf"<(?:\w+:)?{keyword}>", str(value), url, count=1)
        urls.append("/" + url)
    return urls


def pages(client, site) -> list[tuple[str, str]]:
    """(role, URL) of every GET route, each with the first URL that opens (200) for the
    role the route is for (applicant's dossier pages as the applicant)."""
    values = candidates(site)
    found = []
    for namespace, route, view in walk(get_resolver().url_patterns):
        if namespace == "admin":
            continue
        rule = getattr(view, "access_rule", None) or getattr(
            getattr(view, "view_class", None), "access_rule", "anonymous"
        )
        roles = ["applicant", "learner"] if rule == "learner" else [rule]
        for role, url in itertools.product(roles, route_urls(route, values)):
            sign_in(client, site[role])
            if client.get(url).status_code == 200:
                found.append((role, url))
                break
    return found


def sign_in(client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


class FormFields(HTMLParser):
    """The forms of a page: action, method and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "action": attributes.get("action") or "",
                    "method": (attributes.get("method") or "get").lower(),
                    "fields": set(),
                }
            )
        elif (
            tag in {"input", "select", "textarea"}
            and self.forms
            and attributes.get("name")
            and attributes.get("type") not in {"file", "submit"}
        ):
            self.forms[-1]["fields"].add(attributes["name"])


def rows_written() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        total = 0
        for table in connection.introspection.table_names():
            if table.startswith(("django_session", "axes_")):
                continue
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 — our own tables
            total += cursor.fetchone()[0]
        return total


@pytest.mark.django_db
def test_no_page_answers_500_to_any_query_string(client, site):
    names = sorted(get_parameters())
    found = pages(client, site)
    assert len(found) >= 45, found
    rows = rows_written()

    @hypothesis_settings(
        max_examples=len(found) * 6,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(
        page=st.sampled_from(found),
        query=st.dictionaries(st.sampled_from(names), values, max_size=4),
    )
    def check(page, query):
        role, url = page
        sign_in(client, site[role])
        response = client.get(url, query)
        assert response.status_code < 500, (role, url, query)

    check()
    assert rows_written() == rows, "une requête GET a écrit en base"


@pytest.mark.django_db
def test_no_form_answers_500_to_fuzzed_values(client, site):
    found = pages(client, site)
    forms = []
    for role, url in found:
        sign_in(client, site[role])
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        parser = FormFields()
        parser.feed(response.content.decode())
        for form in parser.forms:
            if form["method"] == "post" and form["fields"] - {"csrfmiddlewaretoken"}:
                action = form["action"] or url
                if action.startswith("/"):
                    forms.append((role, action, sorted(form["fields"])))
    forms = sorted(set((r, a, tuple(f)) for r, a, f in forms))
    assert len(forms) >= 15, forms

    @hypothesis_settings(
        max_examples=len(forms) * 5,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(form=st.sampled_from(forms), data=st.data())
    def check(form, data):
        role, action, fields = form
        posted = {
            name: data.draw(values, label=name) for name in fields if name != "csrfmiddlewaretoken"
        }
        sign_in(client, site[role])
        response = client.post(action, posted)
        assert response.status_code < 500, (role, action, posted)

    check()


PATH_VALUES = ["99999999999999999999999", "0", "CP\x00", "..", "%2e%2e", "ÉÉ", "a" * 300]


@pytest.mark.django_db
def test_no_route_answers_500_to_odd_path_values(client, site):
    """Each keyword of each route, as each role, given values no link would hold."""
    failures = []
    for namespace, route, _ in walk(get_resolver().url_patterns):
        if namespace == "admin" or "<" not in route:
            continue
        for value, role in itertools.product(PATH_VALUES, ["anonymous", "learner", "staff"]):
            url = "/" + re.sub(r"<(?:\w+:)?\w+>", value, route)
            sign_in(client, site[role])
            status = client.get(url).status_code
            if status >= 500:
                failures.append((role, url, status))
    assert failures == []
