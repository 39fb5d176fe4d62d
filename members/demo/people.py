"""One demo person per index: a pure function of (seed, index, calendar, tree).

Each person draws from their own generator, `random.Random(f"{seed}:{index}")`, so any
slice of the population can be made on its own (chunks, top-ups) and comes out the same.
The first indices follow a script so even a small demo has every stage, retained
graduates, mobile members and a secretary for every branch; the rest are drawn at random.

ID numbers are unique by construction: the index is mapped bijectively onto (day of the
year, region, serial), so two indices never share all three whatever birth years they get.
"""

import datetime as dt
import enum
import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any

from core.idnumber import checksum_char
from members.demo import names
from members.demo.dates import Calendar, add_years
from members.demo.tree import College, CollegeBranches, TreeSpec
from members.models import Person, Stage

STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE, Stage.PROBATIONARY, Stage.FULL)
APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY, FULL = range(5)
# Days between milestones: applied → activist → development candidate → probationary.
# The middle one is "more than one year" (发展党员工作细则); probation is exactly a year.
GAPS = ((180, 450), (366, 540), (60, 300))
MIN_GAPS = tuple(lo for lo, _hi in GAPS)
SECRETARY_STANDING_DAYS = 400  # seed 002: more than one year of Party standing
SECRETARY_POST = "党支部书记"


class Category(enum.StrEnum):
    UNDERGRAD = "undergrad"
    MASTER = "master"
    DOCTOR = "doctor"
    TEACHER = "teacher"
    COUNSELOR = "counselor"  # a teacher who serves as a student branch's secretary
    RETAINED = "retained"
    MOBILE = "mobile"


# Relative weights of the five pipeline stages (applicant … full) by category; a stage the
# dates cannot reach falls back to the one before.
STAGE_WEIGHTS: dict[Category, tuple[int, ...]] = {
    Category.UNDERGRAD: (35, 25, 12, 12, 16),
    Category.MASTER: (15, 12, 8, 15, 50),
    Category.DOCTOR: (5, 5, 5, 10, 75),
    Category.TEACHER: (3, 3, 3, 6, 85),
    Category.COUNSELOR: (0, 0, 0, 0, 1),
    Category.RETAINED: (0, 0, 0, 30, 70),
    Category.MOBILE: (0, 0, 0, 20, 80),
}
CATEGORY_WEIGHTS = (
    (Category.UNDERGRAD, 66),
    (Category.MASTER, 14),
    (Category.DOCTOR, 4),
    (Category.TEACHER, 9),
    (Category.RETAINED, 4),
    (Category.MOBILE, 3),
)
ORGANS_TEACHER_SHARE = 0.12  # teachers who work in the school's offices, not a college


# --- ID numbers ---------------------------------------------------------------------------

_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAY_OF_YEAR = tuple(
    (month, day) for month, days in enumerate(_MONTH_DAYS, start=1) for day in range(1, days + 1)
)
SERIALS_PER_SEX = 500  # two free digits × five digits of each parity
_DAYS, _REGIONS = len(_DAY_OF_YEAR), len(names.REGIONS)
ID_SPACE = _DAYS * _REGIONS * SERIALS_PER_SEX


def _multiplier() -> int:
    """A stride that moves every component (day, region, serial) by about the golden ratio
    of its range, so neighbouring indices look unrelated; coprime with ID_SPACE so that
    index → slot is a bijection."""
    phi = 0.6180339887
    day, region = round(_DAYS * phi), round(_REGIONS * phi)
    serial = round(SERIALS_PER_SEX * phi)
    while math.gcd(day + _DAYS * (region + _REGIONS * serial), ID_SPACE) != 1:
        serial += 1
    return day + _DAYS * (region + _REGIONS * serial)


_ID_MULTIPLIER = _multiplier()
_ID_OFFSET = 1_234_567


def id_slot(index: int) -> tuple[tuple[int, int], int, int]:
    """((month, day), region index, serial slot) for an index: a bijection on ID_SPACE."""
    if not 0 <= index < ID_SPACE:
        raise ValueError(f"the demo holds at most {ID_SPACE} people")
    p = (index * _ID_MULTIPLIER + _ID_OFFSET) % ID_SPACE
    p, day = divmod(p, _DAYS)
    serial, region = divmod(p, _REGIONS)
    return _DAY_OF_YEAR[day], region, serial


