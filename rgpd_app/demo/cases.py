"""The demo's live cases, played through the services and the worker's own jobs at past instants.

Each step runs with the application clock set to its instant (`at`), in the order they happened,
and the worker's round (`scheduler.tick`) runs in between as it would have: the e-mails are
accepted (written as .eml files when no SMTP server is set), the objection windows open, the
breach clocks start, the journal is sealed. What the demo shows is therefore what the product
computes from these facts, not figures typed in: change a rule and the demo follows it.

Timeline, with T the moment `flask rgpd demo` runs (days before T):
  70  Cesson-Sévigné announces an audit (first day 35 days later); accepted the next day.
  40  Montigny's instructor gives an instruction; the processor's DPO acknowledges it.
  35  the Cesson audit begins; 4 days before T its report arrives (observations clock running).
  12  a second instruction, apparently unlawful: the processor's DPO suspends it (annex 1.3).
   6  a sub-processor addition is notified to the three municipalities; Montigny objects (T-4).
   5  Montigny announces an audit (awaiting the processor's answer).
   4  a data-subject request for Montigny; its DPO asks for help; extended the day before T.
   3  a change to a sub-processor outside the EU: Colmar's explicit approval is awaited.
   1  Montigny deposits an encrypted file for the support (awaiting collection).
  13 hours before T: a ransomware breach; Montigny and Cesson are notified, 72 h clocks run.
"""

import heapq
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from rgpd_app.accounts.models import User
from rgpd_app.extensions import db
from rgpd_app.foundation.actor import actor_for
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.models import ProcessingActivity

MONTIGNY = "Commune de Montigny-lès-Metz"
CESSON = "Commune de Cesson-Sévigné"
COLMAR = "Commune de Colmar"
PROCESSOR_DPO = "dpo@logiciels-publics.example"
SECURITY_OFFICER = "securite@logiciels-publics.example"
SUPPORT = "support@logiciels-publics.example"
INSTRUCTOR = "instructions@montigny.example"
ASSISTANCE_QUESTION = "Extraire les actes et les inscriptions à la cantine de Jeanne Martin."
DPO_OF = {
    MONTIGNY: "dpo@montigny.example",
    CESSON: "dpo@cesson.example",
    COLMAR: "dpo@colmar.example",
}


@contextmanager
def at(moment: datetime):
    """Run the block with the application clock (`clock.now()`) reading `moment`."""
    config = current_app.config
    previous = config.get("NOW")
    config["NOW"] = lambda: moment
    try:
        yield moment
    finally:
        config["NOW"] = previous


def worker_round(moment: datetime) -> None:
    """What the worker does at `moment`: every job once, then the queues (exports...)."""
    from rgpd_app.scheduler import drain_queues, tick

    with at(moment):
        tick(moment)
        drain_queues()


def actor(email: str, moment: datetime):
    return actor_for(db.session.scalar(select(User).where(User.email == email)), moment)


