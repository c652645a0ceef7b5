"""Login timing by outcome (ASVS 5.0 V6.3.8): the median time of a refused login for an unknown
address, a wrong password, a locked account (wrong and right password), a disabled account,
each as a ratio to the unknown address — the anchor, measured in the same run.

Run: .venv/bin/python bench/login_timing.py [--tries 30]

Through the Flask test client on a temporary SQLite database; figures are printed, never
asserted (the tests count the work instead: tests/web/test_asvs_login_constant_work.py).
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rgpd_app import create_app  # noqa: E402
from rgpd_app.accounts.users import services as management  # noqa: E402
from rgpd_app.extensions import db  # noqa: E402
from rgpd_app.organisations import services as organisations  # noqa: E402

PASSWORD, WRONG = "Cassiopée-Lanterne-Ruisseau-47", "Pas-le-bon-mot-de-passe-7"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=30)
    tries = parser.parse_args().tries
    folder = tempfile.mkdtemp(prefix="rgpd-bench-login-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db", "SECRET_KEY": "b",
                      "INSTANCE_PATH": folder, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "LOGIN_MAX_FAILURES": 5})  # fmt: skip
    now = datetime.now(UTC)
    with app.app_context():
        db.create_all()
        town = organisations.create_organisation(
            {"name": "Commune de Bench", "siren": "215704636", "departement": "57"},
            is_processor=False, actor=None, now=now,
        )  # fmt: skip
        emails = {}
        for name in ("wrong", "locked", "disabled"):
            user = management.create_user(email=f"{name}@bench.example", name=name.title(),
                                          organisation=town, password=PASSWORD,
                                          role="controller_dpo", actor=None, now=now)  # fmt: skip
            emails[name] = user.email
            if name == "disabled":
                user.is_enabled = False
        db.session.commit()
    client = app.test_client()
    for _ in range(6):
        client.post("/login", data={"email": emails["locked"], "password": WRONG})
    cases = {
        "unknown (anchor)": ("nobody@bench.example", WRONG),
        "wrong password": (emails["wrong"], WRONG),
        "locked, wrong password": (emails["locked"], WRONG),
        "locked, right password": (emails["locked"], PASSWORD),
        "disabled": (emails["disabled"], PASSWORD),
    }
    medians = {}
    for label, (email, password) in cases.items():
        spent = []
        for _ in range(tries):
            started = time.perf_counter()
            client.post("/login", data={"email": email, "password": password})
            spent.append(time.perf_counter() - started)
        medians[label] = statistics.median(spent)
    anchor = medians["unknown (anchor)"]
    print(f"{'outcome':26} {'median ms':>10} {'× anchor':>9}")
    for label, value in medians.items():
        print(f"{label:26} {value * 1000:>10.1f} {value / anchor:>9.2f}")


if __name__ == "__main__":
    main()