def id_number(region_code: str, born: dt.date, serial: int, male: bool) -> str:
    """GB 11643: region, birth date, three-digit serial (odd for men), check character."""
    sex_digit = 2 * (serial % 5) + (1 if male else 0)
    first17 = f"{region_code}{born:%Y%m%d}{serial // 5:02d}{sex_digit}"
    return first17 + checksum_char(first17)


# --- Stage dates --------------------------------------------------------------------------


@dataclass(frozen=True)
class Milestones:
    stage: int  # index into STAGES
    dates: tuple[dt.date, ...]  # applied, activist, candidate, joined, full (as far as reached)

    @property
    def since(self) -> dt.date:
        return self.dates[self.stage]

    def get(self, stage: int) -> dt.date | None:
        return self.dates[stage] if stage <= self.stage else None


def _window(
    stage: int,
    gaps: tuple[int, ...],
    earliest: dt.date,
    latest_join: dt.date,
    ref: dt.date,
    standing_days: int,
    probation_after: dt.date,
) -> tuple[dt.date, dt.date] | None:
    """The range of application dates that put a person exactly at `stage` on `ref`."""
    offsets = (0, gaps[0], gaps[0] + gaps[1], gaps[0] + gaps[1] + gaps[2])
    to_join = dt.timedelta(days=offsets[3])
    lo, hi = earliest, ref
    if stage == APPLICANT:
        lo = max(lo, ref - dt.timedelta(days=720))  # most applicants applied recently
    if stage <= PROBATIONARY:
        hi = min(hi, ref - dt.timedelta(days=offsets[stage]))
    if stage >= PROBATIONARY:
        hi = min(hi, latest_join - to_join)
    if stage == PROBATIONARY:  # probation (one year) does not end before `probation_after`
        lo = max(lo, add_years(probation_after, -1) + dt.timedelta(days=1) - to_join)
    if stage == FULL:  # probation ended, and `standing_days` of standing since
        hi = min(hi, add_years(ref - dt.timedelta(days=standing_days), -1) - to_join)
    return (lo, hi) if lo <= hi else None


def plan_milestones(
    rng: random.Random,
    wanted: int,
    *,
    earliest: dt.date,
    latest_join: dt.date,
    ref: dt.date,
    probation_after: dt.date | None = None,
    standing_days: int = 0,
    fallbacks: tuple[int, ...] = (),
) -> Milestones:
    """Dates of every milestone up to the stage reached, all on or before `ref`.

    Tries `wanted`, then `fallbacks`, then every earlier stage; random gaps first, the
    shortest gaps the rules allow second. An applicant is always possible if earliest ≤ ref.
    A probationary member's probation ends after `probation_after` (default `ref`).
    """
    gaps = tuple(rng.randint(lo, hi) for lo, hi in GAPS)
    order = [wanted, *fallbacks, *range(wanted - 1, -1, -1)]
    for stage in dict.fromkeys(order):  # ordered, without repeats
        for trial in (gaps, MIN_GAPS):
            window = _window(
                stage, trial, earliest, latest_join, ref, standing_days, probation_after or ref
            )
            if window is None:
                continue
            lo, hi = window
            applied = lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))
            dates = [applied]
            for gap in trial:
                dates.append(dates[-1] + dt.timedelta(days=gap))
            dates.append(add_years(dates[3], 1))
            return Milestones(stage, tuple(dates[: stage + 1]))
    raise ValueError(f"no application date possible between {earliest} and {ref}")


# --- People -------------------------------------------------------------------------------


@dataclass
class PersonSpec:
    """Everything about one demo person; `fields` are Person fields the services accept."""

    index: int
    category: Category
    branch_code: str
    stage: str
    stage_since: dt.date
    id_number: str
    fields: dict[str, Any] = field(default_factory=dict)
    # applied, activist, candidate, joined, full: as far as the stage reached
    milestones: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class Script:
    """A person the demo must have, whatever its size."""

    category: Category
    branch_code: str
    college: CollegeBranches | None
    stage: int
    grade: int | None = None
    major: str | None = None
    abroad: bool = False
    lost_contact: bool = False
    secretary: bool = False


