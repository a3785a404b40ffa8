"""ITC-2007 Track 3: strict reading of instances and solutions, UD2 scoring on hand-made
instances whose costs are counted by hand, and the CP-SAT solver.

The instances of tests/data: `tiny.ctt` (3 courses, 2 rooms, 2 days of 2 periods; cA and
cC share teacher tA; curricula q1 = cA cB and q2 = cC; cB unavailable day 0 period 0)
and `crowded.ctt` (3 courses of 30 students with one lecture each, 2 periods, rooms of
30 and 20 seats: one lecture must sit in the small room, so the optimum costs 10).
"""

import random
from pathlib import Path

import pytest

from planning.itc2007 import (
    Assignment,
    ItcError,
    parse_instance,
    read_instance,
    read_solution,
    score,
    write_solution,
)
from planning.itc_solver import solve

DATA = Path(__file__).parent / "data"
TINY = DATA / "tiny.ctt"
BENCHMARKS = Path("/work/shared/benchmarks/itc2007")


@pytest.fixture(scope="module")
def tiny():
    return read_instance(TINY)


# --- reading an instance ----------------------------------------------------------------


def test_the_tiny_instance_is_read(tiny):
    assert tiny.name == "Tiny"
    assert (tiny.days, tiny.periods_per_day, tiny.periods) == (2, 2, 4)
    assert [c.id for c in tiny.courses] == ["cA", "cB", "cC"]
    assert tiny.course("cA").min_working_days == 2
    assert tiny.course("cC").teacher == "tA"
    assert tiny.room("rSmall").capacity == 15
    assert [(q.id, q.courses) for q in tiny.curricula] == [("q1", ("cA", "cB")), ("q2", ("cC",))]
    assert tiny.unavailable == frozenset({("cB", 0, 0)})


def test_an_instance_is_a_hashable_value(tiny):
    again = read_instance(TINY)
    assert again == tiny and hash(again) == hash(tiny)


@pytest.mark.skipif(not BENCHMARKS.is_dir(), reason="ITC-2007 instances absent")
def test_the_seven_competition_instances_are_read():
    sizes = {}
    for n in range(1, 8):
        instance = read_instance(BENCHMARKS / f"comp{n:02d}.ctt")
        sizes[instance.name] = (len(instance.courses), len(instance.rooms))
    assert sizes["Fis0506-1"] == (30, 6)
    assert sizes["Ing0607-2"] == (131, 20)


# Each case: (line to change in tiny.ctt, its new text, line reported, words expected).
BROKEN_LINES = [
    (2, "Courses: 4", 14, "la section COURSES: compte 3 cours, l'en-tête en annonce 4 (ligne 2)"),
    (4, "Jours: 2", 4, "la ligne « Days: … » est attendue ici"),
    (5, "Periods_per_day: 0", 5, "Periods_per_day : 0 est inférieur au minimum 1"),
    (6, "Curricula: deux", 6, "Curricula : « deux » n'est pas un entier positif ou nul"),
    (10, "cA tA 2 2", 10, "5 champs attendus dans la section COURSES:, 4 lus"),
    (
        10,
        "cA tA -2 2 30",
        10,
        "nombre de séances du cours cA : « -2 » n'est pas un entier positif ou nul",
    ),
    (10, "cA tA 0 2 30", 10, "nombre de séances du cours cA : 0 est inférieur au minimum 1"),
    (11, "cA tB 2 1 10", 11, "cours « cA » déclaré deux fois"),
    (
        15,
        "rBig 3.5",
        15,
        "capacité de la salle rBig : « 3.5 » n'est pas un entier positif ou nul",
    ),
    (16, "rBig 15", 16, "salle « rBig » déclarée deux fois"),
    (19, "q1 2 cA cD", 19, "cours inconnu « cD » dans le cursus q1"),
    (19, "q1 3 cA cB", 19, "le cursus q1 annonce 3 cours et en liste 2"),
    (19, "q1 2 cA cA", 19, "cours « cA » cité deux fois dans le cursus q1"),
    (20, "q1 1 cC", 20, "cursus « q1 » déclaré deux fois"),
    (
        22,
        "CONSTRAINTS:",
        22,
        "« CONSTRAINTS: » inattendu : « UNAVAILABILITY_CONSTRAINTS: » est attendu",
    ),
    (23, "cD 0 0", 23, "cours inconnu « cD » dans une contrainte d'indisponibilité"),
    (23, "cB 2 0", 23, "jour 2 hors limites (0 à 1)"),
    (23, "cB 0 2", 23, "période 2 hors limites (0 à 1)"),
    (25, "", 25, "fin de fichier inattendue : « END. » est attendu"),
]


