"""Several processes, one database (issue 15, item 7): N simulated users at once against
gunicorn with several workers on PostgreSQL, over the loopback.

    .venv/bin/python bench/load.py                       # 10, 50 and 200 users
    .venv/bin/python bench/load.py --users 50 --seconds 60

What it does, in one run:

1. makes a fresh PostgreSQL database (DATABASE_URL's name, `parcours_load` by default:
   dropped and created again) and sets it up as `make setup` does, on the business
   day 2017-02-13 (the end of semester 1: sessions held, exam session 1 convoked);
2. adds the bench's actors: learners with a validated dossier at Le Port, teachers of
   every Le Port group, reception accounts; signs each in once (its session cookie is
   made in advance: sign-in hashing is deliberately slow and is not what is measured);
3. starts the production profile (gunicorn, `gunicorn.conf.py`, DEBUG=0, plus the task
   worker) on 127.0.0.1:PORT;
4. for each level N: first the floor — the same N users, same pace, fetching a static
   file (what gunicorn, WhiteNoise and the client cost with no page made) — then the
   pass: anonymous catalogue readers, learners on their space, teachers saving
   attendance sheets and marks, reception recording payments (a tenth of them sent
   twice, as a double click does);
5. checks every write afterwards: each payment the server accepted is there exactly
   once (its form token), none it refused is; each attendance sheet and mark holds the
   last value the server accepted for it. Each sheet and mark belongs to one simulated
   user, so "the last accepted" is well defined.

Each user waits `--think` seconds (±50 %) between two actions, as a person does. It
prints requests per second, p50/p95/p99 latency for pages and PDFs apart, errors by
kind, the floor's figures beside, and the check's counts. Nothing is asserted: the
figures go to docs/benchmarks.md. The client shares the machine with the server (two
cores here): its own cost is in the floor.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = str(REPO / ".venv" / "bin" / "python")
GUNICORN = str(REPO / ".venv" / "bin" / "gunicorn")
TODAY = "2017-02-13"
YEAR = "2016-2017"
CENTRE = "LE-PORT"
PUBLIC_PAGES = ["/", "/formations/CPN42/", "/formations/CP29/", "/calendrier/", "/tarifs/"]
LEARNER_PAGES = ["/espace/", "/espace/planning/", "/espace/presences/", "/espace/examens/"]
LEARNER_PDF_SHARE = 0.05  # a learner now and then downloads a convocation
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DIGITS = re.compile(r"(?<=/)\d+(?=[/.])")  # ids in paths, not CP29's digits
TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')


# --- the database and the server --------------------------------------------------------


def database_env(url: str) -> dict:
    return {
        **os.environ,
        # One key for the server and this process, which makes the users' sessions.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or uuid.uuid4().hex * 2,
        "DATABASE_URL": url,
        "PARCOURS_TODAY": TODAY,
        "PARCOURS_DATA_DIR": str(REPO / "data"),
        "DJANGO_SETTINGS_MODULE": "parcours.settings",
    }


def fresh_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
    )


def set_up(env: dict) -> None:
    manage(env, "migrate", "--noinput")
    manage(env, "load_catalogue", "data")
    manage(env, "load_demo_accounts")
    manage(env, "generate_planning", "--year", YEAR, "--publish", "--if-missing")
    manage(env, "load_demo_teaching", "--year", YEAR)
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")


@dataclass
class Actors:
    learners: list[dict]
    teachers: list[dict]
    receptions: list[dict]
    static_path: str


def add_actors(learners: int, teachers: int, receptions: int) -> Actors:
    """In this process, through the ORM and the services: the bench's people."""
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per session made
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.test import Client

    from accounts.roles import ROLES
    from admissions.models import Dossier, DossierUnit
    from admissions.services import semester_of
    from assessment import services as exams
    from assessment.models import Convocation, ExamSession
    from catalogue.models import AcademicYear, Centre, Programme
    from teaching import services as teaching
    from teaching.models import TeachingGroup
    from timetable.services import LOCAL

    user_model = get_user_model()
    year = AcademicYear.objects.get(code=YEAR)
    semesters = [s.code for s in year.regulation.semesters]
    centre = Centre.objects.get(code=CENTRE)
    programme = Programme.objects.get(code="CP29")
    end = dt.datetime.combine(dt.date.fromisoformat(TODAY), dt.time.min, LOCAL)
    groups = [
        g
        for g in TeachingGroup.objects.filter(year=year, centre=centre, unit__programmes=programme)
        .select_related("unit")
        .order_by("unit__code")
        if teaching.group_sessions(g).filter(starts_at__lt=end).count() >= 3
    ][:3]
    if not groups:
        raise SystemExit("Aucun groupe de CP29 au Port avec des séances tenues : données ?")

    def person(email: str, role: str):
        user = user_model.objects.create_user(email=email, password=uuid.uuid4().hex)
        user.groups.add(Group.objects.get(name=ROLES[role].group))
        return user

    def cookie(user) -> str:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    held = {
        g.pk: list(teaching.group_sessions(g).filter(starts_at__lt=end).order_by("starts_at"))
        for g in groups
    }
    reception = person("accueil-charge@bench.parcours.re", "reception")
    learner_rows, dossiers = [], []
    for n in range(learners):
        user = person(f"apprenant-{n:03d}@bench.parcours.re", "learner")
        dossier = Dossier.objects.create(
            learner=user,
            year=year,
            centre=centre,
            programme=programme,
            status=Dossier.Status.VALIDATED,
            first_name="Apprenant",
            last_name=f"Charge {n:03d}",
        )
        for g in groups:
            DossierUnit.objects.create(
                dossier=dossier, unit=g.unit, semester=semester_of(g.unit, semesters)
            )
        dossiers.append(dossier)
        learner_rows.append({"id": user.pk, "cookie": cookie(user), "dossier": dossier.pk})
    # Two attendances in the first UE's first sessions: the right to sit its exam (R-EXA-3).
    first = groups[0]
    everyone = {row["id"] for row in learner_rows}
    for session in held[first.pk][:2]:
        teaching.record_attendance(session, everyone, reception)
    s1 = ExamSession.objects.get(year=year, number=1, semester="S1")
    exams.issue_convocations(s1, [first.unit_id])
    convoked = sorted(
        Convocation.objects.filter(session=s1, unit=first.unit).values_list("learner_id", flat=True)
    )
    teacher_users = [
        person(f"enseignant-{n:02d}@bench.parcours.re", "teacher") for n in range(teachers)
    ]
    for g in TeachingGroup.objects.filter(year=year, centre=centre):
        g.teachers.add(*teacher_users)
    # Ownership, so that the last accepted write of each thing is well defined: the
    # sheets of the later held sessions, and the convoked learners' marks, dealt out.
    sheets = [s.pk for g in groups for s in held[g.pk][2:]]
    teacher_rows = []
    for n, user in enumerate(teacher_users):
        teacher_rows.append(
            {
                "id": user.pk,
                "cookie": cookie(user),
                "sheets": sheets[n::teachers],
                "marks": convoked[n::teachers],
                "exam": f"/examens/{s1.pk}/ue/{first.unit.code}/notes/",
            }
        )
    members = {s: sorted(everyone) for s in sheets}
    for row in teacher_rows:
        row["members"] = {s: members[s] for s in row["sheets"]}
    reception_rows = [
        {"id": u.pk, "cookie": cookie(u), "dossiers": [d.pk for d in dossiers][n::receptions]}
        for n, u in enumerate(
            person(f"accueil-{n:02d}@bench.parcours.re", "reception") for n in range(receptions)
        )
    ]
    return Actors(
        learner_rows, teacher_rows, reception_rows, staticfiles_storage.url("parcours/parcours.css")
    )


