from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rgpd_app.extensions import db
from rgpd_app.foundation.journal import Journaled
from rgpd_app.foundation.types import UTCDateTime
from rgpd_app.organisations.models import Organisation
from rgpd_app.register.choices import DRAFT

# Who relies on whom (annex 4.4): a sub-processor (parent) uses a further one (child).
subprocessor_chain = Table(
    "subprocessor_chain",
    db.metadata,
    Column("parent_id", ForeignKey("subprocessor.id", ondelete="CASCADE"), primary_key=True),
    Column("child_id", ForeignKey("subprocessor.id", ondelete="CASCADE"), primary_key=True),
    CheckConstraint("parent_id <> child_id", name="ck_subprocessor_chain_not_self"),
)


class Subprocessor(Journaled, db.Model):
    """A sub-processor the processor uses (annex 4.4), with its contract and transfer terms."""

    __tablename__ = "subprocessor"
    journal_type = "subprocessor"
    journal_organisation = None

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    contact: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    # Derived on every save from `country` and `processing_countries` (the EEA list).
    is_outside_eea: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # JSON text lists: ISO-2 codes where its data is processed; operation codes it performs.
    processing_countries: Mapped[str] = mapped_column(Text, default="[]")
    activities: Mapped[str] = mapped_column(Text, default="[]")
    contract_start_on: Mapped[date | None]
    contract_end_on: Mapped[date | None]
    dpa_reference: Mapped[str] = mapped_column(String(300), default="")
    dpa_valid_until_on: Mapped[date | None]
    transfer_mechanism: Mapped[str] = mapped_column(String(20), default="")
    transfer_documentation: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    relies_on: Mapped[list["Subprocessor"]] = relationship(
        secondary=subprocessor_chain,
        primaryjoin=lambda: Subprocessor.id == subprocessor_chain.c.parent_id,
        secondaryjoin=lambda: Subprocessor.id == subprocessor_chain.c.child_id,
        order_by=lambda: Subprocessor.legal_name,
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Subprocessor {self.legal_name!r}>"


processing_subprocessor = Table(
    "processing_subprocessor",
    db.metadata,
    Column(
        "activity_id", ForeignKey("processing_activity.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("subprocessor_id", ForeignKey("subprocessor.id"), primary_key=True, index=True),
)

_children = {"cascade": "all, delete-orphan", "lazy": "selectin"}

# The register lists (by default) and exports entries by municipality name (listing.ORDER):
# with this index a page of 45,000 entries is read in order instead of sorted
# (bench/register.py). It belongs to the organisation table, whose other users (the
# organisations list) sort by name too.
Index("ix_organisation_name", Organisation.name)


class ProcessingActivity(Journaled, db.Model):
    """One processing activity of a controller: both sides of the art. 30 record.

    `version` counts saved versions; an update names the version it read and a stale one is
    refused (optimistic concurrency, also enforced by the UPDATE's WHERE clause).
    """

    __tablename__ = "processing_activity"
    __table_args__ = (Index("ix_processing_activity_controller_name", "controller_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    controller_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    version: Mapped[int] = mapped_column(default=1)
    # Processor side (art. 30(2)); JSON text lists of codes from choices.py.
    operations: Mapped[str] = mapped_column(Text, default="[]")
    operations_detail: Mapped[str] = mapped_column(Text, default="")
    security_notes: Mapped[str] = mapped_column(Text, default="")
    # Controller side (art. 30(1)); JSON text label lists.
    legal_bases: Mapped[str] = mapped_column(Text, default="[]")
    data_subjects: Mapped[str] = mapped_column(Text, default="[]")
    recipients: Mapped[str] = mapped_column(Text, default="[]")
    estimated_persons: Mapped[int | None]
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("processing_activity.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    controller: Mapped[Organisation] = relationship(lazy="joined")
    purposes: Mapped[list["Purpose"]] = relationship(order_by="Purpose.position", **_children)
    data_categories: Mapped[list["DataCategory"]] = relationship(
        order_by="DataCategory.position", **_children
    )
    journal_type = "processing_activity"
    journal_organisation = "controller_id"
    transfers: Mapped[list["Transfer"]] = relationship(order_by="Transfer.position", **_children)
    measures: Mapped[list["SecurityMeasure"]] = relationship(
        order_by="SecurityMeasure.position", **_children
    )
    subprocessors: Mapped[list[Subprocessor]] = relationship(
        secondary=processing_subprocessor, lazy="selectin", order_by=Subprocessor.legal_name
    )

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<ProcessingActivity {self.id} {self.name!r}>"


class Purpose(db.Model):
    __tablename__ = "processing_purpose"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(500))
    # The controller's written instruction it comes from (annex 1.2).
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instruction.id"), index=True)


class DataCategory(db.Model):
    __tablename__ = "processing_data_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(500), default="")  # the purpose that needs it
    retention_value: Mapped[int | None]
    retention_unit: Mapped[str | None] = mapped_column(String(10))
    retention_criterion: Mapped[str] = mapped_column(Text, default="")
    is_special: Mapped[bool] = mapped_column(default=False, index=True)  # art. 9
    is_criminal: Mapped[bool] = mapped_column(default=False, index=True)  # art. 10
    # Annex 2.1: the processor was informed of art. 9/10 data — when and by whom.
    processor_informed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    processor_informed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


# Only a few categories are art. 9/10: the list's "special data" filter reads this small index.
Index(
    "ix_processing_data_category_sensitive",
    DataCategory.activity_id,
    sqlite_where=or_(DataCategory.is_special, DataCategory.is_criminal),
    postgresql_where=or_(DataCategory.is_special, DataCategory.is_criminal),
)


class Transfer(db.Model):
    """A transfer outside the EU/EEA (annex 4.2): safeguard and prior written consent."""

    __tablename__ = "processing_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    country: Mapped[str] = mapped_column(String(2))
    recipient: Mapped[str] = mapped_column(String(300))
    safeguard: Mapped[str] = mapped_column(String(20))
    safeguard_documentation: Mapped[str] = mapped_column(Text, default="")
    consent_by: Mapped[str] = mapped_column(String(200), default="")
    consent_on: Mapped[date | None]
    consent_reference: Mapped[str] = mapped_column(String(300), default="")

    @property
    def has_consent(self) -> bool:
        return bool(self.consent_by and self.consent_on and self.consent_reference)


class SecurityMeasure(db.Model):
    __tablename__ = "processing_security_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    family: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")


class ProcessingVersion(db.Model):
    """One saved state of an activity: who, when, what changed, and the full snapshot."""

    __tablename__ = "processing_version"
    __table_args__ = (Index("ix_processing_version_activity_at", "activity_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id", ondelete="CASCADE")
    )
    controller_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_by_email: Mapped[str] = mapped_column(String(254), default="")
    changed_fields: Mapped[str] = mapped_column(Text, default="[]")
    snapshot: Mapped[str] = mapped_column(Text)


class RegisterTask(db.Model):
    """Work the register raises for the processor DPO (e.g. reinforced security, annex 2.1)."""

    __tablename__ = "register_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("processing_activity.id", ondelete="CASCADE"), index=True
    )
    controller_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
