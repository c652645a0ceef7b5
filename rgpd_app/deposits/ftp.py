"""The FTP server where municipalities drop archives and collect ours (FTPS, RFC 4217).

Explicit TLS with certificate and host name verification; plain FTP only towards a loopback
address (tests). Every network failure becomes FtpUnavailable: the worker tries again later.
"""

import ftplib  # nosec B402 # FTPS with verification; plain FTP to a loopback address only
import hashlib
import posixpath
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rgpd_app.deposits.rules import transport_refusal

BLOCK = 1 << 20


class FtpUnavailable(Exception):
    """The server cannot be reached or refused an operation: retry later."""


class FtpMisconfigured(Exception):
    """The settings forbid connecting (no host, plain FTP to a remote host)."""


@dataclass(frozen=True)
class FtpSettings:
    host: str
    port: int
    user: str
    password: str
    inbox: str
    outbox: str
    use_tls: bool
    cafile: str
    timeout: int

    @classmethod
    def from_config(cls, config) -> "FtpSettings":
        return cls(
            host=config["FTP_HOST"],
            port=config["FTP_PORT"],
            user=config["FTP_USER"],
            password=config["FTP_PASSWORD"],
            inbox=config["FTP_INBOX"],
            outbox=config["FTP_OUTBOX"],
            use_tls=config["FTP_TLS"],
            cafile=config["FTP_CAFILE"],
            timeout=config["FTP_TIMEOUT_SECONDS"],
        )

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class RemoteFile:
    path: str
    name: str
    folders: tuple[str, ...]  # below the inbox: (siren,) or (siren, intervention reference)
    size: int
    modified: str

    @property
    def key(self) -> str:
        return f"{self.path}|{self.size}|{self.modified}"


@contextmanager
def session(settings: FtpSettings) -> Iterator[ftplib.FTP]:
    """A logged-in connection (data channel protected with PROT P under TLS)."""
    refusal = transport_refusal(settings.host, settings.use_tls)
    if refusal:
        raise FtpMisconfigured(refusal)
    try:
        if settings.use_tls:
            context = ssl.create_default_context(cafile=settings.cafile or None)
            conn = ftplib.FTP_TLS(context=context, timeout=settings.timeout)  # noqa: S321
        else:
            # Plain FTP: loopback only (transport_refusal above), for tests.
            conn = ftplib.FTP(timeout=settings.timeout)  # noqa: S321  # nosec B321 # loopback only (tests)
        conn.connect(settings.host, settings.port)
        if settings.use_tls:
            conn.auth()
        conn.login(settings.user, settings.password)
        if settings.use_tls:
            conn.prot_p()
    except (OSError, EOFError, ftplib.Error) as error:
        raise FtpUnavailable(f"Connexion FTP impossible à {settings.host} : {error}") from None
    try:
        yield conn
    except (OSError, EOFError, ftplib.error_temp, ftplib.error_reply) as error:
        raise FtpUnavailable(f"Échange FTP interrompu : {error}") from None
    finally:
        try:
            conn.quit()
        except (OSError, EOFError, ftplib.Error):
            conn.close()


def list_inbox(conn: ftplib.FTP, inbox: str, depth: int = 2) -> list[RemoteFile]:
    """Files under `inbox`, down to <siren>/<reference>/, sorted by path (MLSD, RFC 3659)."""
    found: list[RemoteFile] = []

    def walk(folder: str, trail: tuple[str, ...]) -> None:
        for name, facts in conn.mlsd(folder, facts=["type", "size", "modify"]):
            kind = facts.get("type", "")
            path = posixpath.join(folder, name)
            if kind == "dir" and len(trail) < depth and not name.startswith("."):
                walk(path, (*trail, name))
            elif kind == "file" and not name.startswith("."):
                size = int(facts.get("size", "0"))
                found.append(RemoteFile(path, name, trail, size, facts.get("modify", "")))

    walk(inbox, ())
    return sorted(found, key=lambda remote: remote.path)


def download(conn: ftplib.FTP, remote: RemoteFile, target: Path) -> tuple[str, int]:
    """Write the remote file to `target` in blocks; (SHA-256, size) of what was received."""
    sha, size = hashlib.sha256(), 0
    with target.open("wb") as out:

        def absorb(block: bytes) -> None:
            nonlocal size
            sha.update(block)
            out.write(block)
            size += len(block)

        conn.retrbinary(f"RETR {remote.path}", absorb, blocksize=BLOCK)
    return sha.hexdigest(), size


def upload(conn: ftplib.FTP, source: Path, remote_path: str) -> None:
    """Store under a hidden name, then rename: the recipient never sees a partial file."""
    folder, name = posixpath.split(remote_path)
    _make_dirs(conn, folder)
    partial = posixpath.join(folder, f".{name}.part")
    with source.open("rb") as data:
        conn.storbinary(f"STOR {partial}", data, blocksize=BLOCK)
    conn.rename(partial, remote_path)


def delete(conn: ftplib.FTP, remote_path: str) -> None:
    """Delete a remote file; a file already gone counts as deleted."""
    try:
        conn.delete(remote_path)
    except ftplib.error_perm as refused:
        try:
            conn.voidcmd("TYPE I")  # SIZE is refused in ASCII mode
            conn.size(remote_path)
        except ftplib.error_perm:
            return  # not there any more
        raise FtpUnavailable(f"Suppression refusée sur le FTP : {refused}") from None


def _make_dirs(conn: ftplib.FTP, folder: str) -> None:
    current = "/" if folder.startswith("/") else ""
    for part in [p for p in folder.split("/") if p]:
        current = posixpath.join(current, part) if current else part
        try:
            conn.mkd(current)
        except ftplib.error_perm:
            pass  # exists already (or refused: the STOR that follows will say so)