def start_server(env: dict, port: int, web_workers: int) -> list[subprocess.Popen]:
    serve_env = {
        **env,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "GUNICORN_WORKERS": str(web_workers),
    }
    log = open(REPO / "var" / "load-server.log", "w")  # noqa: SIM115 (closed with the process)
    web = subprocess.Popen(
        [
            GUNICORN,
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(web_workers),
        ],
        cwd=REPO,
        env=serve_env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "worker", "--no-startup-delay"],
        cwd=REPO,
        env=serve_env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/sante/")
            if connection.getresponse().status in (200, 503):
                return [web, worker]
        except OSError:
            time.sleep(0.5)
    stop([web, worker])
    raise SystemExit("Le serveur ne répond pas : voir var/load-server.log")


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


# --- the simulated users -----------------------------------------------------------------


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_path: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    # what the server accepted (and refused), to check afterwards
    payments_accepted: set[str] = field(default_factory=set)
    payments_uncertain: set[str] = field(default_factory=set)
    payments_posted: set[str] = field(default_factory=set)
    sheets: dict[int, tuple[int, ...]] = field(default_factory=dict)
    marks: dict[int, str] = field(default_factory=dict)
    uncertain_sheets: set[int] = field(default_factory=set)
    uncertain_marks: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class User:
    def __init__(self, port: int, cookie: str | None, tally: Tally, seed: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {"sessionid": cookie} if cookie else {}
        self.tally = tally
        self.random = random.Random(seed)

    def request(
        self, method: str, path: str, form: dict | list | None = None, kind: str = "page"
    ) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.connection.port}{path}"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            with self.tally.lock:
                self.tally.errors[f"{type(error).__name__} ({kind})"] += 1
            return 0, ""
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        with self.tally.lock:
            self.tally.latencies[kind].append(elapsed)
            self.tally.by_path[f"{method} {DIGITS.sub('N', path)}"].append(elapsed)
            if response.status >= 400 or (method == "GET" and response.status >= 300):
                self.tally.errors[f"HTTP {response.status} ({kind})"] += 1
        return response.status, content.decode("utf-8", "replace")

    def csrf(self, page: str) -> str:
        found = CSRF.search(page)
        return found.group(1) if found else ""


