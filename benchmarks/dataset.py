"""The PostgreSQL dataset every load benchmark measures, built from the models' tables.

Administrations, trainees (one in ``tokens`` with a bearer token), published courses with
texts in en/ru/fr, topics, a module of lessons each, enrolments with lesson progress, and the
shipped course ``customs-valuation-transaction-value`` (a real quiz) in which every trainee with
a token is enrolled. The schema comes from the migrations; rows go in with COPY.

Each load names the columns it sets; every other column of the model's table takes the model's
Python default, or NULL where it allows one. A NOT NULL column that the builder does not set
and the model gives no default stops the build with its name: a new column cannot silently
break a benchmark (it once did: ``courses.card_version``).

Token secrets are derived from the trainee's id, so a later run on the same database (``reuse``)
finds them again without storing them anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from flask_migrate import upgrade
from psycopg import sql
from sqlalchemy import JSON, URL, Column, Table, make_url

from elearn import create_app, schema_migrations
from elearn.accounts.models import Administration, ApiToken, Role, User, UserRole
from elearn.accounts.tokens import TOKEN_PREFIX
from elearn.config import Settings
from elearn.content.service.importing import import_package
from elearn.courses.models import (
    Course,
    CourseAdministration,
    CourseStatus,
    CourseTopic,
    CourseTranslation,
    Lesson,
    LessonKind,
    LessonTranslation,
    Module,
)
from elearn.database import Base
from elearn.enrolments.models import Enrolment, EnrolmentSource, EnrolmentStatus, LessonProgress
from elearn.extensions import db
from tests.content.builders import folder_files

ROOT = Path(__file__).resolve().parent.parent
QUIZ_COURSE = ROOT / "course_content" / "customs-valuation-transaction-value"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/elearn_bench"
LANGUAGES = ("en", "ru", "fr")
TITLE_PREFIXES = {"en": "Course", "ru": "Курс", "fr": "Cours"}
TOPICS = ("valuation", "origin", "classification", "enforcement", "trade-facilitation")
WORDS = ("customs", "valuation", "origin", "tariff", "risk", "transit", "audit", "integrity")
LESSONS_PER_COURSE = 8
COURSE_STEP = 37  # coprime with the course count, so that a trainee's courses differ
NOW = datetime(2030, 3, 1, tzinfo=UTC)


class DatasetError(Exception):
    """The builder and the models disagree; the message names the column."""


@dataclass(frozen=True)
class Sizes:
    trainees: int = 2_000
    enrolments: int = 10_000
    courses: int = 200
    administrations: int = 50
    tokens: int = 1_000  # trainees 1..tokens sign in with a bearer token

    def check(self) -> None:
        if not 0 < self.tokens <= self.trainees:
            raise DatasetError("tokens must be between 1 and the number of trainees")
        if self.enrolments > 5 * self.trainees or self.courses % COURSE_STEP == 0:
            raise DatasetError("at most 5 enrolments per trainee; courses not a multiple of 37")


@dataclass(frozen=True)
class Dataset:
    url: str  # SQLAlchemy form, for the app
    sizes: Sizes
    quiz_id: int
    quiz_course_id: int

    @property
    def conninfo(self) -> str:
        return psycopg_url(self.url)

    def tokens(self, count: int | None = None) -> list[str]:
        return [token_secret(user) for user in range(1, (count or self.sizes.tokens) + 1)]


def psycopg_url(url: str | URL) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def token_secret(user_id: int) -> str:
    digest = hashlib.sha256(f"elearn benchmark token {user_id}".encode()).digest()
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def lesson_id(course: int, position: int) -> int:
    return (course - 1) * LESSONS_PER_COURSE + position


# --- loading rows ------------------------------------------------------------------------


def copy_rows(
    connection: psycopg.Connection,
    model: type[Base],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """COPY ``rows`` (values for ``columns``) into the model's table; defaults for the rest."""
    table: Table = model.__table__  # type: ignore[assignment]
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise DatasetError(f"{table.name} has no column {', '.join(sorted(unknown))}")
    defaulted = [column for column in table.columns if column.name not in columns]
    for column in defaulted:
        _check_defaulted(table, column)
    filled = [column for column in defaulted if column.default is not None]
    names = [*columns, *(column.name for column in filled)]
    encoders = [_encoder(table.columns[name]) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    count = 0
    with connection.cursor() as cursor, cursor.copy(statement) as out:
        for row in rows:
            values = [*row, *(_default(column) for column in filled)]
            out.write_row([encode(value) for encode, value in zip(encoders, values, strict=True)])
            count += 1
    return count


def _check_defaulted(table: Table, column: Column[Any]) -> None:
    if column.default is not None or column.nullable or column.server_default is not None:
        return
    if table.autoincrement_column is column:
        return
    raise DatasetError(
        f"{table.name}.{column.name} is NOT NULL and has no default: "
        "set it in benchmarks/dataset.py"
    )


def _default(column: Column[Any]) -> Any:
    default: Any = column.default
    return default.arg(None) if default.is_callable else default.arg


def _encoder(column: Column[Any]) -> Any:
    kind = column.type
    if isinstance(getattr(kind, "impl_instance", kind), JSON) or isinstance(kind, JSON):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    return lambda value: value


def set_sequences(connection: psycopg.Connection) -> None:
    """Move each id sequence past the ids the COPYs gave explicitly."""
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({table_name}, {column_name}),"
                " coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
            ).format(
                table_name=sql.Literal(table.name),
                column_name=sql.Literal(column.name),
                column=sql.Identifier(column.name),
                table=sql.Identifier(table.name),
            )
        )