@pytest.mark.parametrize(("line", "text", "reported", "words"), BROKEN_LINES)
def test_a_broken_instance_is_refused_with_its_file_and_line(tmp_path, line, text, reported, words):
    lines = TINY.read_text().splitlines()
    lines[line - 1] = text
    broken = tmp_path / "broken.ctt"
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(ItcError) as raised:
        read_instance(broken)
    assert str(raised.value) == f"broken.ctt, ligne {reported} : {words}"
    assert raised.value.line == reported
    assert isinstance(raised.value, ValueError)


def test_a_repeated_unavailability_is_refused():
    text = TINY.read_text().replace("Constraints: 1", "Constraints: 2")
    text = text.replace("cB 0 0\n", "cB 0 0\ncB 0 0\n")
    with pytest.raises(ItcError, match=r"^t\.ctt, ligne 24 : contrainte « cB 0 0 » déjà donnée "):
        parse_instance(text, "t.ctt")


def test_text_after_the_end_is_refused():
    with pytest.raises(ItcError, match=r"^t\.ctt, ligne 26 : texte après « END\. »$"):
        parse_instance(TINY.read_text() + "encore\n", "t.ctt")


def test_a_missing_file_is_reported_in_french(tmp_path):
    with pytest.raises(ItcError, match=r"absent\.ctt : fichier introuvable$"):
        read_instance(tmp_path / "absent.ctt")


# --- solutions --------------------------------------------------------------------------


BEST = [
    Assignment("cA", "rBig", 0, 0),
    Assignment("cA", "rBig", 1, 0),
    Assignment("cB", "rSmall", 0, 1),
    Assignment("cB", "rSmall", 1, 1),
    Assignment("cC", "rBig", 0, 1),
]


def test_a_solution_file_is_read(tiny):
    assert read_solution(DATA / "tiny-best.sol", tiny) == BEST
    assert read_solution(str(DATA / "tiny-best.sol"), tiny) == BEST


def test_write_then_read_gives_the_same_solution(tiny):
    text = write_solution(BEST)
    assert text == (DATA / "tiny-best.sol").read_text()
    assert read_solution(text, tiny) == BEST
    assert write_solution(read_solution(text, tiny)) == text


BROKEN_SOLUTIONS = [
    ("cD rBig 0 0\n", 1, "cours inconnu « cD »"),
    ("cA rBig 0 0\ncA rHuge 1 0\n", 2, "salle inconnue « rHuge »"),
    ("cA rBig 2 0\n", 1, "jour 2 hors limites (0 à 1)"),
    ("cA rBig 0 5\n", 1, "période 5 hors limites (0 à 1)"),
    ("cA rBig x 0\n", 1, "jour : « x » n'est pas un entier positif ou nul"),
    ("cA rBig 0\n", 1, "4 champs attendus (cours salle jour période), 3 lus"),
    (
        "cA rBig 0 0\n\ncA rSmall 0 0\n",
        3,
        "le cours cA a déjà une séance le jour 0, période 0 (ligne 1)",
    ),
]


