"""Settings from the environment (prefix CITATIONS_), read lazily so callers can override them."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///citations.db"
"""The embedded default: a SQLite file in the working folder."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CITATIONS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    read_database_url: str | None = None
    """A streaming replica of the PostgreSQL database (CITATIONS_READ_DATABASE_URL): reports,
    exports, searches, lists and the public pages' plain reads go to it, except a client's
    read that must see its own write, which the replica has not replayed yet
    (citations.database.ReadRouting). Unset, every read goes to the database."""
    web_secret_key: str | None = None
    """Signs the clerks' web session cookie (CITATIONS_WEB_SECRET_KEY); without it each
    process draws a random key, so clerks log in again after a restart."""

    web_idle_minutes: int = Field(default=30, ge=1)
    """A clerks' session with no request for this long has ended (CITATIONS_WEB_IDLE_MINUTES)."""
    sign_in_attempts: int = Field(default=5, ge=1)
    """Failed sign-ins to an account before it is locked (CITATIONS_SIGN_IN_ATTEMPTS)."""
    lockout_first_seconds: int = Field(default=60, ge=1)
    """The first lockout's wait; each further failure doubles it
    (CITATIONS_LOCKOUT_FIRST_SECONDS)."""
    lockout_max_seconds: int = Field(default=3600, ge=1)
    """The longest lockout (CITATIONS_LOCKOUT_MAX_SECONDS)."""

    api_docs: bool = False
    """Serve the API's OpenAPI description at /openapi.json, to any valid token
    (CITATIONS_API_DOCS=true). Off by default: only the intake schema is public. The
    interactive pages (/docs, /redoc) are never served: they would load scripts from a CDN."""
    hsts_seconds: int = Field(default=365 * 24 * 60 * 60, ge=0)
    """Strict-Transport-Security max-age on answers to https requests (CITATIONS_HSTS_SECONDS);
    0 sends none."""

    # Paying online (citations.online.providers). Secrets are SecretStr: never printed,
    # logged or shown in an error.
    payment_provider: Literal["none", "test", "stripe"] = "none"
    """Who takes a person's card online (CITATIONS_PAYMENT_PROVIDER): `none` (the default:
    the pages say to pay by the notice's other ways), `stripe` (Stripe Checkout), or `test`,
    the built-in stand-in whose page approves with a button and moves no money: for the demo
    and tests only, never on a city's live site."""
    public_base_url: str | None = None
    """The site's address as people reach it (CITATIONS_PUBLIC_BASE_URL, e.g.
    https://citations.demo-city.example): where the provider sends the person back. Needed
    behind a proxy; without it the address of the request is used."""
    test_provider_secret: SecretStr | None = None
    """Signs the test provider's callbacks (CITATIONS_TEST_PROVIDER_SECRET); without it each
    process draws a random one (its own page signs and checks them in the same process)."""
    stripe_secret_key: SecretStr | None = None
    """Stripe's secret API key (CITATIONS_STRIPE_SECRET_KEY, sk_live_... or a restricted
    rk_live_... allowed to write Checkout Sessions)."""
    stripe_webhook_secret: SecretStr | None = None
    """The signing secret of the webhook endpoint registered at Stripe
    (CITATIONS_STRIPE_WEBHOOK_SECRET, whsec_...)."""
    stripe_api_base: str = "https://api.stripe.com"
    """Stripe's API address (CITATIONS_STRIPE_API_BASE); tests point it at a local stand-in."""

    # Reminders (citations.outreach): email through the city's SMTP server, texts through
    # the provider's HTTP API. Without them, messages on that channel wait in the outbox.
    smtp_host: str | None = None
    """The SMTP server that sends reminders by email (CITATIONS_SMTP_HOST)."""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    """`starttls` (port 587), `tls` (implicit TLS, port 465), or `none` (a local relay)."""
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str | None = None
    """The From of reminder emails, e.g. `Demo City Citations <citations@demo-city.example>`
    (CITATIONS_MAIL_FROM)."""
    emails_per_minute: int = Field(default=600, ge=1)
    """The pace of sending by email, under the SMTP server's limit."""
    text_provider: Literal["none", "twilio"] = "none"
    """Who sends texts (CITATIONS_TEXT_PROVIDER): `twilio` (Twilio's Programmable Messaging
    API) or `none`."""
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    """Also checks the signature of Twilio's calls to us (a reply of STOP)."""
    twilio_from: str | None = None
    """The number texts come from (+15105550100) or a Messaging Service SID (MG...)."""
    twilio_api_base: str = "https://api.twilio.com"
    """Twilio's API address (CITATIONS_TWILIO_API_BASE); the demo and tests point it at the
    local stand-in."""
    texts_per_minute: int = Field(default=60, ge=1)
    """The pace of sending texts: Twilio takes one a second per long-code number."""
    outreach_secret: SecretStr | None = None
    """Signs the unsubscribe link in every email (CITATIONS_OUTREACH_SECRET, 32+ characters):
    the same in every process, so a link still works after a restart."""

    # Signing staff in through the city's identity provider (OpenID Connect, citations.web.oidc).
    oidc_issuer: str | None = None
    """The provider's issuer (CITATIONS_OIDC_ISSUER, e.g. https://login.demo-city.example/realms/
    staff): its discovery document is at {issuer}/.well-known/openid-configuration. Unset, the
    feature is off: no button on the sign-in page, and /clerk/oidc/... are not found."""
    oidc_client_id: str | None = None
    """This site's client id at the provider (CITATIONS_OIDC_CLIENT_ID)."""
    oidc_client_secret: SecretStr | None = None
    """This site's client secret at the provider (CITATIONS_OIDC_CLIENT_SECRET)."""
    oidc_name: str = "your organisation's account"
    """How the sign-in page names the provider: "Sign in with <name>" (CITATIONS_OIDC_NAME)."""
    oidc_groups_claim: str = "groups"
    """The ID token's claim that lists the person's groups (CITATIONS_OIDC_GROUPS_CLAIM)."""
    oidc_roles: dict[str, str] = Field(default_factory=dict)
    """Group -> role, as JSON (CITATIONS_OIDC_ROLES='{"hearing-clerks": "clerk",
    "citations-admins": "admin"}'). A person in several mapped groups gets the role of the
    group written FIRST; in none, they are refused. Officers (bound to an agency) cannot be
    mapped: their accounts are made by an administrator."""
    oidc_titles: dict[str, str] = Field(default_factory=dict)
    """Role -> the title printed under the name of an account the provider creates, as JSON
    (CITATIONS_OIDC_TITLES='{"clerk": "Hearing clerk"}'); roles not named keep the defaults
    of citations.record.oidc_accounts.DEFAULT_TITLES."""

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_address(cls, url: str | None) -> str | None:
        if url is None:
            return None
        local = url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]"))
        if not (url.startswith("https://") or local) or " " in url:
            raise ValueError("must be an https:// address (http:// only on this computer)")
        return url.rstrip("/")

    @field_validator("oidc_roles")
    @classmethod
    def _mapped_roles(cls, roles: dict[str, str]) -> dict[str, str]:
        from citations.roles import AGENCY_BOUND, STAFF_ROLES  # local: settings import cheaply

        allowed = {r.value for r in STAFF_ROLES if r not in AGENCY_BOUND}
        for group, role in roles.items():
            if not group.strip():
                raise ValueError("a group name cannot be empty")
            if role not in allowed:
                raise ValueError(
                    f"group {group!r}: {role!r} is not a role the identity provider can give "
                    f"(one of: {', '.join(sorted(allowed))}; officers need an agency)"
                )
        return roles

    @field_validator("oidc_titles")
    @classmethod
    def _titled_roles(cls, titles: dict[str, str]) -> dict[str, str]:
        from citations.roles import STAFF_ROLES

        for role, title in titles.items():
            if role not in {r.value for r in STAFF_ROLES}:
                raise ValueError(f"{role!r} is not a staff role")
            if not title.strip() or len(title) > 200:
                raise ValueError(f"the title of {role!r} must have 1 to 200 characters")
        return {role: " ".join(title.split()) for role, title in titles.items()}

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer is None:
            return self
        missing = [
            f"CITATIONS_{name.upper()}"
            for name in ("oidc_client_id", "oidc_client_secret")
            if getattr(self, name) is None
        ]
        if not self.oidc_roles:
            missing.append("CITATIONS_OIDC_ROLES")
        if missing:
            raise ValueError(f"signing in through the identity provider needs {', '.join(missing)}")
        return self

    # Evidence files (citations.attachments): officers' photos, clerks' scans, the person's
    # files. Bytes live in a content-addressed store; the database keeps who, when and the hash.
    files_store: Literal["folder", "s3"] = "folder"
    """Where the files' bytes are kept (CITATIONS_FILES_STORE): `folder` (the default, a
    folder on this machine: CITATIONS_FILES_FOLDER) or `s3`, an S3-compatible object store
    that every machine of an installation reaches (CITATIONS_S3_BUCKET and the rest)."""
    files_folder: str = "citations-files"
    """The folder of the `folder` store (CITATIONS_FILES_FOLDER), made when first needed;
    relative to the working folder, as the embedded database is."""
    s3_bucket: str | None = None
    """The bucket of the `s3` store (CITATIONS_S3_BUCKET); it must exist."""
    s3_prefix: str = "files/"
    """The keys' prefix within the bucket (CITATIONS_S3_PREFIX)."""
    s3_endpoint_url: str | None = None
    """The store's address when it is not Amazon's (MinIO, Ceph, moto's server...)."""
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    """Unset, boto3 finds the credentials itself (its environment variables, an instance
    role)."""
    s3_secret_access_key: SecretStr | None = None
    file_max_megabytes: int = Field(default=25, ge=1, le=2000)
    """The largest file accepted, in MB (CITATIONS_FILE_MAX_MEGABYTES): a phone's photo is 2 to
    8 MB, a scanned letter less."""
    citation_files_max_megabytes: int = Field(default=200, ge=1)
    """The most a citation's files may add up to, in MB, withdrawn files included
    (CITATIONS_CITATION_FILES_MAX_MEGABYTES)."""

    @model_validator(mode="after")
    def _store_complete(self) -> Settings:
        if self.files_store == "s3" and not self.s3_bucket:
            raise ValueError("the s3 files store needs CITATIONS_S3_BUCKET")
        if not self.files_folder.strip():
            raise ValueError("CITATIONS_FILES_FOLDER must name a folder")
        return self

    @field_validator("web_secret_key")
    @classmethod
    def _long_enough(cls, key: str | None) -> str | None:
        if key is not None and len(key) < 32:
            raise ValueError("must be at least 32 characters (e.g. `openssl rand -hex 32`)")
        return key

    @field_validator("public_base_url", "stripe_api_base", "twilio_api_base")
    @classmethod
    def _web_address(cls, url: str | None) -> str | None:
        if url is None:
            return None
        if not url.startswith(("https://", "http://")) or " " in url:
            raise ValueError("must be a web address starting with https:// (or http://)")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _provider_complete(self) -> Settings:
        if self.payment_provider == "stripe":
            missing = [
                f"CITATIONS_{name.upper()}"
                for name in ("stripe_secret_key", "stripe_webhook_secret", "public_base_url")
                if getattr(self, name) is None
            ]
            if missing:
                raise ValueError(f"the stripe payment provider needs {', '.join(missing)}")
            assert self.public_base_url is not None
            if not self.public_base_url.startswith("https://"):
                raise ValueError("CITATIONS_PUBLIC_BASE_URL must start with https:// for stripe")
        return self

    @model_validator(mode="after")
    def _channels_complete(self) -> Settings:
        needs: list[str] = []
        if self.smtp_host is not None:
            needs += [n for n in ("mail_from", "outreach_secret") if getattr(self, n) is None]
        if self.text_provider == "twilio":
            needs += [
                n
                for n in ("twilio_account_sid", "twilio_auth_token", "twilio_from")
                if getattr(self, n) is None
            ]
        if needs:
            names = ", ".join(f"CITATIONS_{n.upper()}" for n in needs)
            raise ValueError(f"sending reminders needs {names}")
        secret = self.outreach_secret
        if secret is not None and len(secret.get_secret_value()) < 32:
            raise ValueError("CITATIONS_OUTREACH_SECRET must be at least 32 characters")
        return self

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        from citations.database import normalize_url  # local: settings must import cheaply

        return normalize_url(url)

    @field_validator("read_database_url")
    @classmethod
    def _replica_url(cls, url: str | None) -> str | None:
        from citations.database import normalize_url

        if url is None or not url.strip():
            return None
        url = normalize_url(url)
        if not url.startswith("postgresql"):
            raise ValueError("must be a postgresql:// URL: a replica of the PostgreSQL database")
        return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
