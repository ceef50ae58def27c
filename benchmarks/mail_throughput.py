"""Mail throughput: rendering, the outbox folder, SMTP against a local aiosmtpd (plain, and
STARTTLS with AUTH), and notify-then-send end to end in the embedded mode (SQLite, eager tasks).

Run from the repository root: ``.venv/bin/python -m benchmarks.mail_throughput [--mails N]``
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from elearn import create_app
from elearn.accounts.models import User
from elearn.config import Settings
from elearn.extensions import db
from elearn.infra.mail import Mailer, OutgoingMail, mailer_from_settings
from elearn.notifications import rendering, service
from elearn.notifications.models import Notification, NotificationStatus
from elearn.uow import unit_of_work
from tests import mailserver

VALUES = {
    "purpose": "welcome",
    "full_name": "Рашад Алиев",
    "link": "https://elearn.example.org/set-password?token=" + "x" * 120,
    "ttl_hours": 72,
    # Transactional mail (set-password) carries no unsubscribe link.
    "unsubscribe_link": None,
}


def measure(label: str, count: int, action: Callable[[int], object]) -> None:
    started = time.perf_counter()
    for number in range(count):
        action(number)
    elapsed = time.perf_counter() - started
    print(f"{label:<46} {count / elapsed:>9.0f} /s   {elapsed / count * 1000:>7.2f} ms each")


def sample_mail(number: int) -> OutgoingMail:
    rendered = rendering.render("set_password", "ru", VALUES)
    return OutgoingMail(
        to=f"officer{number}@customs.test",
        to_name="Рашад Алиев",
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
    )


def mailer_for(base: Settings, **changes: object) -> Mailer:
    return mailer_from_settings(replace(base, **changes))


def end_to_end(base: Settings, count: int, mailer: Mailer, label: str) -> None:
    """``count`` users each get a notification; each unit of work commits and sends eagerly."""
    app = create_app(base)
    app.extensions["elearn.mailer"] = mailer
    with app.app_context():
        db.drop_all()
        db.create_all()
        users = [User(email=f"e2e{n}@customs.test", full_name="Рашад Алиев") for n in range(count)]
        db.session.add_all(users)
        db.session.commit()
        ids = [user.id for user in users]

    def notify(number: int) -> None:
        with app.app_context(), unit_of_work():
            user = db.session.get(User, ids[number])
            service.notify(user, "set_password", {"purpose": "welcome"}, f"bench:{number}")

    measure(label, count, notify)
    with app.app_context():
        sent = db.session.query(Notification).filter_by(status=NotificationStatus.SENT).count()
        db.session.remove()
        db.engine.dispose()  # connections the eager tasks left in the pool
        db.drop_all()
    assert sent == count, f"only {sent} of {count} sent"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=500)
    count = parser.parse_args().mails
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        base = Settings(
            instance_path=str(root / "instance"), env="test", log_level="WARNING"
        ).validated()
        logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own chatter
        certificates = mailserver.write_certificates(root)
        plain = mailserver.start("smtp")
        tls = mailserver.start("smtp+starttls", certificates)
        try:
            smtp = mailer_for(base, smtp_url=plain.url())
            smtp_tls = mailer_for(
                base,
                smtp_url=tls.url(mailserver.USERNAME, mailserver.PASSWORD),
                smtp_ca_file=tls.ca_file,
            )
            outbox = mailer_for(base)
            print(f"{count} mails each; one SMTP connection per mail, as the task does")
            measure("render set_password (ru, text + HTML)", count, sample_mail)
            measure(
                "outbox folder: render + write .eml", count, lambda n: outbox.send(sample_mail(n))
            )
            measure("SMTP plain: render + send", count, lambda n: smtp.send(sample_mail(n)))
            measure(
                "SMTP STARTTLS + AUTH: render + send",
                count,
                lambda n: smtp_tls.send(sample_mail(n)),
            )
            end_to_end(base, count, outbox, "notify -> send, outbox folder (SQLite, eager)")
            end_to_end(base, count, smtp, "notify -> send, SMTP plain (SQLite, eager)")
            assert len(plain.received) == 2 * count
            assert len(tls.received) == count
        finally:
            plain.stop()
            tls.stop()


if __name__ == "__main__":
    main()
