"""E-mails about deposits (generic notice template, through the outbox)."""

from datetime import datetime

from rgpd_app.accounts.grants import emails_holding
from rgpd_app.deposits.models import Deposit, Intervention
from rgpd_app.foundation import roles
from rgpd_app.notifications.services import enqueue_email


def _send(to: list[str], *, title: str, lines: list[str], link: str, org, event, now) -> None:
    for address in dict.fromkeys(a.lower() for a in to if a):
        enqueue_email(
            to=address,
            template="notice",
            context={
                "title": title,
                "lines": lines,
                "organisation_name": org.name if org else "",
                "link": link,
            },
            organisation_id=org.id if org else None,
            event=event,
            now=now,
        )


def report_quarantine(deposit: Deposit, *, now: datetime) -> None:
    """To the depositor (the municipality's DPO) and the security staff."""
    org = deposit.organisation
    _send(
        [org.dpo_email if org else "", *emails_holding((roles.SECURITY_OFFICER,))],
        title="Dépôt refusé : le fichier n'est pas une archive zip chiffrée en AES-256",
        lines=[
            f"Fichier déposé : {deposit.original_filename}",
            f"Motif : {deposit.check_message}",
            "Le fichier a été retiré du serveur FTP et placé en quarantaine, puis sera détruit.",
            "Déposez à nouveau les données dans une archive zip chiffrée en AES-256 (7-Zip : "
            "format zip, chiffrement AES-256) et communiquez le mot de passe par un autre canal.",
        ],
        link=f"/deposits/{deposit.id}",
        org=org,
        event=("deposit", f"{deposit.id}:quarantined"),
        now=now,
    )


def announce_sent(deposit: Deposit, *, host: str, now: datetime) -> None:
    """Tell the recipient where the archive is; the password never travels by e-mail."""
    _send(
        [deposit.recipient_email],
        title="Un fichier chiffré vous attend sur le serveur FTP",
        lines=[
            f"Serveur : {host}",
            f"Emplacement : {deposit.remote_path}",
            f"Taille : {deposit.size} octets — SHA-256 : {deposit.sha256}",
            "L'archive est chiffrée en AES-256. Le mot de passe vous est communiqué par un "
            "autre canal (téléphone) ; il n'est jamais envoyé par e-mail.",
        ],
        link=f"/deposits/{deposit.id}",
        org=deposit.organisation,
        event=("deposit", f"{deposit.id}:sent"),
        now=now,
    )


def announce_certificate(item: Intervention, *, now: datetime) -> None:
    _send(
        [item.organisation.dpo_email],
        title=f"Intervention {item.reference} : certificat de destruction des fichiers",
        lines=[
            "Les fichiers échangés pour cette intervention ont été détruits, sur nos serveurs "
            "et sur le serveur FTP.",
            f"Empreinte SHA-256 du certificat : {item.certificate_sha256}",
        ],
        link=f"/deposits/interventions/{item.id}",
        org=item.organisation,
        event=("intervention", f"{item.id}:certificate"),
        now=now,
    )
