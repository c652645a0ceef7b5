"""Outbox throughput to a real SMTP server on the loopback, with 1 and 2 senders.

Run: .venv/bin/python bench/outbox.py [--messages 1000] [--no-postgres]

For each backend (SQLite file; PostgreSQL database `rgpd_bench_outbox`, dropped at the end, when
it answers on 127.0.0.1:5432), N e-mails are enqueued, then one sender process (and then two at
once) runs `send_due` until the outbox is empty. The anchor, measured in the same run, is plain
smtplib sending the same MIME messages to the same server, one connection per message as the
outbox does, with no database at all: the ratio is what claiming, recording every attempt and
the acceptance costs. The server (aiosmtpd) counts copies: "dup" is messages received twice.
Figures are printed, never asserted.
"""

import argparse
import json
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_DB = "rgpd_bench_outbox"


class Counter:
    def __init__(self):
        self.copies: dict[str, int] = {}

    async def handle_DATA(self, server, session, envelope):
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                key = line.split(b":", 1)[1].strip().decode()
                self.copies[key] = self.copies.get(key, 0) + 1
                break
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def config(url: str, instance: str, port: int) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "bench",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_STARTTLS": False,
    }


def child(settings: dict) -> None:
    from rgpd_app import clock, create_app
    from rgpd_app.notifications import services

    app = create_app(settings)
    with app.app_context():
        total = {"sent": 0}
        while True:
            counts = services.send_due(clock.now())
            total["sent"] += counts["sent"]
            if counts.get("busy") or not any(counts.values()):
                break
        print(json.dumps(total), flush=True)


def prepare(settings: dict, count: int) -> None:
    from rgpd_app import clock, create_app
    from rgpd_app.extensions import db
    from rgpd_app.notifications import services

    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
        now = clock.now()
        for n in range(count):
            services.enqueue_email(
                to=f"agent{n}@commune.example",
                template="notice",
                context={"title": f"Avis {n}", "lines": ["Texte de l'avis."], "link": "/"},
                now=now,
            )
        db.session.commit()
        db.engine.dispose()


def run_senders(settings: dict, senders: int) -> tuple[float, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", json.dumps(settings)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(senders)
    ]
    sent = 0
    for proc in procs:
        out, _ = proc.communicate()
        sent += json.loads(out.strip().splitlines()[-1])["sent"]
    return time.perf_counter() - start, sent


def anchor(port: int, count: int) -> float:
    start = time.perf_counter()
    for n in range(count):
        message = EmailMessage()
        message["Subject"], message["From"] = f"Avis {n}", "rgpd@localhost"
        message["To"], message["Message-ID"] = f"agent{n}@commune.example", f"<a{n}@bench>"
        message.set_content("Texte de l'avis.")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    return time.perf_counter() - start


def postgres_url() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception:
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    from aiosmtpd.controller import Controller

    port = free_port()
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    tmp = tempfile.mkdtemp(prefix="rgpd-bench-outbox-")
    backends = [("sqlite", f"sqlite:///{tmp}/bench.sqlite3")]
    pg = None if args.no_postgres else postgres_url()
    if pg:
        backends.append(("postgresql", pg))
    try:
        base = anchor(port, args.messages)
        rate = args.messages / base
        print(f"{args.messages} messages, aiosmtpd on 127.0.0.1:{port}")
        print(f"anchor: plain smtplib, no database: {base:6.2f} s  {rate:7.1f} msg/s")
        print("backend     senders  seconds   msg/s   ratio to anchor  sent  dup")
        for name, url in backends:
            settings = config(url, f"{tmp}/instance-{name}", port)
            for senders in (1, 2):
                prepare(settings, args.messages)
                counter.copies.clear()
                seconds, sent = run_senders(settings, senders)
                dup = sum(1 for c in counter.copies.values() if c > 1)
                print(
                    f"{name:<11} {senders:>7} {seconds:8.2f} {args.messages / seconds:7.1f}"
                    f" {base / seconds:16.2f} {sent:5d} {dup:4d}"
                )
    finally:
        controller.stop()
        if pg:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