# --- the dataset -------------------------------------------------------------------------


def prepare(url: str, sizes: Sizes, *, reuse: bool = False) -> Dataset:
    """A database filled to ``sizes``; with ``reuse``, one built before with the same sizes."""
    sizes.check()
    name = database_name(url)
    marker = json.dumps(asdict(sizes), sort_keys=True)
    if reuse and _marker(url) == marker:
        quiz_course_id, quiz_id = _quiz_ids(url)
        print(f"dataset: reusing {name} {marker}")
        return Dataset(url, sizes, quiz_id, quiz_course_id)
    started = time.perf_counter()
    create_database(url)
    _migrate(url)
    with psycopg.connect(psycopg_url(url)) as connection:
        _fill(connection, sizes)
        set_sequences(connection)
    quiz_course_id, quiz_id = _import_quiz_course(url)
    with psycopg.connect(psycopg_url(url)) as connection:
        _enrol_in_quiz_course(connection, sizes.tokens, quiz_course_id)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
        connection.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(marker)
            )
        )
    print(f"dataset: {name} {marker} built in {time.perf_counter() - started:.1f} s")
    return Dataset(url, sizes, quiz_id, quiz_course_id)


def database_name(url: str) -> str:
    """The scratch database's name; only ``elearn_*`` databases are built and dropped."""
    name = make_url(url).database
    if not name or not name.startswith("elearn_"):
        raise DatasetError(f"{name!r} is not a scratch database: their names start elearn_")
    return name


def _server(url: str) -> psycopg.Connection:
    return psycopg.connect(psycopg_url(make_url(url).set(database="postgres")), autocommit=True)


def create_database(url: str) -> None:
    drop_database(url)
    with _server(url) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database_name(url))))


def drop_database(url: str) -> None:
    name = database_name(url)
    with _server(url) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _marker(url: str) -> str | None:
    with _server(url) as server:
        row = server.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            (make_url(url).database,),
        ).fetchone()
    return row[0] if row else None


def _app_settings(url: str, instance: Path | None = None) -> Settings:
    folder = instance or Path(f"/tmp/{make_url(url).database}-instance")  # noqa: S108
    folder.mkdir(parents=True, exist_ok=True)
    return Settings(instance_path=str(folder), database_url=url, log_level="WARNING").validated()


def _migrate(url: str) -> None:
    app = schema_migrations.init_app(create_app(_app_settings(url)))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _import_quiz_course(url: str) -> tuple[int, int]:
    app = create_app(_app_settings(url))
    with app.app_context():
        import_package(None, folder_files(QUIZ_COURSE), publish=True)
        db.session.commit()
        db.engine.dispose()
    return _quiz_ids(url)


