"""Certificates: how long rendering one PDF takes in a single process.

Run: ``.venv/bin/python benchmarks/certificates.py [--count 1000]``. Renders certificates with
Russian names, courses and administrations (the widest glyph mix), one after another, and
prints the per-certificate median and p95 in milliseconds (wall clock, and CPU time, which other
processes on the machine do not inflate), throughput and PDF size. The first render, which also
parses the fonts, is reported apart.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from datetime import date, timedelta

from elearn.certificates.codes import new_verification_code
from elearn.certificates.content import CertificateContent, Issuer
from elearn.certificates.pdf import render_certificate

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}")
    benchmark_rendering(args.count)


if __name__ == "__main__":
    main()
