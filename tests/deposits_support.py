"""Archives made for the deposit and zip CLI tests: AES-256, plain, ZipCrypto-flagged."""

import struct
import zipfile
from pathlib import Path

from encryption import AesZipWriter

ARCHIVE_PASSWORD = "Tres-long-mot-de-passe-2026-abc"
CSV = b"nom;prenom;adresse\n" + b"Dupont;Jean;1 rue de la Paix\n" * 200


def aes_zip(path: Path, entries: dict[str, bytes] | None = None, password=ARCHIVE_PASSWORD):
    entries = entries or {"file-001.csv": CSV}
    with path.open("wb") as out, AesZipWriter(out, password) as writer:
        for name, data in entries.items():
            writer.add_bytes(data, name)
    return path


def plain_zip(path: Path, entries: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (entries or {"liste.csv": CSV}).items():
            archive.writestr(name, data)
    return path


def zipcrypto_zip(path: Path) -> Path:
    """A zip whose entry says "encrypted, traditional PKWARE" (ZipCrypto) in both headers."""
    plain_zip(path)
    data = bytearray(path.read_bytes())
    struct.pack_into("<H", data, 6, 0x0001)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 0x0001)
    path.write_bytes(bytes(data))
    return path


# --- A real FTP server on the loopback (pyftpdlib), with TLS when pyOpenSSL is installed ----

FTP_USER, FTP_PASSWORD = "depot", "Mot-de-passe-ftp-2026"


def has_pyopenssl() -> bool:
    try:
        import OpenSSL  # noqa: F401
    except ImportError:
        return False
    return True


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1 and localhost, valid one day."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "ftp-cert.pem", folder / "ftp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class FtpServer:
    """pyftpdlib in a thread; stop() refuses connections until start() again, same port."""

    def __init__(self, home: Path, tls: tuple[Path, Path] | None = None) -> None:
        import socket

        self.home, self.tls = home, tls
        for folder in ("depot", "retrait"):
            (home / folder).mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._thread = None

    def start(self) -> None:
        import logging
        import threading
        import warnings

        with warnings.catch_warnings():  # pyftpdlib still imports asyncore/asynchat
            warnings.simplefilter("ignore", DeprecationWarning)
            from pyftpdlib.authorizers import DummyAuthorizer
            from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
            from pyftpdlib.ioloop import IOLoop
            from pyftpdlib.servers import FTPServer

        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        authorizer = DummyAuthorizer()
        authorizer.add_user(FTP_USER, FTP_PASSWORD, str(self.home), perm="elradfmwMT")
        if self.tls:
            handler = type("Handler", (TLS_FTPHandler,), {})
            handler.certfile, handler.keyfile = (str(p) for p in self.tls)
            handler.tls_control_required = handler.tls_data_required = True
        else:
            handler = type("Handler", (FTPHandler,), {})
        handler.authorizer = authorizer
        server = FTPServer(("127.0.0.1", self.port), handler, ioloop=IOLoop())
        stop = threading.Event()

        def run() -> None:
            while not stop.is_set():
                server.ioloop.loop(timeout=0.01, blocking=False)
            server.close_all()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self._thread = (thread, stop)

    def stop(self) -> None:
        if self._thread:
            thread, stop = self._thread
            stop.set()
            thread.join(5)
            self._thread = None

    def configure(self, app) -> None:
        app.config.update(
            FTP_HOST="127.0.0.1",
            FTP_PORT=self.port,
            FTP_USER=FTP_USER,
            FTP_PASSWORD=FTP_PASSWORD,
            FTP_INBOX="/depot",
            FTP_OUTBOX="/retrait",
            FTP_TLS=bool(self.tls),
            FTP_CAFILE=str(self.tls[0]) if self.tls else "",
            FTP_TIMEOUT_SECONDS=5,
        )


def ftp_server_for(app, tmp_path: Path, *, tls: bool | None = None) -> FtpServer:
    """A started server configured into `app`; TLS when pyOpenSSL is there (unless told)."""
    use_tls = has_pyopenssl() if tls is None else tls
    certs = self_signed_certificate(tmp_path) if use_tls else None
    server = FtpServer(tmp_path / "ftp-home", certs)
    server.start()
    server.configure(app)
    return server