class PeopleGenerator:
    def __init__(self, seed: int, cal: Calendar, tree: TreeSpec) -> None:
        self.seed = seed
        self.cal = cal
        self.tree = tree
        self.surnames = tuple(s for s, _w in names.SURNAMES)
        self.surname_cum = tuple(itertools.accumulate(w for _s, w in names.SURNAMES))
        self.ethnicities = tuple(e for e, _w in names.ETHNICITIES)
        self.ethnicity_cum = tuple(itertools.accumulate(w for _e, w in names.ETHNICITIES))
        self.categories = tuple(c for c, _w in CATEGORY_WEIGHTS)
        self.category_cum = tuple(itertools.accumulate(w for _c, w in CATEGORY_WEIGHTS))
        self.stage_cum = {c: tuple(itertools.accumulate(w)) for c, w in STAGE_WEIGHTS.items()}
        self.male_given = names.GIVEN_MALE + names.GIVEN_NEUTRAL
        self.female_given = names.GIVEN_FEMALE + names.GIVEN_NEUTRAL
        self.home_branch = ""
        self.coverage = 0
        self.scripts = self._scripts()

    # The script: coverage first (accounts, every stage, retained and mobile members), then
    # one secretary per branch.
    def _scripts(self) -> list[Script]:
        C = Category
        tree, cal = self.tree, self.cal
        first = tree.colleges[0]
        second = tree.colleges[1]
        grades = cal.undergrad_grades()
        senior = grades[0]
        home = first.undergrad_branch(senior, first.college.majors[0][0])
        self.home_branch = home  # where the member, secretary and committee logins are
        scripts = [
            Script(C.UNDERGRAD, home, first, PROBATIONARY, grade=senior),  # the member login
            Script(C.COUNSELOR, home, first, FULL, secretary=True),
            Script(C.UNDERGRAD, home, first, FULL, grade=senior),  # a committee member
            Script(C.RETAINED, first.retained, first, FULL),  # the graduate login
            Script(C.RETAINED, first.retained, first, PROBATIONARY, abroad=True),
            Script(C.RETAINED, second.retained, second, FULL, lost_contact=True),
            Script(C.MOBILE, tree.organs_mobile, first, FULL),
            Script(C.MOBILE, first.mobile, first, PROBATIONARY),
        ]
        in_demo = cal.grades_in_demo(4)
        for stage, grade in zip((APPLICANT, ACTIVIST, CANDIDATE), in_demo[::-1], strict=False):
            branch = first.undergrad_branch(grade, first.college.majors[0][0])
            scripts.append(Script(C.UNDERGRAD, branch, first, stage, grade=grade))
        scripts += [
            Script(C.MASTER, first.masters[0][1], first, FULL, major=first.masters[0][0]),
            Script(C.DOCTOR, first.doctoral[0][1], first, PROBATIONARY, major=first.doctoral[0][0]),
            Script(C.TEACHER, first.teachers[0], first, FULL),
        ]
        self.coverage = len(scripts)  # the smallest demo that has every login's person
        for cb in tree.colleges:
            for code in [*cb.undergrad_by_grade.values(), *cb.undergrad_by_major.values()]:
                if code != home:
                    scripts.append(Script(C.COUNSELOR, code, cb, FULL, secretary=True))
            for n, (major, code) in enumerate(cb.masters):
                # One branch breaks seed 002's rules (a probationary secretary), so the
                # warnings have something to show.
                bad = n == 0 and cb is tree.colleges[-1]
                stage = PROBATIONARY if bad else FULL
                scripts.append(Script(C.MASTER, code, cb, stage, major=major, secretary=True))
            for group, code in cb.doctoral:
                scripts.append(Script(C.DOCTOR, code, cb, FULL, major=group, secretary=True))
            for code in cb.teachers:
                scripts.append(Script(C.TEACHER, code, cb, FULL, secretary=True))
            for code in (cb.retained, cb.mobile):
                if code:
                    scripts.append(Script(C.COUNSELOR, code, cb, FULL, secretary=True))
        for code in tree.organs_teachers:
            scripts.append(Script(C.TEACHER, code, None, FULL, secretary=True))
        scripts.append(Script(C.COUNSELOR, tree.organs_mobile, None, FULL, secretary=True))
        return scripts

    def _random_script(self, rng: random.Random) -> Script:
        C = Category
        category = rng.choices(self.categories, cum_weights=self.category_cum)[0]
        cb = self.tree.colleges[rng.randrange(len(self.tree.colleges))]
        stage = rng.choices(range(5), cum_weights=self.stage_cum[category])[0]
        if category == C.DOCTOR and not cb.doctoral:
            category = C.MASTER
        if category == C.MASTER:
            major, code = cb.masters[rng.randrange(len(cb.masters))]
            return Script(category, code, cb, stage, major=major)
        if category == C.DOCTOR:
            group, code = cb.doctoral[rng.randrange(len(cb.doctoral))]
            return Script(category, code, cb, stage, major=group)
        if category == C.TEACHER:
            if rng.random() < ORGANS_TEACHER_SHARE:
                code = self.tree.organs_teachers[rng.randrange(len(self.tree.organs_teachers))]
                return Script(category, code, None, stage)
            return Script(category, cb.teachers[rng.randrange(len(cb.teachers))], cb, stage)
        if category == C.RETAINED:
            abroad, lost = rng.random() < 0.2, rng.random() < 0.04
            return Script(category, cb.retained, cb, stage, abroad=abroad, lost_contact=lost)
        if category == C.MOBILE:
            return Script(category, cb.mobile or self.tree.organs_mobile, cb, stage)
        grades = self.cal.grades_in_demo(4)
        grade = grades[rng.randrange(len(grades))]
        major = cb.college.majors[rng.randrange(len(cb.college.majors))][0]
        return Script(category, cb.undergrad_branch(grade, major), cb, stage, grade, major)

    def person(self, index: int) -> PersonSpec:
        rng = random.Random(f"{self.seed}:{index}")
        script = self.scripts[index] if index < len(self.scripts) else self._random_script(rng)
        return _Builder(self, rng, index, script).build()


