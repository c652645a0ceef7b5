"""`flask rgpd zip …` (AES-256 archives) and `flask rgpd keys …` (field encryption keys)."""

import os
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from encryption import (
    DEFAULT_LIMITS,
    ArchiveError,
    FieldCryptoError,
    extract_archive,
    generate_password,
    generate_recovery_keypair,
    verify_archive,
    write_encrypted_zip,
)
from encryption.passwords import MIN_LENGTH
from rgpd_app import clock
from rgpd_app.cli_support import ProgressBar
from rgpd_app.crypto import services
from rgpd_app.foundation.keyring import field_keyring, key_file, keys_from_environment

zip_cli = AppGroup("zip", help="Archives zip chiffrées en AES-256.")

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def read_secret(label: str = "Mot de passe de l'archive") -> str:
    """One line from standard input (a pipe), or a hidden prompt at a terminal."""
    if sys.stdin.isatty():
        return click.prompt(label, hide_input=True)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.ClickException("Mot de passe attendu sur l'entrée standard.")
    return line


def _refused(error: ArchiveError, path: Path) -> click.ClickException:
    return click.ClickException(f"Archive refusée ({error.code}) : {path.name} : {error}")


@zip_cli.command("encrypt")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
@click.option(
    "--keep-names", is_flag=True, help="Garder les noms des fichiers (sinon file-001.csv…)."
)
def zip_encrypt(out, files, password_stdin, keep_names):
    """Chiffrer FILES dans l'archive AES-256 OUT ; le mot de passe généré s'affiche une fois."""
    password = read_secret() if password_stdin else generate_password()
    if password_stdin and len(password) < MIN_LENGTH:
        click.echo(f"Attention : mot de passe de moins de {MIN_LENGTH} caractères.", err=True)
    if not out.parent.is_dir():
        raise click.ClickException(f"Dossier de destination introuvable : {out.parent}.")
    total = sum(path.stat().st_size for path in files)
    try:
        with ProgressBar(out.name, total) as bar:
            entries = write_encrypted_zip(out, files, password, keep_names=keep_names, progress=bar)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"Archive non écrite : {error}") from None
    names = ", ".join(entry.name for entry in entries)
    click.echo(f"Archive AES-256 écrite : {out} ({len(entries)} fichier(s) : {names}).", err=True)
    if not password_stdin:
        click.echo(
            "Mot de passe (affiché une seule fois ; transmettez-le par un autre canal "
            "que l'archive, par exemple par téléphone) :",
            err=True,
        )
        click.echo(password)


@zip_cli.command("verify")
@click.argument("archive", type=_FILE)
@click.option(
    "--password-stdin", is_flag=True, help="Lire le mot de passe et vérifier chaque code MAC."
)
def zip_verify(archive, password_stdin):
    """Code 0 seulement si chaque entrée est en AES-256 (et, avec le mot de passe, intègre)."""
    password = read_secret() if password_stdin else None
    try:
        entries = verify_archive(archive, password, limits=DEFAULT_LIMITS)
    except ArchiveError as error:
        raise _refused(error, archive) from None
    checked = "codes d'authentification vérifiés" if password else "structure vérifiée"
    click.echo(f"Archive conforme : {len(entries)} entrée(s) en AES-256, {checked}.")


@zip_cli.command("extract")
@click.argument("archive", type=_FILE)
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def zip_extract(archive, target):
    """Extraire ARCHIVE dans TARGET (mot de passe sur l'entrée standard) ; tout ou rien."""
    password = read_secret()
    try:
        written = extract_archive(archive, target, password, limits=DEFAULT_LIMITS)
    except ArchiveError as error:
        raise _refused(error, archive) from None
    except OSError as error:
        message = f"Extraction impossible, rien n'est conservé : {error}"
        raise click.ClickException(message) from None
    click.echo(f"{len(written)} fichier(s) extrait(s) dans {target}.")


keys_cli = AppGroup("keys", help="Clés de chiffrement des données personnelles en base.")


def _field_crypto_failure(error) -> click.ClickException:
    return click.ClickException(f"{error} ({error.code})")


@keys_cli.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def keys_rotate(batch_size):
    """Ajouter une clé, la rendre principale et rechiffrer les colonnes par lots."""

    def progress(column, rows):
        click.echo(f"  {column} : lot de {rows} ligne(s) traité", err=True)

    try:
        kid, report = services.rotate_keys(
            now=clock.now(), batch_size=batch_size, progress=progress
        )
    except FieldCryptoError as error:
        raise _field_crypto_failure(error) from None
    click.echo(f"Nouvelle clé principale : {kid}.")
    _echo_report(report)
    click.echo(
        "Refaites la copie de secours : flask rgpd keys recovery-export --public-key …", err=True
    )


@keys_cli.command("reencrypt")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def keys_reencrypt(batch_size):
    """Rechiffrer avec la clé principale (reprise d'une rotation, colonne nouvellement chiffrée)."""
    _echo_report(services.reencrypt_all(now=clock.now(), batch_size=batch_size))


def _echo_report(report) -> None:
    click.echo(
        f"Colonnes : {', '.join(report.columns) or 'aucune'} ; {report.reencrypted} valeur(s) "
        f"rechiffrée(s), {report.sealed_plain} valeur(s) en clair chiffrée(s), "
        f"{report.batches} lot(s)."
    )
    if report.unreadable:
        raise click.ClickException(
            f"{len(report.unreadable)} valeur(s) illisible(s) laissée(s) telle(s) quelle(s) : "
            + ", ".join(report.unreadable[:20])
        )


@keys_cli.command("status")
def keys_status():
    """Afficher la clé principale et les clés du trousseau (jamais leur valeur)."""
    ring = field_keyring()
    origin = "variable RGPD_FIELD_KEYS" if keys_from_environment() else str(key_file())
    click.echo(f"Trousseau : {origin}")
    click.echo(f"Clé principale : {ring.primary} ; clés : {', '.join(ring.kids)}")


@keys_cli.command("recovery-keypair")
@click.option("--private-out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--public-out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--passphrase-stdin", is_flag=True, help="Protéger la clé privée par une phrase.")
@click.option("--bits", default=4096, show_default=True, type=click.IntRange(2048, 16384))
def keys_recovery_keypair(private_out, public_out, passphrase_stdin, bits):
    """Créer la paire de clés de secours ; la clé privée part hors ligne (coffre, support)."""

    for path in (private_out, public_out):
        if path.exists():
            raise click.ClickException(f"{path} existe déjà : rien n'est écrasé.")
    passphrase = read_secret("Phrase de passe").encode("utf-8") if passphrase_stdin else None
    private_pem, public_pem = generate_recovery_keypair(passphrase, bits=bits)
    _write_new(private_out, private_pem, 0o600)
    _write_new(public_out, public_pem, 0o644)
    click.echo(f"Clé publique : {public_out}. Clé privée : {private_out}.")
    click.echo(
        "Copiez la clé privée sur un support hors ligne puis effacez-la de ce serveur.", err=True
    )


@keys_cli.command("recovery-export")
@click.option("--public-key", required=True, type=_FILE, help="Clé publique de secours (PEM).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Sinon : stdout.")
def keys_recovery_export(public_key, out):
    """Écrire chaque clé chiffrée pour la clé de secours hors ligne (RSA-OAEP)."""

    try:
        text = services.recovery_export(public_key.read_bytes(), now=clock.now())
    except (FieldCryptoError, ValueError) as error:
        raise click.ClickException(f"Copie de secours impossible : {error}") from None
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    click.echo(f"Copie de secours écrite : {out}.", err=True)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
