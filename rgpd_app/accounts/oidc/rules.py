"""OpenID Connect sign-in rules: ID token claims, ProConnect's SIRET, strong authentication,
the password refused where an organisation makes OIDC mandatory. Pure."""

import re
from collections.abc import Iterable

from rgpd_app.messages import N_

PROCONNECT = "proconnect"
GENERIC = "generic"
KINDS = (PROCONNECT, GENERIC)

# ProConnect's scopes for an agent (its documentation, "Données fournies"); `siret` names the
# agent's establishment, whose first 9 digits are the organisation's SIREN.
PROCONNECT_SCOPES = "openid email given_name usual_name siret uid"
GENERIC_SCOPES = "openid email profile"
# ProConnect's eIDAS levels: eidas1 is one factor, eidas2 and eidas3 two (eIDAS Reg. 910/2014
# art. 8, levels "substantial" and "high").
PROCONNECT_MFA_ACR = "eidas2 eidas3"
LEEWAY_SECONDS = 60  # clock difference tolerated between the provider and us (OIDC Core 3.1.3.7)

# Why a sign-in through a provider was refused: the stable reason journaled, and the French
# sentence shown (the page never says more than the person needs to act).
REFUSALS = {
    "state": N_(
        "Cette réponse du fournisseur d'identité ne correspond à aucune connexion en cours sur "
        "ce navigateur (lien déjà utilisé, expiré, ou ouvert ailleurs). Recommencez la connexion."
    ),
    "provider_error": N_("Le fournisseur d'identité a refusé ou interrompu la connexion."),
    "token": N_(
        "Le fournisseur d'identité n'a pas confirmé la connexion (code déjà utilisé ou "
        "expiré). Recommencez la connexion."
    ),
    "id_token": N_(
        "La preuve d'identité reçue du fournisseur n'est pas valable (signature, émetteur, "
        "destinataire, validité ou nonce). Recommencez la connexion."
    ),
    "unavailable": N_(
        "Le fournisseur d'identité ne répond pas. Réessayez dans quelques minutes ou "
        "utilisez votre mot de passe si votre organisation le permet."
    ),
    "siret": N_(
        "L'établissement indiqué par ProConnect (SIRET %(siret)s) n'est pas une organisation "
        "qui se connecte ici par ProConnect."
    ),
    "organisation": N_(
        "Ce compte du fournisseur d'identité est déjà lié à un compte d'une autre organisation."
    ),
    "email_unverified": N_(
        "Le fournisseur d'identité n'a pas confirmé votre adresse e-mail : aucun compte ne peut "
        "y être rattaché."
    ),
    "disabled": N_("Ce compte est désactivé."),
    "confirm_other": N_(
        "Le fournisseur d'identité a confirmé une autre personne que celle qui est connectée."
    ),
    "confirm_weak": N_(
        "Le fournisseur d'identité n'a pas confirmé une nouvelle connexion avec double "
        "authentification : confirmez avec votre mot de passe et votre code."
    ),
    "locked": N_("Ce compte est temporairement verrouillé : réessayez plus tard."),
}


SECRET_REQUIRED = N_("Le secret du client est obligatoire la première fois.")


def values(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """Space-separated values ("eidas2 eidas3") as a tuple, without repeats, in order."""
    if text is None:
        return ()
    items = text.split() if isinstance(text, str) else [str(v) for v in text]
    return tuple(dict.fromkeys(i for i in items if i))


def siren_of_siret(siret) -> str | None:
    """The SIREN of a SIRET: its first 9 of 14 digits (INSEE); None when it is no SIRET."""
    digits = re.sub(r"\s", "", str(siret or ""))
    return digits[:9] if re.fullmatch(r"\d{14}", digits) else None


def id_token_problems(
    claims: dict, *, issuer: str, client_id: str, nonce: str, now: float, leeway: int
) -> list[str]:
    """The ID token claims that fail OIDC Core 3.1.3.7 (iss, aud, azp, exp, iat, nonce, sub);
    `now` is a POSIX time. Empty when the token is valid."""
    problems = []
    if claims.get("iss") != issuer:
        problems.append("iss")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else list(aud or [])
    if client_id not in audiences:
        problems.append("aud")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        problems.append("azp")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or now > exp + leeway:
        problems.append("exp")
    if not isinstance(iat, int | float) or iat > now + leeway:
        problems.append("iat")
    if not nonce or claims.get("nonce") != nonce:
        problems.append("nonce")
    if not claims.get("sub"):
        problems.append("sub")
    return problems


def email_is_verified(claims: dict, kind: str) -> bool:
    """The provider vouches for the e-mail (`email_verified`, OIDC Core 5.1). ProConnect sends
    no such claim: its e-mail is the one the agent's public-sector provider signs in with, so
    its absence there counts as verified; a `false` never does."""
    verified = claims.get("email_verified")
    if verified is None and kind == PROCONNECT:
        return bool(claims.get("email"))
    return verified is True or verified == "true"


def mfa_claims_request(*, acr_values: tuple, amr_values: tuple) -> dict | None:
    """The `claims` request parameter asking the ID token for `acr` (with the values that
    count) and `amr` (OIDC Core 5.5): voluntary, as without them the TOTP step follows."""
    asked = {}
    if acr_values:
        asked["acr"] = {"essential": False, "values": list(acr_values)}
    if amr_values:
        asked["amr"] = None
    return {"id_token": asked} if asked else None


def mfa_asserted(claims: dict, *, acr_values: Iterable[str], amr_values: Iterable[str]) -> bool:
    """The provider asserts a multi-factor sign-in: its `acr` is one of `acr_values`, or its
    `amr` names one of `amr_values` (OIDC Core 2; RFC 8176). Nothing configured: never."""
    acr_values, amr_values = set(acr_values), set(amr_values)
    if claims.get("acr") and claims["acr"] in acr_values:
        return True
    amr = claims.get("amr") or []
    return bool(set([amr] if isinstance(amr, str) else amr) & amr_values)


def password_refused(*, is_oidc_required: bool, is_break_glass: bool, has_totp: bool) -> bool:
    """Where the organisation makes OIDC mandatory, only its break-glass account signs in with a
    password, and only with its second factor (issue 20, point 5)."""
    return is_oidc_required and not (is_break_glass and has_totp)


def settings_problems(
    *, kind: str, is_required: bool, break_glass_found: bool | None, break_glass_has_totp: bool
) -> dict[str, list[str]]:
    """What is wrong with an organisation's provider settings, by field."""
    problems: dict[str, list[str]] = {}
    if kind not in KINDS:
        problems["kind"] = [N_("Type de fournisseur inconnu.")]
    if break_glass_found is False:
        problems["break_glass_email"] = [N_("Aucun compte de cette organisation à cette adresse.")]
    elif break_glass_found and not break_glass_has_totp:
        problems["break_glass_email"] = [
            N_("Le compte de secours doit avoir la double authentification activée.")
        ]
    elif is_required and break_glass_found is None:
        problems["break_glass_email"] = [
            N_(
                "Désignez un compte de secours (mot de passe et double authentification) avant "
                "de rendre OpenID Connect obligatoire."
            )
        ]
    return problems