def town(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def activity(town_name: str, name: str) -> ProcessingActivity:
    return db.session.scalar(
        select(ProcessingActivity).where(
            ProcessingActivity.controller_id == town(town_name).id, ProcessingActivity.name == name
        )
    )


def _audit_data(asked: datetime, start: date, auditor: dict, scope: str) -> dict:
    """The audit of last year (as of the day it is asked: the period cannot be in the future)."""
    return {
        "start_on": start,
        "end_on": start + timedelta(days=1),
        "scope": scope,
        "period_from": date(asked.year - 1, 1, 1),
        "period_to": date(asked.year - 1, 12, 31),
        "auditors": [auditor],
        "ask_agreement": False,
        "reaudit_of_id": None,
    }


def _nda():
    from rgpd_app.audits.storage import Upload

    return Upload("accord-confidentialite.pdf", b"%PDF-1.4 accord de confidentialite signe",
                  "application/pdf")  # fmt: skip


def audit_with_report(now: datetime):
    """Cesson's audit: announced T-70, accepted T-69, begun T-35, report received T-4."""
    from rgpd_app.audits import decisions, progress, submission
    from rgpd_app.audits.storage import Upload

    asked = now - timedelta(days=70)
    start = (now - timedelta(days=35)).date()
    auditor = {
        "name": "Hugo Lambert",
        "firm": "Cabinet Conformité Ouest",
        "reference": "CCO-2026-07",
        "email": "h.lambert@conformite-ouest.example",
    }
    scope = "Sauvegardes et gestion des accès du portail famille"
    made = yield (
        asked,
        lambda m: submission.request_audit(
            _audit_data(m, start, auditor, scope), [_nda()], actor=actor(DPO_OF[CESSON], m), now=m
        ),
    )
    yield (
        asked + timedelta(days=1),
        lambda m: decisions.accept(made.id, actor=actor(PROCESSOR_DPO, m), now=m),
    )
    yield (
        now - timedelta(days=35),
        lambda m: progress.start(made.id, actor=actor(DPO_OF[CESSON], m), now=m),
    )
    report = Upload("rapport-audit.pdf", b"%PDF-1.4 rapport d'audit : 3 observations",
                    "application/pdf")  # fmt: skip
    yield (
        now - timedelta(days=4),
        lambda m: progress.upload_report(made.id, report, actor=actor(DPO_OF[CESSON], m), now=m),
    )


def instructions(now: datetime):
    """Two written instructions of Montigny: one acknowledged, one suspended as unlawful."""
    from rgpd_app.instructions import decisions, services
    from rgpd_app.instructions.storage import Upload

    given = now - timedelta(days=40)
    letter = Upload("lettre-du-maire.pdf", b"%PDF-1.4 lettre du maire", "application/pdf")
    first = yield (
        given,
        lambda m: services.record_instruction(
            {
                "subject": "Durée de conservation des demandes d'actes",
                "text": "Supprimer les demandes d'actes d'état civil au-delà de 2 ans.",
                "effective_on": (m + timedelta(days=7)).date(),
                "activity_ids": [activity(MONTIGNY, "Gestion de l'état civil").id],
                "supersedes_id": None,
            },
            [letter],
            actor=actor(INSTRUCTOR, m),
            now=m,
        ),
    )
    yield (
        given + timedelta(days=1),
        lambda m: decisions.acknowledge(first.id, actor=actor(PROCESSOR_DPO, m), now=m),
    )
    given = now - timedelta(days=12)
    second = yield (
        given,
        lambda m: services.record_instruction(
            {
                "subject": "Transmission des fichiers de la cantine",
                "text": "Transmettre chaque mois la liste des familles inscrites à la cantine, "
                "avec leur quotient familial, à l'agence de communication de la commune.",
                "effective_on": (m + timedelta(days=3)).date(),
                "activity_ids": [activity(MONTIGNY, "Cantine scolaire").id],
                "supersedes_id": None,
            },
            [],
            actor=actor(INSTRUCTOR, m),
            now=m,
        ),
    )
    reason = (
        "Les données de la cantine ont été collectées pour inscrire les enfants et facturer les "
        "repas : les transmettre à une agence de communication est un détournement de finalité "
        "(art. 5.1.b RGPD), sans base légale."
    )
    yield (
        given + timedelta(days=1),
        lambda m: decisions.flag(
            second.id, {"reason": reason}, actor=actor(PROCESSOR_DPO, m), now=m
        ),
    )


def _subprocessor(data: dict, m: datetime):
    from rgpd_app.subprocessors import catalogue

    return catalogue.create_subprocessor(data, actor=actor(PROCESSOR_DPO, m), now=m)


def _sub_data(m: datetime, **values) -> dict:
    return {
        "contract_start_on": (m + timedelta(days=45)).date(),
        "contract_end_on": date(m.year + 3, 12, 31),
        "dpa_valid_until_on": date(m.year + 3, 12, 31),
        "transfer_mechanism": "",
        "transfer_documentation": "",
        **values,
    }


def _notify(sub, m: datetime, *, activities: list[str], details: str):
    from rgpd_app.subprocessors.notices import services as notices

    dpo = actor(PROCESSOR_DPO, m)
    notice = notices.create_notice(
        {
            "kind": "addition",
            "subprocessor_id": sub.id,
            "activities": activities,
            "contract_start_on": (m + timedelta(days=45)).date(),
            "contract_end_on": date(m.year + 3, 12, 31),
            "scope": "all",
            "details": details,
        },
        actor=dpo,
        now=m,
    )
    return notices.send_notice(notice.id, actor=dpo, now=m)


def _recipient_id(notice, town_name: str) -> int:
    return next(r.id for r in notice.recipients if r.organisation_id == town(town_name).id)


def subprocessor_addition(now: datetime):
    """An addition inside its window: Montigny objects, Cesson and Colmar are silent so far."""
    from rgpd_app.subprocessors.notices import answers

    armor = _sub_data(
        now - timedelta(days=6),
        legal_name="Hébergeur Armor SAS",
        address="12 rue des Forges, 35000 Rennes",
        contact="Jeanne Le Goff, dpo@armor.example, 02 99 00 00 00",
        country="FR",
        processing_countries=["FR"],
        activities=["hosting", "backup"],
        dpa_reference="DPA-ARMOR-2026",
    )
    notice = yield (
        now - timedelta(days=6),
        lambda m: _notify(
            _subprocessor(armor, m), m, activities=["backup"], details="Second site de sauvegarde."
        ),
    )
    reason = "Nos sauvegardes doivent rester dans le Grand Est (délibération du conseil)."
    yield (
        now - timedelta(days=4),
        lambda m: answers.object_to(
            notice.id,
            _recipient_id(notice, MONTIGNY),
            reason=reason,
            actor=actor(DPO_OF[MONTIGNY], m),
            now=m,
        ),
    )


def subprocessor_outside_eu(now: datetime):
    """A sub-processor in the United States: only an explicit written approval allows it
    (annex 4.2), and none has come yet."""
    atlantic = _sub_data(
        now - timedelta(days=3),
        legal_name="Atlantic Support Services Inc.",
        address="200 Congress Avenue, Austin, TX 78701, États-Unis",
        contact="privacy@atlantic-support.example",
        country="US",
        processing_countries=["US"],
        activities=["support"],
        dpa_reference="DPA-ATL-2026",
        transfer_mechanism="sccs",
        transfer_documentation="Clauses contractuelles types 2021/914, module 3",
    )
    yield now - timedelta(days=3), lambda m: _notify(
        _subprocessor(atlantic, m), m, activities=["support"],
        details="Assistance de niveau 2 la nuit, depuis les États-Unis.",
    )  # fmt: skip


def audit_requested(now: datetime):
    """Montigny announces its audit 5 days ago, 45 days ahead: the processor must answer."""
    from rgpd_app.audits import submission

    auditor = {"name": "Nora Audit", "firm": "Cabinet Audit", "reference": "CA-2026-01",
               "email": "auditeur@cabinet-audit.example"}  # fmt: skip
    scope = "Gestion des accès à l'application état civil"
    yield (
        now - timedelta(days=5),
        lambda m: submission.request_audit(
            _audit_data(m, (m + timedelta(days=45)).date(), auditor, scope),
            [_nda()],
            actor=actor(DPO_OF[MONTIGNY], m),
            now=m,
        ),
    )


def assistance_request(now: datetime):
    """A request of access to Montigny; its DPO asks for help; the processor extends it."""
    from rgpd_app.requests import assistance, recording

    item = yield (
        now - timedelta(days=4),
        lambda m: recording.record_request(
            {
                "organisation_id": town(MONTIGNY).id,
                "kind": "access",
                "channel": "letter",
                "requester_identity": "Jeanne Martin, 3 rue des Tanneurs, 57950 Montigny-lès-Metz",
                "details": "Je demande copie de toutes mes données d'état civil et de cantine.",
            },
            actor=actor(SUPPORT, m),
            now=m,
        ),
    )
    yield (
        now - timedelta(days=4) + timedelta(hours=2),
        lambda m: recording.ask_assistance(
            {"request_id": item.id, "question": ASSISTANCE_QUESTION},
            actor=actor(DPO_OF[MONTIGNY], m),
            now=m,
        ),
    )
    yield (
        now - timedelta(days=1),
        lambda m: assistance.extend(
            item.id,
            {"reason": "complexity", "note": "Archives de la cantine sur bande, à restaurer."},
            actor=actor(PROCESSOR_DPO, m),
            now=m,
        ),
    )


def _deposit(m: datetime):
    from encryption import AesZipWriter
    from rgpd_app.deposits import receiving
    from rgpd_app.deposits.storage import IncomingFile, incoming_dir

    rows = "nom;prenom;naissance\n" + "".join(
        f"Habitant{i};Prénom{i};19{50 + i % 50}-01-01\n" for i in range(300)
    )
    with tempfile.NamedTemporaryFile(dir=incoming_dir(), suffix=".zip", delete=False) as out:
        with AesZipWriter(out, "Demo-depot-montigny-2026!") as writer:
            writer.add_bytes(rows.encode(), "extraction-etat-civil.csv")
    try:
        return receiving.receive_upload(
            IncomingFile(Path(out.name), "extraction-etat-civil.zip"),
            {"organisation_id": town(MONTIGNY).id},
            actor=actor(DPO_OF[MONTIGNY], m),
            now=m,
        )
    finally:
        Path(out.name).unlink(missing_ok=True)


def deposit(now: datetime):
    """Montigny's DPO deposits an AES-256 archive for the support, not collected yet."""
    yield now - timedelta(days=1), _deposit


BREACH = {
    "is_ongoing": False,
    "discovery": "Alerte de l'antivirus sur le serveur de fichiers mutualisé",
    "description": "Un rançongiciel a chiffré le partage des services techniques qui héberge "
    "les exports de l'état civil et de la cantine.",
    "natures": ["availability", "confidentiality"],
    "origin": "Pièce jointe piégée ouverte sur un poste d'administration",
    "cause": "external_malicious",
    "data_categories": ["État civil", "Coordonnées des parents"],
    "person_categories": ["Administrés", "Familles"],
    "persons_count": 1200,
    "records_count": 3400,
    "consequences": "Indisponibilité des exports, divulgation possible",
    "measures_taken": "Serveur isolé, comptes d'administration renouvelés",
    "measures_planned": "Restauration depuis la sauvegarde du second site",
    "prior_measures": "Sauvegardes quotidiennes chiffrées, antivirus",
    "contact_point": "RSSI, securite@logiciels-publics.example, 01 02 03 04 05",
}


def _confirm_all(breach_id: int, m: datetime) -> None:
    from rgpd_app.breaches.models import BreachNotice
    from rgpd_app.breaches.notices import services as notices

    officer = actor(SECURITY_OFFICER, m)
    stmt = select(BreachNotice.id).where(BreachNotice.breach_id == breach_id)
    for notice_id in db.session.scalars(stmt).all():
        notices.confirm_notice(notice_id, actor=officer, now=m)


def breach(now: datetime):
    """A ransomware attack known 15 hours ago; Montigny and Cesson told 13 hours ago: the
    mail server's acceptance starts each one's 72-hour clock (DESIGN §3)."""
    from rgpd_app.breaches import recording

    known = now - timedelta(hours=15)
    made = yield (
        known,
        lambda m: recording.record_breach(
            {
                **BREACH,
                "started_at": m - timedelta(hours=6),
                "ended_at": m - timedelta(hours=1),
                "aware_at": m,
                "organisation_ids": [town(MONTIGNY).id, town(CESSON).id],
            },
            actor=actor(SECURITY_OFFICER, m),
            now=m,
        ),
    )
    yield now - timedelta(hours=13), lambda m: _confirm_all(made.id, m)


SCENARIOS = (
    audit_with_report,
    instructions,
    subprocessor_addition,
    subprocessor_outside_eu,
    audit_requested,
    assistance_request,
    deposit,
    breach,
)


def play(now: datetime, scenarios=SCENARIOS) -> None:
    """Run every scenario's steps in the order of their instants (the journal then reads as the
    history it is), each followed one minute later by the worker's round; then a round now."""
    heap: list = []
    order = count()

    def advance(story, result=None, *, first=False):
        try:
            moment, step = next(story) if first else story.send(result)
        except StopIteration:
            return
        heapq.heappush(heap, (moment, next(order), step, story))

    for scenario in scenarios:
        advance(scenario(now), first=True)
    while heap:
        moment, _, step, story = heapq.heappop(heap)
        with at(moment):
            result = step(moment)
        advance(story, result)
        round_at = moment + timedelta(minutes=1)
        if not heap or heap[0][0] > round_at:  # else the next step's own round follows it
            worker_round(round_at)
    worker_round(now)
