"""Fault injection for the outbox: an SMTP server (aiosmtpd on the loopback) that can slow its
answers, drop the connection or kill -9 the sender at each step, and senders run as child
processes (`tests/outbox_child.py`) so that a kill is a real one."""

import asyncio
import email
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
CHILD = Path(__file__).resolve().parent / "outbox_child.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    message_id: str
    recipient: str
    at: float  # time.time() when the server answered 250 to DATA


@dataclass
class FaultHandler:
    """`kill_at` / `drop_at`: "MAIL", "RCPT", "DATA" (before answering) or "DATA_250" (just after
    the 250 is written), applied once to the `fault_on`-th message (1-based) the server sees."""

    victim: int | None = None  # pid to kill -9
    kill_at: str = ""
    drop_at: str = ""
    fault_on: int = 1
    data_delay: float = 0.0  # seconds before answering DATA
    received: list[Received] = field(default_factory=list)
    seen: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _fault(self, step: str, server) -> bool:
        """Apply the fault planned at `step`; True when the connection was dropped."""
        if self.seen != self.fault_on:
            return False
        if self.kill_at == step and self.victim:
            os.kill(self.victim, signal.SIGKILL)
            self.kill_at = ""
        if self.drop_at == step:
            server.transport.close()
            self.drop_at = ""
            return True
        return False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self._lock:
            self.seen += 1
        self._fault("MAIL", server)
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self._fault("RCPT", server)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        if self._fault("DATA", server):
            return "421 4.3.0 Closing connection"  # never written: the sender saw no answer
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            number = len(self.received) + 1
            for rcpt in envelope.rcpt_tos:
                self.received.append(Received(message["Message-ID"], rcpt, time.time()))
        if self.seen == self.fault_on and "DATA_250" in (self.kill_at, self.drop_at):
            # After aiosmtpd has written our answer: the sender gets the 250, then dies.
            asyncio.get_running_loop().call_soon(self._fault, "DATA_250", server)
        return f"250 2.0.0 Ok: queued as Q{number:06d}"

    def first_acceptance(self) -> dict[str, float]:
        first: dict[str, float] = {}
        for item in self.received:
            first.setdefault(item.message_id, item.at)
        return first

    def copies(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.received:
            counts[item.message_id] = counts.get(item.message_id, 0) + 1
        return counts


class FaultServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = FaultHandler()
        self._controller = None

    def start(self):
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def child_env(app, **settings) -> dict:
    """What a child needs to open the same database, instance folder and SMTP server."""
    config = {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "INSTANCE_PATH": app.instance_path,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "SMTP_HOST": app.config["SMTP_HOST"],
        "SMTP_PORT": app.config["SMTP_PORT"],
        "SMTP_STARTTLS": False,
        "SMTP_TIMEOUT_SECONDS": 10,
        "OUTBOX_SENDING_TIMEOUT_MINUTES": app.config["OUTBOX_SENDING_TIMEOUT_MINUTES"],
        **settings,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RGPD_CHILD_CONFIG": json.dumps(config)}
    env.pop("RGPD_CHILD_FAULT", None)
    return env


def spawn(app, mode: str = "send", fault: str = "", **settings) -> subprocess.Popen:
    """A sender child: `send` (one send_due round) or `worker` (flask rgpd worker's loop)."""
    env = child_env(app, **settings)
    if fault:
        env["RGPD_CHILD_FAULT"] = fault
    return subprocess.Popen(
        [sys.executable, str(CHILD), mode],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, dict | None, str]:
    """Wait for a child; its exit code, the counts it printed (None if it died) and stderr."""
    out, err = proc.communicate(timeout=timeout)
    counts = None
    for line in out.splitlines():
        if line.startswith("{"):
            counts = json.loads(line)
    return proc.returncode, counts, err
