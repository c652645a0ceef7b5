"""Deposit use cases (shared by the pages, the API and the worker), the worker jobs and the
"Mes échéances" provider. The use cases live in their own modules, re-exported here."""

import logging

from rgpd_app.deposits import ftp
from rgpd_app.deposits.access import (  # noqa: F401
    certificate_file,
    get_deposit,
    get_intervention,
    is_overdue,
    list_deposits,
    list_interventions,
    open_download,
    open_interventions,
)
from rgpd_app.deposits.interventions import (  # noqa: F401
    attach,
    close_intervention,
    delete_remote_copies,
    destroy_deposit,
    open_intervention,
    validate_intervention,
)
from rgpd_app.deposits.receiving import poll_inbox, receive_upload  # noqa: F401
from rgpd_app.deposits.sending import send_file, upload_pending  # noqa: F401
from rgpd_app.extensions import db

log = logging.getLogger("rgpd_app.deposits")


def ftp_poll_job(now):
    try:
        return poll_inbox(now=now)
    except (ftp.FtpUnavailable, ftp.FtpMisconfigured) as error:
        db.session.rollback()
        log.warning("FTP inbox not polled: %s", error)
        return "unavailable"


def ftp_upload_job(now):
    return upload_pending(now=now)


def ftp_cleanup_job(now):
    return delete_remote_copies(now=now)
