"""Sub-processor use cases (annex 4.2, 4.4), the worker jobs and the "Mes échéances" provider.

One module per concept: catalogue (entries and chain), municipality (what a town sees),
notices (prepare and send), answers (objection, approval, receipt date, outcome), windows
(each recipient's clock). Views, API and worker call them through here.
"""

from datetime import datetime

from rgpd_app.subprocessors import catalogue, municipality
from rgpd_app.subprocessors.notices import answers, windows
from rgpd_app.subprocessors.notices import services as notices

__all__ = ["answers", "catalogue", "municipality", "notices", "windows"]


def start_windows(now: datetime) -> int:
    return windows.start_windows(now)


def send_reminders(now: datetime) -> int:
    return windows.send_reminders(now)


def close_windows(now: datetime) -> int:
    return windows.close_windows(now)
