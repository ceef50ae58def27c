"""Regenerate docs/reminder-mail.png: a "due soon" reminder as a mail client shows it.

Run from the repository root: ``.venv/bin/python -m scripts.render_sample_reminder``.
Needs headless Chromium (Debian: ``apt-get install chromium``) only here.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from babel.numbers import format_percent

from elearn.notifications import rendering, timing

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = {
    "full_name": "Rashad Mammadov",
    "course_title": "Customs valuation: the transaction value method",
    "course_link": "https://elearn.example.org/courses/12",
    "due_date": timing.local_moment(datetime(2030, 3, 20, 20, 0, tzinfo=UTC), "Asia/Baku", "en"),
    "progress": format_percent(0.4, locale="en"),
    "lessons_left": 3,
    "unsubscribe_link": "https://elearn.example.org/unsubscribe/WzEyLCJyZW1pbmRlcnMiXQ.x.y",
}
CLIENT = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; font: 14px/1.4 Arial, Helvetica, sans-serif; background: #fff; }}
header {{ padding: 14px 20px; border-bottom: 1px solid #d9dde3; background: #fafbfc; }}
h1 {{ font-size: 18px; margin: 0 0 8px; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }}
dl {{ color: #3e4c59; }}
dt {{ color: #7b8794; }} dd {{ margin: 0; }}
iframe {{ border: 0; width: 100%; height: 640px; }}
</style></head><body>
<header><h1>{subject}</h1><dl>
<dt>From</dt><dd>elearn &lt;no-reply@elearn.example.org&gt;</dd>
<dt>To</dt><dd>Rashad Mammadov &lt;r.mammadov@customs.gov.az&gt;</dd>
<dt>Date</dt><dd>Thu, 14 Mar 2030 08:00:00 +0400</dd>
<dt>Unsubscribe</dt><dd>one-click (List-Unsubscribe-Post)</dd>
</dl></header>
<iframe srcdoc="{mail}"></iframe>
</body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reminder-mail.png")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium not found: apt-get install chromium")
    mail = rendering.render("due_soon", "en", SAMPLE)
    page = CLIENT.format(subject=html.escape(mail.subject), mail=html.escape(mail.html))
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "mail.html"
        source.write_text(page, encoding="utf-8")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=760,580",
                f"--screenshot={args.out.resolve()}",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