def _quiz_ids(url: str) -> tuple[int, int]:
    with psycopg.connect(psycopg_url(url)) as connection:
        row = connection.execute(
            "SELECT lessons.course_id, lessons.id FROM lessons"
            " JOIN courses ON courses.id = lessons.course_id"
            " WHERE courses.slug = %s AND lessons.kind = %s",
            (QUIZ_COURSE.name, LessonKind.QUIZ.value),
        ).fetchone()
    if row is None:
        raise DatasetError(f"the course {QUIZ_COURSE.name} has no quiz")
    return row[0], row[1]


def _fill(connection: psycopg.Connection, sizes: Sizes) -> None:
    stamp = NOW - timedelta(days=400)
    copy_rows(
        connection,
        Administration,
        ("id", "code", "names", "region"),
        (
            (n, _code(n), {"en": f"Customs {n}", "ru": f"Таможня {n}"}, "Europe")
            for n in range(1, sizes.administrations + 1)
        ),
    )
    copy_rows(
        connection,
        User,
        ("id", "email", "full_name", "language", "administration_id"),
        (
            (n, f"trainee{n}@bench.test", f"Trainee {n}", LANGUAGES[n % 3],
             n % sizes.administrations + 1)
            for n in range(1, sizes.trainees + 1)
        ),
    )  # fmt: skip
    trainees = range(1, sizes.trainees + 1)
    copy_rows(connection, UserRole, ("user_id", "role"), ((n, Role.TRAINEE) for n in trainees))
    copy_rows(
        connection,
        ApiToken,
        ("id", "user_id", "name", "token_hash", "prefix", "created_at"),
        (
            (n, n, "bench", hashlib.sha256(secret.encode()).hexdigest(), secret[:10], stamp)
            for n in range(1, sizes.tokens + 1)
            for secret in (token_secret(n),)
        ),
    )
    _fill_courses(connection, sizes, stamp)
    _fill_enrolments(connection, sizes)


