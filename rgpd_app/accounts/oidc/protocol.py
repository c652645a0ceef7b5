"""The OpenID Connect Authorization Code flow with Authlib: discovery, the authorization request
(PKCE S256, state, nonce), the code exchange, the ID token's signature (joserfc, Authlib's JOSE
library) and claims, userinfo. No database, no session: values in, values out."""

from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from rgpd_app.accounts.oidc import rules

# Signatures with the provider's published keys only: never "none", never a secret we share.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


class Refused(Exception):
    """The flow stopped; `reason` is one of rules.REFUSALS, `detail` what the journal keeps."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:300]


@dataclass(frozen=True)
class Client:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    timeout: float = 10


@dataclass(frozen=True)
class Request:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _get(url: str, timeout: float, **kwargs) -> requests.Response:
    try:
        response = requests.get(url, timeout=timeout, **kwargs)
        response.raise_for_status()
    except requests.RequestException as err:
        raise Refused("unavailable", f"{url}: {err}") from err
    return response


def discover(issuer: str, *, timeout: float) -> dict:
    """The provider's metadata; its `issuer` must be the one configured (OIDC Discovery 4.3)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        metadata = _get(url, timeout).json()
    except ValueError as err:
        raise Refused("unavailable", f"{url}: not JSON") from err
    if metadata.get("issuer") != issuer:
        raise Refused("unavailable", f"issuer {metadata.get('issuer')!r} is not {issuer!r}")
    return metadata


def _session(client: Client, metadata: dict) -> OAuth2Session:
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return OAuth2Session(
        client.client_id,
        client.client_secret,
        scope=client.scopes,
        redirect_uri=client.redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=method,
        default_timeout=client.timeout,
    )


def authorization_request(client: Client, metadata: dict, **extra) -> Request:
    """Where to send the browser, with fresh state, nonce and PKCE verifier (RFC 7636)."""
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url, _ = _session(client, metadata).create_authorization_url(
        metadata["authorization_endpoint"],
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        **extra,
    )
    return Request(url=url, state=state, nonce=nonce, code_verifier=verifier)


def _keys(metadata: dict, timeout: float) -> KeySet:
    try:
        return KeySet.import_key_set(_get(metadata["jwks_uri"], timeout).json())
    except (ValueError, KeyError, JoseError) as err:
        raise Refused("unavailable", f"jwks: {err}") from err


def _verified(token: str, keys: KeySet) -> dict:
    try:
        return jwt.decode(token, keys, algorithms=ALGORITHMS).claims
    except (JoseError, ValueError) as err:
        raise Refused("id_token", f"signature: {err}") from err


def exchange(
    client: Client, metadata: dict, *, code: str, code_verifier: str, nonce: str, now: float
) -> tuple[dict, dict, str]:
    """Trade the code for tokens, check the ID token, read userinfo: (ID token claims, all
    claims with userinfo's, the raw ID token for the logout hint)."""
    session = _session(client, metadata)
    try:
        token = session.fetch_token(
            metadata["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=code_verifier,
        )
    except OAuthError as err:
        raise Refused("token", f"{err.error}: {err.description or ''}") from err
    except requests.RequestException as err:
        raise Refused("unavailable", f"token endpoint: {err}") from err
    raw = token.get("id_token")
    if not raw:
        raise Refused("id_token", "no id_token in the token answer")
    keys = _keys(metadata, client.timeout)
    claims = _verified(raw, keys)
    problems = rules.id_token_problems(
        claims,
        issuer=client.issuer,
        client_id=client.client_id,
        nonce=nonce,
        now=now,
        leeway=rules.LEEWAY_SECONDS,
    )
    if problems:
        raise Refused("id_token", "claims: " + " ".join(problems))
    merged = dict(claims)
    if metadata.get("userinfo_endpoint"):
        merged.update(_userinfo(session, metadata, keys, subject=claims["sub"]))
    return claims, merged, raw


def _userinfo(session: OAuth2Session, metadata: dict, keys: KeySet, *, subject) -> dict:
    """Userinfo as JSON or as a signed JWT (ProConnect signs it); its `sub` must be the ID
    token's (OIDC Core 5.3.2)."""
    try:
        response = session.get(metadata["userinfo_endpoint"])
        response.raise_for_status()
    except requests.RequestException as err:
        raise Refused("unavailable", f"userinfo: {err}") from err
    if response.headers.get("content-type", "").startswith("application/jwt"):
        info = _verified(response.text.strip(), keys)
    else:
        try:
            info = response.json()
        except ValueError as err:
            raise Refused("unavailable", "userinfo: not JSON") from err
    if info.get("sub") != subject:
        raise Refused("id_token", "userinfo sub differs from the ID token's")
    return {k: v for k, v in info.items() if k not in ("iss", "aud", "exp", "iat", "nonce")}


def logout_url(endpoint: str | None, *, id_token: str, client_id: str, after: str) -> str | None:
    """RP-initiated logout at the provider when it offers one (OIDC RP-Initiated Logout 1.0)."""
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "client_id": client_id,
        "post_logout_redirect_uri": after,
    }
    return requests.Request("GET", endpoint, params=params).prepare().url
