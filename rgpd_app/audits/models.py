from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.exports.models import ExportJob
from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.organisations.models import Organisation
from rgpd_app.timesheets import TimeEntryColumns

NDA, REPORT, OBSERVATIONS, OTHER = "nda", "report", "observations", "other"
DOCUMENT_KINDS = (NDA, REPORT, OBSERVATIONS, OTHER)
OPEN, DONE = "open", "done"


class AuditRequest(Journaled, db.Model):
    """An audit announced by a municipality (controller) to the processor (annex art. 4.6)."""

    __tablename__ = "audit_request"
    journal_type = "audit_request"
    journal_prefix = "audit."

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    notice_received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    start_on: Mapped[date]
    end_on: Mapped[date]
    scope: Mapped[str] = mapped_column(Text, default="")
    period_from: Mapped[date]
    period_to: Mapped[date]
    state: Mapped[str] = mapped_column(String(30), index=True)
    needs_processor_agreement: Mapped[bool] = mapped_column(default=False)
    agreement_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agreement_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_accepted_by_silence: Mapped[bool] = mapped_column(default=False)
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    proposed_firm: Mapped[str] = mapped_column(String(200), default="")
    firm_decision_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_reaudit: Mapped[bool] = mapped_column(default=False)
    reaudit_of_id: Mapped[int | None] = mapped_column(ForeignKey("audit_request.id"))
    report_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    observations: Mapped[str] = mapped_column(Text, default="")
    observations_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_observations_late: Mapped[bool] = mapped_column(default=False)
    contest_reason: Mapped[str] = mapped_column(Text, default="")
    contested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Optimistic locking: a decision taken on a stale page is refused (409), never applied twice.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    auditors: Mapped[list["AuditAuditor"]] = relationship(
        back_populates="audit", order_by="AuditAuditor.id", lazy="selectin"
    )
    documents: Mapped[list["AuditDocument"]] = relationship(
        back_populates="audit", order_by="AuditDocument.id", lazy="selectin"
    )
    measures: Mapped[list["CorrectiveMeasure"]] = relationship(
        back_populates="audit", order_by="CorrectiveMeasure.id", lazy="selectin"
    )
    shares: Mapped[list["AuditShare"]] = relationship(
        back_populates="audit", order_by="AuditShare.id", lazy="selectin"
    )

    @property
    def reference(self) -> str:
        return f"AUD-{self.id:05d}"

    @property
    def firms(self) -> list[str]:
        return list(dict.fromkeys(a.firm for a in self.auditors))

    @property
    def open_measures(self) -> int:
        return sum(1 for m in self.measures if m.status == OPEN)


class AuditAuditor(db.Model):
    """An auditor named in the notice; `user_id` is the account created on acceptance."""

    __tablename__ = "audit_auditor"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_request.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    firm: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), default="")
    nda_document_id: Mapped[int | None] = mapped_column(ForeignKey("audit_document.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    audit: Mapped[AuditRequest] = relationship(back_populates="auditors")
    nda_document: Mapped["AuditDocument | None"] = relationship(foreign_keys=[nda_document_id])


class AuditDocument(db.Model):
    """A file of an audit, stored under STORAGE_ROOT/audits/<audit id>/<server name>."""

    __tablename__ = "audit_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    original_filename: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    audit: Mapped[AuditRequest] = relationship(back_populates="documents", foreign_keys=[audit_id])


class AuditShare(db.Model):
    """An evidence pack the municipality's DPO shared with the auditors named on an audit.

    The pack's file is kept (its export's expiry moved) until the auditors' access ends; the
    pack's password is not stored here: the DPO gives it to the auditors by another channel.
    """

    __tablename__ = "audit_share"
    __table_args__ = (UniqueConstraint("audit_id", "export_job_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_request.id"), index=True)
    export_job_id: Mapped[int] = mapped_column(ForeignKey("export_job.id"))
    shared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    shared_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    audit: Mapped[AuditRequest] = relationship(back_populates="shares")
    export: Mapped[ExportJob] = relationship(lazy="joined")


class CorrectiveMeasure(db.Model):
    """One measure of the corrective plan; the *_sent_at columns make the reminders idempotent."""

    __tablename__ = "audit_corrective_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_request.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=OPEN)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_alert_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    audit: Mapped[AuditRequest] = relationship(back_populates="measures")


class AuditTimeEntry(TimeEntryColumns, db.Model):
    """Billable time spent by the processor's staff on an audit (annex art. 4.6)."""

    __tablename__ = "audit_time_entry"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_request.id"), index=True)