def _code(number: int) -> str:
    return chr(ord("A") + (number - 1) // 26 % 26) + chr(ord("A") + (number - 1) % 26)


def _fill_courses(connection: psycopg.Connection, sizes: Sizes, stamp: datetime) -> None:
    courses = range(1, sizes.courses + 1)
    copy_rows(
        connection,
        Course,
        ("id", "slug", "code", "default_language", "status", "estimated_minutes", "due_days",
         "published_at", "created_at", "updated_at"),
        ((c, f"course-{c}", f"WCO-{c:04d}", "en", CourseStatus.PUBLISHED, 60 + c % 120, 60,
          stamp, stamp, stamp) for c in courses),
    )  # fmt: skip
    copy_rows(
        connection,
        CourseTranslation,
        ("id", "course_id", "lang", "title", "summary", "objectives", "search_text", "sort_title"),
        _course_translations(courses),
    )
    copy_rows(
        connection,
        CourseTopic,
        ("course_id", "topic"),
        ((c, TOPICS[(c + k) % len(TOPICS)]) for c in courses for k in (0, 1)),
    )
    copy_rows(
        connection,
        CourseAdministration,
        ("course_id", "administration_id"),
        ((c, c % sizes.administrations + 1) for c in courses if _restricted(c)),
    )
    copy_rows(
        connection,
        Module,
        ("id", "course_id", "key", "position", "titles", "created_at", "updated_at"),
        ((c, c, "module-1", 1, {"en": "Module", "ru": "Модуль"}, stamp, stamp) for c in courses),
    )
    copy_rows(
        connection,
        Lesson,
        ("id", "course_id", "module_id", "key", "kind", "position", "created_at", "updated_at"),
        (
            (lesson_id(c, p), c, c, f"lesson-{p}", LessonKind.TEXT, p, stamp, stamp)
            for c in courses
            for p in range(1, LESSONS_PER_COURSE + 1)
        ),
    )
    body = "Customs valuation starts from the transaction value. " * 40
    copy_rows(
        connection,
        LessonTranslation,
        ("id", "lesson_id", "lang", "title", "body"),
        (
            (lesson_id(c, p) * 3 + i, lesson_id(c, p), lang, f"Lesson {p} ({lang})", body)
            for c in courses
            for p in range(1, LESSONS_PER_COURSE + 1)
            for i, lang in enumerate(LANGUAGES)
        ),
    )


def _course_translations(courses: range) -> Iterator[tuple[Any, ...]]:
    for c in courses:
        words = " ".join(WORDS[(c + k) % len(WORDS)] for k in range(3))
        for i, lang in enumerate(LANGUAGES):
            title = f"{TITLE_PREFIXES[lang]} {c}: {words}"
            summary = f"{words} ({lang}) " * 8
            objectives = [f"Objective {k}" for k in range(3)]
            folded = f"{title}\n{summary}".casefold()
            yield c * 3 + i, c, lang, title, summary, objectives, folded, title.casefold()


def _fill_enrolments(connection: psycopg.Connection, sizes: Sizes) -> None:
    """Up to 5 courses a trainee: a tenth completed, some withdrawn or expired, the rest begun."""
    per_trainee = -(-sizes.enrolments // sizes.trainees)
    progress: list[tuple[int, int, datetime]] = []

    def enrolments() -> Iterator[tuple[Any, ...]]:
        number = 0
        for trainee in range(1, sizes.trainees + 1):
            for k in range(per_trainee):
                number += 1
                if number > sizes.enrolments:
                    return
                course = (trainee * 7 + k * COURSE_STEP) % sizes.courses + 1
                enrolled = NOW - timedelta(days=number % 300, minutes=number % 1440)
                status, done = _state(number)
                activity = enrolled + timedelta(days=1) if done else None
                progress.extend(
                    (number, lesson_id(course, p), enrolled + timedelta(hours=p))
                    for p in range(1, done + 1)
                )
                completed = activity if status == EnrolmentStatus.COMPLETED else None
                yield (number, trainee, course, status, EnrolmentSource.SELF, enrolled,
                       enrolled + timedelta(days=60), activity, activity, completed,
                       100 * done // LESSONS_PER_COURSE, enrolled, enrolled)  # fmt: skip

    copy_rows(
        connection,
        Enrolment,
        ("id", "user_id", "course_id", "status", "source", "enrolled_at", "due_at", "started_at",
         "last_activity_at", "completed_at", "progress_percent", "created_at", "updated_at"),
        enrolments(),
    )  # fmt: skip
    copy_rows(
        connection,
        LessonProgress,
        ("id", "enrolment_id", "lesson_id", "completed_at"),
        ((i, *row) for i, row in enumerate(progress, 1)),
    )


def _state(number: int) -> tuple[EnrolmentStatus, int]:
    kind = number % 50
    if kind < 5:
        return EnrolmentStatus.COMPLETED, LESSONS_PER_COURSE
    if kind < 8:
        return EnrolmentStatus.WITHDRAWN, 0
    if kind < 9:
        return EnrolmentStatus.EXPIRED, 0
    return EnrolmentStatus.ACTIVE, number % LESSONS_PER_COURSE


def _enrol_in_quiz_course(connection: psycopg.Connection, tokens: int, course_id: int) -> None:
    copy_rows(
        connection,
        Enrolment,
        ("user_id", "course_id", "status", "source", "enrolled_at"),
        (
            (n, course_id, EnrolmentStatus.ACTIVE, EnrolmentSource.BULK, NOW)
            for n in range(1, tokens + 1)
        ),
    )


def reset_quiz(dataset: Dataset) -> None:
    """Forget every attempt at the quiz, and what passing it recorded, before measuring it."""
    with psycopg.connect(dataset.conninfo) as connection:
        connection.execute("DELETE FROM quiz_attempts WHERE lesson_id = %s", (dataset.quiz_id,))
        connection.execute("DELETE FROM lesson_progress WHERE lesson_id = %s", (dataset.quiz_id,))


def tokens_recently_used(dataset: Dataset) -> None:
    """Every token used a moment ago, as in steady use: its next use writes nothing."""
    with psycopg.connect(dataset.conninfo) as connection:
        connection.execute("UPDATE api_tokens SET last_used_at = now()")


def trainee_course(sizes: Sizes, user_id: int) -> int:
    """The first course trainee ``user_id`` is enrolled in and may still open."""
    per_trainee = -(-sizes.enrolments // sizes.trainees)
    for k in range(per_trainee):
        status, _done = _state((user_id - 1) * per_trainee + k + 1)
        course = (user_id * 7 + k * COURSE_STEP) % sizes.courses + 1
        if status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED) and not _restricted(
            course
        ):
            return course
    return 1


def _restricted(course: int) -> bool:
    """A tenth of the courses are open to one administration only."""
    return course % 10 == 0
