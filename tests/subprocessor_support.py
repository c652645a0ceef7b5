"""Factories shared by the sub-processor tests (imported by tests/*/test_subprocessor*.py)."""

import email
import json
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller

from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.register.models import ProcessingActivity

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2 March 2026, 10:00 in Paris


def sub_data(**over) -> dict:
    values = {
        "legal_name": "Hébergeur Armor SAS",
        "address": "12 rue des Forges, 35000 Rennes",
        "contact": "Jeanne Le Goff, dpo@armor.example, 02 99 00 00 00",
        "country": "FR",
        "processing_countries": ["FR"],
        "activities": ["hosting", "backup"],
        "contract_start_on": date(2026, 4, 1),
        "contract_end_on": date(2029, 3, 31),
        "dpa_reference": "DPA-ARMOR-2026",
        "dpa_valid_until_on": date(2029, 3, 31),
        "transfer_mechanism": "",
        "transfer_documentation": "",
    }
    values.update(over)
    return values


def notice_data(sub_id: int, **over) -> dict:
    values = {
        "kind": "addition",
        "subprocessor_id": sub_id,
        "activities": ["hosting"],
        "contract_start_on": date(2026, 4, 1),
        "contract_end_on": date(2029, 3, 31),
        "scope": "all",
        "details": "",
    }
    values.update(over)
    return values


def add_processing(
    org, *, operations=("hosting",), subprocessors=(), name="État civil", now=SENT_AT
):
    activity = ProcessingActivity(
        controller_id=org.id,
        name=name,
        operations=json.dumps(list(operations)),
        created_at=now,
        updated_at=now,
    )
    activity.subprocessors = list(subprocessors)
    db.session.add(activity)
    db.session.commit()
    return activity


@dataclass
class World:
    dpo: object  # processor DPO actor
    rennes: object  # metropolitan calendar
    metz: object  # Moselle calendar
    rennes_dpo: object
    metz_dpo: object
    sub: object


@pytest.fixture
def sub_world(app, clock, make_org, make_user, processor):
    from rgpd_app.subprocessors import services

    clock.set(SENT_AT)
    dpo = actor_for(make_user("processor_dpo"), clock())
    rennes = make_org("Ville de Rennes", departement="35")
    metz = make_org("Ville de Metz", departement="57")
    rennes_dpo = actor_for(make_user("controller_dpo", rennes), clock())
    metz_dpo = actor_for(make_user("controller_dpo", metz), clock())
    sub = services.catalogue.create_subprocessor(sub_data(), actor=dpo, now=clock())
    return World(dpo, rennes, metz, rennes_dpo, metz_dpo, sub)


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sub_smtp(app):
    """A real SMTP server (aiosmtpd) on the loopback, started on demand."""
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    started = []

    class Server:
        def __init__(self):
            self.handler = Collector()

        def start(self):
            controller = Controller(self.handler, hostname="127.0.0.1", port=port)
            controller.start()
            started.append(controller)
            return self

    yield Server()
    while started:
        started.pop().stop()