@pytest.mark.parametrize(("text", "line", "words"), BROKEN_SOLUTIONS)
def test_a_broken_solution_is_refused_with_its_line(tiny, tmp_path, text, line, words):
    with pytest.raises(ItcError) as raised:
        read_solution(text, tiny)
    assert str(raised.value) == f"<texte>, ligne {line} : {words}"
    path = tmp_path / "s.sol"
    path.write_text(text)
    with pytest.raises(ItcError, match=rf"^s\.sol, ligne {line} : "):
        read_solution(path, tiny)


# --- scoring ----------------------------------------------------------------------------


def test_the_best_solution_of_tiny_only_pays_for_the_lone_lecture_of_q2(tiny):
    result = score(tiny, BEST)
    assert result.feasible and result.hard.total == 0
    # q2 has a single lecture: isolated, 2 points; nothing else is violated
    assert (result.soft.room_capacity, result.soft.min_working_days) == (0, 0)
    assert (result.soft.isolated_lectures, result.soft.room_stability) == (2, 0)
    assert result.soft.total == 2


def test_every_hard_violation_and_soft_cost_is_counted_as_the_validator_does(tiny):
    solution = read_solution(
        "cA rSmall 0 0\ncA rBig 0 1\ncB rSmall 0 0\ncC rBig 0 0\ncC rBig 1 1\n", tiny
    )
    result = score(tiny, solution)
    hard = result.hard
    # cB: 1 lecture of 2; cC: 2 lectures of 1
    assert hard.lecture_mismatches == (("cB", 2, 1), ("cC", 1, 2))
    assert (hard.lectures, hard.missing_lectures, hard.extra_lectures) == (2, 1, 1)
    # day 0 period 0 holds cA, cB (curriculum q1) and cC (teacher tA with cA)
    assert (hard.curriculum_conflicts, hard.teacher_conflicts, hard.conflicts) == (1, 1, 2)
    assert hard.unavailability == 1  # cB on day 0 period 0
    assert hard.room_occupancy == 1  # cA and cB in rSmall on day 0 period 0
    assert hard.total == 6
    assert not result.feasible
    soft = result.soft
    assert soft.room_capacity == 15  # cA: 30 students in rSmall (15 seats), once
    assert soft.min_working_days == 5  # cA: 1 day of 2
    assert soft.isolated_lectures == 4  # q2: cC alone on day 0 and on day 1
    assert soft.room_stability == 1  # cA in rSmall and rBig
    assert soft.total == 25
    assert soft.violations() == {
        "room_capacity": 15,
        "min_working_days": 1,
        "isolated_lectures": 2,
        "room_stability": 1,
    }


def test_two_lectures_of_a_curriculum_in_one_isolated_period_count_twice(tiny):
    solution = read_solution(
        "cA rBig 0 0\ncA rBig 1 0\ncB rSmall 0 0\ncB rSmall 1 1\ncC rBig 0 1\n", tiny
    )
    result = score(tiny, solution)
    assert result.hard.curriculum_conflicts == 1 and result.hard.unavailability == 1
    assert result.hard.total == 2
    # q1: cA and cB on day 0 period 0 with nothing of q1 in period 1 (2 lectures);
    # q2: cC alone (1 lecture); day 1 is compact for q1
    assert result.soft.isolated_lectures == 2 * 3
    assert result.soft.total == 6


SHARED = """Name: Shared
Courses: 2
Rooms: 3
Days: 3
Periods_per_day: 3
Curricula: 1
Constraints: 0

COURSES:
c1 t 3 3 10
c2 t 1 1 10

ROOMS:
r1 10
r2 10
r3 10

CURRICULA:
q 2 c1 c2

UNAVAILABILITY_CONSTRAINTS:

END.
"""


def test_a_pair_sharing_teacher_and_curriculum_conflicts_once_and_days_and_rooms_add_up():
    instance = parse_instance(SHARED, "shared.ctt")
    solution = read_solution("c1 r1 0 0\nc1 r2 0 1\nc1 r3 0 2\nc2 r2 0 0\n", instance)
    result = score(instance, solution)
    assert (result.hard.curriculum_conflicts, result.hard.teacher_conflicts) == (1, 0)
    assert result.hard.total == 1
    assert result.soft.min_working_days == 2 * 5  # c1 on 1 day of 3
    assert result.soft.room_stability == 2  # c1 in three rooms
    assert result.soft.isolated_lectures == 0  # day 0 is full for q
    assert result.soft.total == 12


