"""Uploads to the deposit pages are spooled to the storage disk, never held in memory.

Werkzeug keeps an upload in memory up to 500 kB, then in the system's temporary folder (often a
RAM disk). For the deposit blueprint the request writes the upload straight to a named file
under STORAGE_ROOT/deposits/incoming, so the service can move it into storage with a rename;
whatever the service did not take is deleted when the request ends.
"""

import tempfile
from pathlib import Path

from flask import Request, request

from rgpd_app.deposits.storage import IncomingFile, incoming_dir

BLUEPRINT = "deposits"


class DepositUploadRequest(Request):
    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        if self.blueprint != BLUEPRINT:
            return super()._get_file_stream(
                total_content_length, content_type, filename, content_length
            )
        # Closed by Request.close() (Werkzeug closes every uploaded file), then unlinked below;
        # created 0600 (mkstemp's mode) in the 0700 incoming folder.
        spool = tempfile.NamedTemporaryFile(
            dir=incoming_dir(), prefix="upload-", suffix=".part", delete=False
        )
        self.__dict__.setdefault("_deposit_spools", []).append(spool.name)
        return spool

    def close(self) -> None:
        try:
            super().close()
        finally:
            for name in self.__dict__.get("_deposit_spools", ()):
                Path(name).unlink(missing_ok=True)


def install(app) -> None:
    """Use DepositUploadRequest for the whole app (it changes nothing outside deposits)."""
    if not issubclass(app.request_class, DepositUploadRequest):
        app.request_class = type(
            "DepositAwareRequest", (DepositUploadRequest, app.request_class), {}
        )


def take_upload(field: str) -> IncomingFile | None:
    """The uploaded file of `field`, flushed to its spool file, or None when none was sent."""
    stored = request.files.get(field)
    if stored is None or not stored.filename:
        return None
    stream = stored.stream
    stream.flush()
    name = getattr(stream, "name", None)
    if not isinstance(name, str):  # not spooled by us (another blueprint): refuse, never guess
        return None
    return IncomingFile(Path(name), stored.filename)
