from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from deadlines import calendar_for
from rgpd_app.extensions import db
from rgpd_app.foundation.types import UTCDateTime

PROCESSOR = "processor"
CONTROLLER = "controller"

# Per-contract period parameters with the defaults of DESIGN.md §3.
PERIOD_DEFAULTS = {
    "breach_processor_hours": 24,
    "breach_authority_hours": 72,
    "objection_days": 7,
    "audit_notice_days": 30,
    "auditor_refusal_days": 15,
    "audit_observations_days": 15,
    "audit_corrective_months": 3,
    "audit_interval_months": 12,
    "assistance_days": 15,
    "assistance_extension_days": 8,
    "auditor_access_days": 30,
}


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    siren: Mapped[str] = mapped_column(String(9), unique=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    departement: Mapped[str] = mapped_column(String(3))
    dpo_name: Mapped[str] = mapped_column(String(200), default="")
    dpo_email: Mapped[str] = mapped_column(String(254), default="")
    dpo_phone: Mapped[str] = mapped_column(String(30), default="")
    contract_reference: Mapped[str] = mapped_column(String(100), default="")
    contract_start_on: Mapped[date | None]
    contract_end_on: Mapped[date | None]
    is_password_renewal_required: Mapped[bool] = mapped_column(default=False)
    breach_processor_hours: Mapped[int] = mapped_column(default=24)
    breach_authority_hours: Mapped[int] = mapped_column(default=72)
    objection_days: Mapped[int] = mapped_column(default=7)
    audit_notice_days: Mapped[int] = mapped_column(default=30)
    auditor_refusal_days: Mapped[int] = mapped_column(default=15)
    audit_observations_days: Mapped[int] = mapped_column(default=15)
    audit_corrective_months: Mapped[int] = mapped_column(default=3)
    audit_interval_months: Mapped[int] = mapped_column(default=12)
    assistance_days: Mapped[int] = mapped_column(default=15)
    assistance_extension_days: Mapped[int] = mapped_column(default=8)
    auditor_access_days: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def is_processor(self) -> bool:
        return self.kind == PROCESSOR

    @property
    def calendar_code(self) -> str:
        """Holiday calendar from the département (57 Moselle, 67/68 Alsace, else metropolitan)."""
        return calendar_for(self.departement).code

    def period_lengths(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in PERIOD_DEFAULTS}

    def __repr__(self) -> str:
        return f"<Organisation {self.siren} {self.name!r}>"