def anonymous(user: User, actor, static_path) -> None:
    user.request("GET", user.random.choice(PUBLIC_PAGES))


def floor(user: User, actor, static_path) -> None:
    user.request("GET", static_path, kind="floor")


def learner(user: User, actor, static_path) -> None:
    if user.random.random() < LEARNER_PDF_SHARE:
        _, page = user.request("GET", "/espace/examens/")
        links = re.findall(r'href="(/espace/examens/\d+/convocation\.pdf)"', page)
        if links:
            user.request("GET", links[0], kind="pdf")
        return
    user.request("GET", user.random.choice(LEARNER_PAGES))


def teacher(user: User, actor, static_path) -> None:
    tally = user.tally
    if actor["marks"] and user.random.random() < 0.4:
        status, page = user.request("GET", actor["exam"])
        if status != 200:
            return
        form = {"csrfmiddlewaretoken": user.csrf(page), "reason": "Relecture"}
        values = {}
        for learner_id in actor["marks"]:
            version = re.search(rf'name="l{learner_id}-version" value="(\d+)"', page)
            value = f"{user.random.randint(0, 40) / 2:.1f}".replace(".", ",")
            form.update(
                {
                    f"l{learner_id}-value": value,
                    f"l{learner_id}-absence": "",
                    f"l{learner_id}-version": version.group(1) if version else "0",
                }
            )
            values[learner_id] = value
        status, _ = user.request("POST", actor["exam"], form)
        with tally.lock:
            for learner_id, value in values.items():
                if status == 302:
                    tally.marks[learner_id] = value
                    tally.uncertain_marks.discard(learner_id)
                elif status == 0 or status >= 500:
                    tally.uncertain_marks.add(learner_id)
        return
    if not actor["sheets"]:
        return
    session = user.random.choice(actor["sheets"])
    path = f"/enseignement/seances/{session}/emargement/"
    status, page = user.request("GET", path)
    if status != 200:
        return
    members = actor["members"][session]
    present = tuple(sorted(m for m in members if user.random.random() < 0.8))
    status, _ = user.request(
        "POST", path, {"csrfmiddlewaretoken": user.csrf(page), "present": list(present)}
    )
    with tally.lock:
        if status == 302:
            tally.sheets[session] = present
            tally.uncertain_sheets.discard(session)
        elif status == 0 or status >= 500:
            tally.uncertain_sheets.add(session)


def reception(user: User, actor, static_path) -> None:
    tally = user.tally
    if user.random.random() < 0.3:
        user.request("GET", "/accueil/dossiers/")
        return
    dossier = user.random.choice(actor["dossiers"])
    path = f"/accueil/dossiers/{dossier}/"
    status, page = user.request("GET", path)
    token = TOKEN.search(page)
    if status != 200 or not token:
        return
    reference = f"CHARGE-{uuid.uuid4().hex[:12]}"
    form = {
        "csrfmiddlewaretoken": user.csrf(page),
        "token": token.group(1),
        "payer": "learner",
        "method": "transfer",
        "amount": "1,00",
        "cheque_number": "",
        "reference": reference,
        "received_on": TODAY,
    }
    sends = 2 if user.random.random() < 0.1 else 1  # a double click: the same form twice
    with tally.lock:
        tally.payments_posted.add(reference)
    for _ in range(sends):
        status, _ = user.request("POST", f"/accueil/dossiers/{dossier}/paiements/", form)
        with tally.lock:
            if status == 302:
                tally.payments_accepted.add(reference)
            elif status == 0 or status >= 500:
                tally.payments_uncertain.add(reference)