def test_lectures_at_the_end_of_a_day_and_the_start_of_the_next_are_not_adjacent():
    instance = parse_instance(SHARED, "shared.ctt")
    solution = read_solution("c1 r1 0 2\nc1 r1 1 0\nc1 r1 2 1\nc2 r1 1 1\n", instance)
    result = score(instance, solution)
    assert result.hard.total == 0
    # day 0 period 2 and day 2 period 1 are alone; day 1 periods 0-1 are together
    assert result.soft.isolated_lectures == 2 * 2
    assert result.soft.total == 4


def test_score_refuses_what_no_solution_file_can_hold(tiny):
    twice = [Assignment("cA", "rBig", 0, 0), Assignment("cA", "rSmall", 0, 0)]
    with pytest.raises(ValueError, match="le cours cA a deux séances jour 0, période 0"):
        score(tiny, twice)
    with pytest.raises(ValueError, match="salle inconnue « rX »"):
        score(tiny, [Assignment("cA", "rX", 0, 0)])


# --- the solver -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "optimum"), [("tiny.ctt", 2), ("crowded.ctt", 10)])
def test_the_solver_finds_the_optimum_of_a_tiny_instance(name, optimum):
    instance = read_instance(DATA / name)
    result = solve(instance, time_limit_s=5, workers=1, seed=0)
    found = score(instance, result.assignments)
    assert found.hard.total == 0
    assert found.soft.total == optimum
    assert result.objective_bound is not None and result.objective_bound <= optimum
    assert result.status in ("OPTIMAL", "FEASIBLE")


@pytest.mark.skipif(not (BENCHMARKS / "comp01.ctt").is_file(), reason="comp01.ctt absent")
def test_the_solver_gives_comp01_a_timetable_without_hard_violation():
    instance = read_instance(BENCHMARKS / "comp01.ctt")
    result = solve(instance, time_limit_s=6, workers=2, seed=0)
    assignments = read_solution(write_solution(result.assignments), instance)
    found = score(instance, assignments)
    assert len(assignments) == sum(c.lectures for c in instance.courses)
    assert found.hard.total == 0


def test_the_solver_says_when_no_timetable_exists():
    # cX needs 3 lectures in 2 periods
    text = (DATA / "crowded.ctt").read_text().replace("cX t1 1 1 30", "cX t1 3 1 30")
    instance = parse_instance(text, "impossible.ctt")
    result = solve(instance, time_limit_s=5, workers=1, seed=0)
    assert result.status == "INFEASIBLE"
    assert result.assignments == []


@pytest.mark.skipif(not (BENCHMARKS / "comp01.ctt").is_file(), reason="comp01.ctt absent")
def test_the_annealing_keeps_its_cost_equal_to_the_score_and_the_timetable_feasible():
    from ortools.sat.python import cp_model

    from planning.itc_solver import (
        _Annealer,
        _greedy_rooms,
        _Structure,
        _TimeModel,
        _to_assignments,
    )

    instance = read_instance(BENCHMARKS / "comp01.ctt")
    model = _TimeModel(instance)
    model.model.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    start = _greedy_rooms(instance, model.lectures(solver), model.capacities)
    annealer = _Annealer(_Structure(instance), start, random.Random(0))
    assert annealer.cost == score(instance, _to_assignments(instance, start)).soft.total
    best_cost, best = annealer.run(0.5, 5.0, 0.5)  # hot: many moves accepted
    for timetable, cost in ((best, best_cost), (annealer.timetable(), annealer.cost)):
        found = score(instance, _to_assignments(instance, timetable))
        assert found.hard.total == 0
        assert found.soft.total == cost
    assert best_cost <= annealer.cost