class _Builder:
    """Fills in one person from a script; kept separate so each step reads on its own."""

    def __init__(self, gen: PeopleGenerator, rng: random.Random, index: int, s: Script) -> None:
        self.gen, self.rng, self.index, self.s = gen, rng, index, s
        self.cal = gen.cal
        self.ref = gen.cal.ref
        self.f: dict[str, Any] = {}

    def build(self) -> PersonSpec:
        C = Category
        rng, s, f = self.rng, self.s, self.f
        male = rng.random() < (0.55 if s.category in (C.TEACHER, C.COUNSELOR) else 0.5)
        (month, day), region_index, serial = id_slot(self.index)
        region = names.REGIONS[region_index]
        college = s.college.college if s.college else None
        grade, years, degree = self._programme(college)
        born = dt.date(self._birth_year(grade, degree), month, day)
        if add_years(born, 18) > self.ref - dt.timedelta(days=14):
            born = born.replace(year=born.year - 1)  # everyone in the demo has applied, at 18+
        number = id_number(region[0], born, serial, male)
        surname = rng.choices(self.gen.surnames, cum_weights=self.gen.surname_cum)[0]
        f["name"] = surname + self._given(male)
        f["sex"] = Person.Sex.MALE if male else Person.Sex.FEMALE
        f["ethnicity"] = rng.choices(self.gen.ethnicities, cum_weights=self.gen.ethnicity_cum)[0]
        f["birth_date"] = born
        province, city, district = region[1], region[2], region[3]
        place = city if province == city else province + city
        f["native_place"] = place
        f["household_registration"] = place + district
        street = rng.choice(names.STREETS)
        f["home_address"] = f"{place}{district}{street}{rng.randint(1, 300)}号"
        f["mobile"] = self._phone()
        f["emergency_contact"], f["emergency_phone"] = self._emergency(surname)
        f["degree_level"] = degree
        f["college"] = college.name if college else "机关"
        if grade is not None:
            self._student_fields(college, grade, years, degree)
        else:
            f["landline"] = f"028-{rng.randint(8460_0000, 8469_9999)}"
            f["email"] = f"staff{self.index:07d}@example.com"
            f["education"] = "博士研究生" if rng.random() < 0.6 else "硕士研究生"
        if s.secretary:
            f["post"] = SECRETARY_POST
        plan = self._milestones(born, grade, years)
        f["applied_on"] = plan.get(APPLICANT)
        f["joined_on"] = plan.get(PROBATIONARY)
        f["full_member_on"] = plan.get(FULL)
        self._away_fields(plan)
        return PersonSpec(
            index=self.index,
            category=s.category,
            branch_code=s.branch_code,
            stage=STAGES[plan.stage],
            stage_since=plan.since,
            id_number=number,
            fields=f,
            milestones=plan.dates,
        )

    def _programme(self, college: College | None) -> tuple[int | None, int, str]:
        """(entry year, years of study, degree level); no entry year for staff."""
        C, D = Category, Person.DegreeLevel
        s, cal, rng = self.s, self.cal, self.rng
        if s.category == C.UNDERGRAD:
            return s.grade, 4, D.BACHELOR
        if s.category == C.MASTER:
            grades = cal.grades_in_demo(3)
            grade = grades[0] if s.secretary else grades[rng.randrange(len(grades))]
            return grade, 3, D.MASTER
        if s.category == C.DOCTOR:
            grades = cal.grades_in_demo(4)
            grade = grades[0] if s.secretary else grades[rng.randrange(len(grades))]
            return grade, 4, D.DOCTOR
        if s.category in (C.RETAINED, C.MOBILE):
            graduated = cal.last_graduation().year - (0 if rng.random() < 0.6 else 1)
            if s.stage == PROBATIONARY:
                graduated = cal.last_graduation().year  # still on probation: just graduated
            if rng.random() < 0.25:
                return graduated - 3, 3, D.MASTER
            return graduated - 4, 4, D.BACHELOR
        return None, 0, D.STAFF

    def _birth_year(self, grade: int | None, degree: str) -> int:
        C, rng, s = Category, self.rng, self.s
        if grade is None:
            low, high = (26, 36) if s.category == C.COUNSELOR else (27, 58)
            return self.ref.year - rng.randint(low, high)
        if degree == Person.DegreeLevel.MASTER:
            return grade - rng.choice((21, 22, 22, 23, 24))
        if degree == Person.DegreeLevel.DOCTOR:
            return grade - rng.choice((24, 25, 25, 26, 27, 28))
        return grade - (19 if rng.random() < 0.55 else 18)

    def _given(self, male: bool) -> str:
        """One character (a fifth of people) or two; only the first may be a neutral one."""
        rng = self.rng
        own = names.GIVEN_MALE if male else names.GIVEN_FEMALE
        last = rng.choice(own)
        if rng.random() < 0.2:
            return last
        return rng.choice(self.gen.male_given if male else self.gen.female_given) + last

    def _phone(self) -> str:
        return self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def _emergency(self, surname: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.6:
            contact = f"{surname}{rng.choice(names.FATHER_GIVEN)}（父亲）"
        else:
            mother = rng.choices(self.gen.surnames, cum_weights=self.gen.surname_cum)[0]
            contact = f"{mother}{rng.choice(names.MOTHER_GIVEN)}（母亲）"
        return contact, self._phone()

    def _student_fields(self, college: College | None, grade: int, years: int, degree: str) -> None:
        rng, f, s = self.rng, self.f, self.s
        D = Person.DegreeLevel
        f["grade"] = grade
        f["expected_graduation"] = self.cal.graduation(grade, years)
        code = college.code if college else "00"
        f["student_number"] = f"{grade}{code}{self.index:07d}"
        f["email"] = f"{f['student_number']}@stu.example.com"
        if degree == D.BACHELOR:
            majors = college.majors if college else (("", ""),)
            major, short = (
                next(((m, sh) for m, sh in majors if m == s.major), None)
                or majors[rng.randrange(len(majors))]
            )
            f["major"] = major
            f["class_name"] = f"{short}{grade % 100:02d}{rng.randint(1, 4):02d}班"
            f["dormitory"] = (
                f"{rng.choice(names.UNDERGRAD_DORMS)}{rng.randint(1, 12)}栋"
                f"{rng.randint(1, 6)}{rng.randint(1, 30):02d}室"
            )
            f["education"] = "大学本科在读"
        else:
            if s.major:
                major = s.major
            elif college and college.grad_majors:
                major = college.grad_majors[rng.randrange(len(college.grad_majors))]
            else:
                major = ""
            f["major"] = major
            level = "硕士" if degree == D.MASTER else "博士"
            f["class_name"] = f"{grade}级{level}研究生班"
            dorms = names.GRADUATE_DORMS[0 if degree == D.MASTER else 1]
            f["dormitory"] = (
                f"{dorms}{rng.randint(1, 6)}栋{rng.randint(1, 12)}{rng.randint(1, 20):02d}室"
            )
            f["education"] = f"{level}研究生在读"

    def _milestones(self, born: dt.date, grade: int | None, years: int) -> Milestones:
        C, s = Category, self.s
        adult = add_years(born, 18)
        fallbacks: tuple[int, ...] = ()
        latest_join = self.ref
        degree = self.f["degree_level"]
        if grade is None:
            earliest = adult
        elif degree == Person.DegreeLevel.BACHELOR:
            earliest = dt.date(grade, 9, 15)
        elif degree == Person.DegreeLevel.MASTER:
            earliest = dt.date(grade - 4, 9, 15)  # may have applied as an undergraduate
        else:
            earliest = dt.date(grade - 7, 9, 15)
        if s.category in (C.RETAINED, C.MOBILE):
            latest_join = self.cal.graduation(grade, years)  # joined while still a student
            earliest = dt.date(grade, 9, 15)
            fallbacks = (FULL, PROBATIONARY)
        standing = SECRETARY_STANDING_DAYS if s.secretary else 0
        return plan_milestones(
            self.rng,
            s.stage,
            earliest=max(earliest, adult),
            latest_join=latest_join,
            ref=self.ref,
            probation_after=self.cal.month_end,
            standing_days=standing,
            fallbacks=fallbacks,
        )

    def _away_fields(self, plan: Milestones) -> None:
        """Where graduates and interns are; retained and mobile members' particulars."""
        C, W = Category, Person.Whereabouts
        rng, f, s = self.rng, self.f, self.s
        f["whereabouts"] = W.ON_CAMPUS
        if s.category in (C.RETAINED, C.MOBILE):
            f["dormitory"] = ""
            f["education"] = "硕士研究生" if f["degree_level"] == "master" else "大学本科"
            province, city, district = rng.choice(names.WORK_CITIES)
            employer = rng.choice(names.EMPLOYER_WORDS) + rng.choice(names.EMPLOYER_KINDS)
            where = city if province == city else province + city
            if s.abroad:
                country, university = rng.choice(names.ABROAD_STUDY)
                f["whereabouts"] = W.ABROAD
                f["whereabouts_detail"] = f"在{country}{university}攻读硕士学位"
            else:
                f["whereabouts"] = W.AWAY
                f["whereabouts_detail"] = f"在{where}{district}{employer}工作"
            if s.category == C.MOBILE:
                f["is_mobile_member"] = True
                f["mobile_destination"] = f"{where}{district}{employer}"
            else:
                until = add_years(f["expected_graduation"], 2)
                f["remarks"] = f"组织关系保留至{until:%Y年%m月%d日}（留校党员）"
            if s.lost_contact:
                f["lost_contact"] = True
                f["lost_contact_since"] = self.ref - dt.timedelta(days=rng.randint(40, 200))
        elif (
            s.category == C.UNDERGRAD
            and f["grade"] == self.cal.undergrad_grades()[0]
            and rng.random() < 0.05
        ):
            province, city, district = rng.choice(names.WORK_CITIES)
            f["whereabouts"] = W.AWAY
            f["whereabouts_detail"] = f"在{city}{district}实习"