def run_level(
    port, actors: Actors, users: int, seconds: float, think: float, tally: Tally, floor_only: bool
) -> float:
    """N users for `seconds`; returns the wall time."""
    shares = [
        (anonymous, 0.5, [None]),
        (learner, 0.25, actors.learners),
        (teacher, 0.15, actors.teachers),
        (reception, 0.10, actors.receptions),
    ]
    plan = []
    for behaviour, share, pool in shares:
        count = max(1, round(users * share))
        plan += [(behaviour, pool[n % len(pool)]) for n in range(count)]
    plan = plan[:users] if len(plan) > users else plan
    deadline = time.monotonic() + seconds

    def loop(n, behaviour, actor):
        cookie = actor["cookie"] if actor else None
        user = User(port, cookie, tally, seed=n)
        time.sleep(user.random.uniform(0, think))  # users arrive over one think time
        while time.monotonic() < deadline:
            (floor if floor_only else behaviour)(user, actor, actors.static_path)
            time.sleep(user.random.uniform(0.5 * think, 1.5 * think))

    threads = [
        threading.Thread(target=loop, args=(n, b, a), daemon=True) for n, (b, a) in enumerate(plan)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


# --- the check of every write -------------------------------------------------------------


def check_writes(tally: Tally) -> dict:
    from admissions.models import Payment
    from assessment.models import Mark
    from teaching.models import Attendance

    counts = Counter(
        Payment.objects.filter(reference__startswith="CHARGE-").values_list("reference", flat=True)
    )
    lost = [r for r in tally.payments_accepted if counts[r] != 1]
    doubled = [r for r, n in counts.items() if n > 1]
    phantom = [
        r for r in counts if r not in tally.payments_accepted and r not in tally.payments_uncertain
    ]
    wrong_sheets = []
    for session, present in tally.sheets.items():
        if session in tally.uncertain_sheets:
            continue
        rows = list(
            Attendance.objects.filter(session_id=session).values_list("learner_id", "present")
        )
        if (
            len(rows) != len({learner for learner, _ in rows})
            or tuple(sorted(learner for learner, here in rows if here)) != present
        ):
            wrong_sheets.append(session)
    wrong_marks = []
    for learner_id, value in tally.marks.items():
        if learner_id in tally.uncertain_marks:
            continue
        stored = list(Mark.objects.filter(learner_id=learner_id).values_list("value", flat=True))
        if len(stored) != 1 or f"{stored[0]:.1f}".replace(".", ",") != value:
            wrong_marks.append(learner_id)
    return {
        "paiements acceptés": len(tally.payments_accepted),
        "paiements envoyés": len(tally.payments_posted),
        "paiements perdus": len(lost),
        "paiements doublés": len(doubled),
        "paiements inventés": len(phantom),
        "paiements incertains (pas de réponse)": len(tally.payments_uncertain),
        "feuilles vérifiées": len(tally.sheets) - len(tally.uncertain_sheets & set(tally.sheets)),
        "feuilles fausses": len(wrong_sheets),
        "notes vérifiées": len(tally.marks) - len(tally.uncertain_marks & set(tally.marks)),
        "notes fausses": len(wrong_marks),
    }


# --- the report ---------------------------------------------------------------------------


def quantiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        only = values[0] * 1000 if values else 0.0
        return only, only, only
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def report(users: int, wall: float, tally: Tally, floor_tally: Tally, floor_wall: float) -> bool:
    pages, pdfs = tally.latencies["page"], tally.latencies["pdf"]
    floor_values = floor_tally.latencies["floor"]
    total = sum(len(v) for v in tally.latencies.values())
    p50, p95, p99 = quantiles(pages)
    f50, f95, f99 = quantiles(floor_values)
    d50, d95, d99 = quantiles(pdfs)
    errors = sum(tally.errors.values())
    print(f"\n== {users} utilisateurs simultanés ==")
    print(f"  {'':<28}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'n':>8}")
    print(
        f"  {'plancher (fichier statique)':<28}{len(floor_values) / floor_wall:>8.1f}"
        f"{f50:>9.1f}{f95:>9.1f}{f99:>9.1f}{len(floor_values):>8}"
    )
    print(
        f"  {'pages':<28}{len(pages) / wall:>8.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{len(pages):>8}"
    )
    print(f"  {'PDF':<28}{len(pdfs) / wall:>8.1f}{d50:>9.1f}{d95:>9.1f}{d99:>9.1f}{len(pdfs):>8}")
    slowest = sorted(
        ((quantiles(v)[1], path, len(v)) for path, v in tally.by_path.items() if len(v) >= 5),
        reverse=True,
    )[:4]
    print("  les plus lentes (p95) : " + " ; ".join(f"{p} {q:.0f} ms" for q, p, _ in slowest))
    print(
        f"  toutes requêtes : {total / wall:.1f} req/s ; erreurs : {errors}"
        + (f" — {dict(tally.errors)}" if errors else "")
    )
    return p95


def merge(checks: Tally, tally: Tally) -> None:
    """One level's writes into the run's: the later level's accepted value wins."""
    checks.payments_accepted |= tally.payments_accepted
    checks.payments_uncertain |= tally.payments_uncertain
    checks.payments_posted |= tally.payments_posted
    for session, present in tally.sheets.items():
        checks.sheets[session] = present
        checks.uncertain_sheets.discard(session)
    checks.uncertain_sheets |= tally.uncertain_sheets
    for learner_id, value in tally.marks.items():
        checks.marks[learner_id] = value
        checks.uncertain_marks.discard(learner_id)
    checks.uncertain_marks |= tally.uncertain_marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="10,50,200", help="niveaux, séparés par des virgules")
    parser.add_argument("--seconds", type=float, default=45, help="durée de chaque niveau")
    parser.add_argument("--floor-seconds", type=float, default=15)
    parser.add_argument("--think", type=float, default=1.0, help="pause moyenne entre actions (s)")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://parcours:parcours@127.0.0.1:5432/parcours_load"
        ),
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.users.split(",")]
    if not args.database_url.startswith("postgres"):
        raise SystemExit("Ce banc mesure plusieurs processus sur PostgreSQL : --database-url.")

    env = database_env(args.database_url)
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "PARCOURS_TODAY",
                "SECRET_KEY",
                "PARCOURS_DATA_DIR",
                "DJANGO_SETTINGS_MODULE",
            )
        }
    )
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    started = time.monotonic()
    fresh_database(args.database_url)
    set_up(env)
    most = max(levels)
    actors = add_actors(
        learners=max(20, most // 4),
        teachers=max(2, round(most * 0.15)),
        receptions=max(1, round(most * 0.10)),
    )
    print(
        f"Base prête en {time.monotonic() - started:.0f} s : {len(actors.learners)} apprenants, "
        f"{len(actors.teachers)} enseignants, {len(actors.receptions)} comptes d'accueil ; "
        f"gunicorn {args.web_workers} processus + 1 travailleur, PostgreSQL, "
        f"pause {args.think} s ±50 %, {os.cpu_count()} cœurs."
    )
    processes = start_server(env, args.port, args.web_workers)
    results = {}
    checks = Tally()
    try:
        # Warm-up, not counted: every gunicorn process loads its code and templates.
        warm_up = Tally()
        run_level(args.port, actors, 10, 10, args.think, warm_up, floor_only=False)
        merge(checks, warm_up)
        for users in levels:
            floor_tally = Tally()
            floor_wall = run_level(
                args.port,
                actors,
                users,
                args.floor_seconds,
                args.think,
                floor_tally,
                floor_only=True,
            )
            tally = Tally()
            wall = run_level(
                args.port, actors, users, args.seconds, args.think, tally, floor_only=False
            )
            results[users] = report(users, wall, tally, floor_tally, floor_wall)
            merge(checks, tally)
    finally:
        stop(processes)
    print("\n== Vérification des écritures ==")
    for label, count in check_writes(checks).items():
        print(f"  {label:<40}{count:>6}")
    if 50 in results:
        verdict = "atteint" if results[50] < 300 else "NON atteint"
        print(
            f"\nObjectif p95 des pages < 300 ms à 50 utilisateurs : {verdict} "
            f"({results[50]:.0f} ms)."
        )


if __name__ == "__main__":
    main()
