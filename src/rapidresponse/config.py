"""Settings from ``RAPIDRESPONSE_*`` environment variables, with working embedded defaults.

This is the one place the environment is read. Values are read once per process
(:func:`get_settings`); a test or a command that changes the environment calls
``get_settings.cache_clear()``.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


@dataclass(frozen=True)
class SmtpConfig:
    """The mail relay (``RAPIDRESPONSE_SMTP_*``)."""

    host: str = "127.0.0.1"
    port: int = 25
    from_addr: str = "rapidresponse@localhost"
    from_name: str = "rapidresponse"
    tls: Literal["none", "starttls", "ssl"] = "none"
    username: str | None = None
    password: str | None = None
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class OutboxConfig:
    """Outbox delivery (``RAPIDRESPONSE_NOTIFY_*``): leases, retries, batch sizes."""

    lease_seconds: float = 120.0
    max_attempts: int = 8
    backoff_base_seconds: float = 10.0
    backoff_cap_seconds: float = 3600.0
    batch_size: int = 32
    concurrency: int = 8
    webhook_timeout_seconds: float = 10.0
    max_body_chars: int = 100_000


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAPIDRESPONSE_", extra="ignore", env_ignore_empty=True)

    var_dir: Path = Field(default=Path("var"), description="Where the embedded database and secrets live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; SQLite in var_dir when unset.")
    secret_key: str | None = Field(default=None, description="Signs sessions; generated on first run.")
    base_url: str = Field(default="http://127.0.0.1:8000",
                          description="Where users reach the product (links in messages); when unset, `serve` "
                                      "uses the address it listens on.")
    host: str = "127.0.0.1"
    port: int = 8000
    embedded_worker: bool = True
    live_poll_seconds: float = Field(default=0.5, gt=0, le=60,
                                     description="How often each web process reads the event log for its live "
                                                 "pages (a change made through the same process is sent at once).")
    worker_interval_seconds: float = 5.0
    signal_stage_batch: int = Field(default=5000, ge=1, le=10_000,
                                    description="Signals the pipeline stage behind intake claims and processes "
                                                "per transaction.")
    threads: int = Field(default=40, ge=1, le=1000, description="Threads a web process runs requests on; its "
                         "database pool keeps as many connections (and a few for the embedded worker).")
    log_level: str = "INFO"
    log_json: bool = True
    max_body_bytes: int = 1_048_576
    max_signal_batch_bytes: int = 32 * 1_048_576  # POST /api/v1/signals:batch takes up to 10,000 signals
    max_hash_upload_bytes: int = 100 * 1_048_576  # hash-list CSV imports and images to check
    session_hours: int = 12
    cookie_secure: bool = False
    metrics_token: str | None = Field(default=None, description="When set, /metrics needs it as a Bearer token.")
    login_max_failures: int = 5
    login_window_seconds: int = 900
    login_max_failures_per_address: int = Field(
        default=50, description="Failed logins from one address (any account) within the window before it is "
                                "throttled; higher than per account, since a whole office may share an address.")
    trusted_proxies: list[str] = Field(
        default=[], description="Addresses or networks of reverse proxies whose X-Forwarded-For is believed.")
    totp_issuer: str = Field(default="rapidresponse", description="The name authenticator apps show beside a code.")
    require_2fa_roles: list[str] = Field(
        default=[], description="Users of these roles must turn on a second factor before they use the web UI "
                                "(those who sign in through single sign-on are left to their provider).")
    oidc_issuer: str | None = Field(
        default=None, description="Single sign-on: the OpenID Connect provider's issuer URL (its discovery "
                                  "document is at <issuer>/.well-known/openid-configuration); unset turns SSO off.")
    oidc_name: str = Field(default="SSO", description="The provider's name on the login page's button.")
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    oidc_username_claim: str = Field(default="preferred_username",
                                     description="The ID token claim whose value is the user name here.")
    oidc_default_role: str | None = Field(
        default=None, description="Role of a user created at their first sign-on; unset: only existing users.")
    oidc_allowed_domains: list[str] = Field(
        default=[], description="When set, only users whose verified email is in one of these domains sign on.")
    oidc_timeout_seconds: float = 10.0
    default_locale: str = "en"
    default_timezone: str = "Europe/Moscow"
    cli_user: str = Field(default="admin", description="Whom the CLI acts as when --as is not given.")
    playbook_dir: Path | None = Field(default=None, description="A team's playbook YAML files.")
    policy_dir: Path | None = Field(default=None, description="Taxonomy and country-profile overrides.")
    review_required_severities: list[int] = Field(
        default=[1, 2], description="Incidents of these severities close only after a published review.")
    request_escalation_minutes: int = Field(
        default=60, ge=5, le=7 * 24 * 60,
        description="A regulator request past its legal deadline escalates to legal again this often until answered.")
    recurrence_days: int = Field(default=180, ge=1, le=3650,
                                 description="A new incident of a reviewed one's harm and country within this recurs.")
    action_item_grace_days: int = Field(default=3, ge=0, le=90,
                                        description="Days an overdue action item waits before its commander is told.")
    analytics_path: Path | None = Field(default=None, description="The analytics warehouse (DuckDB file); "
                                        "var_dir/warehouse.duckdb when unset.")
    analytics_sync: bool = Field(default=True, description="Whether this process's worker keeps the analytics "
                                 "warehouse up to date (on many machines, one worker should).")
    analytics_engine: Literal["duckdb", "postgres"] = Field(
        default="duckdb", description="Where the metrics and the console run: the DuckDB warehouse, or its "
        "mirror in the operational PostgreSQL database (schema analytics).")
    analytics_postgres_url: str | None = Field(default=None, description="The console's login on PostgreSQL "
                                               "for users who may see restricted incidents (a member of rr_analytics).")
    analytics_postgres_open_url: str | None = Field(default=None, description="The console's login on PostgreSQL "
                                                    "for everyone else (a member of rr_analytics_open).")
    analytics_export_dir: Path | None = Field(default=None, description="When set, every sync also writes the "
                                              "warehouse here as Parquet (signals in daily partitions).")
    analytics_batch: int = Field(default=200_000, ge=100, le=5_000_000,
                                 description="Rows the sync commits at a time (readers get in between).")
    analytics_show_restricted_count: bool = Field(
        default=False, description="Tell viewers how many restricted incidents the metrics leave out for them "
        "(one anonymous line); off, their existence is not revealed.")
    telegram_bot_token: str | None = Field(default=None, description="The Telegram bot's token (from "
                                           "@BotFather); unset turns Telegram off.")
    telegram_api_url: str = Field(default="https://api.telegram.org", description="The Bot API server (a "
                                  "self-hosted telegram-bot-api server, or a test server).")
    telegram_poll: bool = Field(default=True, description="Whether this process's worker fetches the bot's "
                                "updates (button presses, commands) by long polling (one worker should).")
    telegram_webhook_secret: str | None = Field(default=None, description="When set, Telegram may push "
                                                "updates to /telegram/updates with this secret token instead.")
    twilio_api_url: str = Field(default="https://api.twilio.com", description="The SMS and voice provider's "
                                "API (Twilio, or a server that speaks its API).")
    twilio_account_sid: str | None = Field(default=None, description="Unset turns SMS and voice calls off.")
    twilio_auth_token: str = ""
    twilio_from: str = Field(default="", description="The number SMS and calls come from (E.164).")
    contact_code_minutes: int = Field(default=30, ge=1, le=1440,
                                      description="How long a contact method's verification code is valid.")
    reachability_warning_hours: int = Field(default=24, ge=1, le=720, description="How long before a shift the "
                                            "person and the schedule are warned that they cannot be reached.")
    console_timeout_seconds: float = Field(default=30.0, gt=0, le=3600,
                                           description="A SQL console query is stopped after this.")
    console_row_limit: int = Field(default=10_000, ge=1, le=1_000_000,
                                   description="Rows a SQL console query returns at most.")
    detection_snapshot_minutes: int = Field(default=60, ge=0, le=10_080, description="The detection tick saves its "
                                            "detector state after it has advanced this many minutes of buckets "
                                            "since the last snapshot, and a restarted worker replays only what came "
                                            "after it (0: no snapshots, a restart replays from the anchor).")
    detection_snapshot_keep: int = Field(default=3, ge=1, le=100, description="Detector-state snapshots kept per "
                                         "detector (the latest ones).")
    risk_window_days: int = Field(default=28, ge=1, le=366, description="The period a risk's indicators count "
                                  "over (and the same period before it, for growth).")
    risk_review_days: int = Field(default=91, ge=1, le=3660, description="A risk whose last approved assessment "
                                  "is older than this is flagged for its periodic (quarterly) review.")
    risk_flag_growth: float = Field(default=0.5, gt=0, le=100, description="A risk is flagged for re-assessment "
                                    "when signals, alerts or time to mitigate grew by this share since it was "
                                    "assessed (0.5: half as much again)...")
    risk_flag_min_signals: int = Field(default=50, ge=0, description="...and signals by at least this many (a "
                                       "small count's growth is noise).")
    wellness_break_after_minutes: int = Field(default=50, ge=5, le=600, description="A break is suggested after "
                                              "this long exposed to content without one.")
    wellness_break_gap_minutes: int = Field(default=10, ge=1, le=120, description="A pause this long counts as a "
                                            "break (it ends a stretch of continuous exposure).")
    wellness_recovery_hours: float = Field(default=4.0, gt=0, le=1000, description="High or extreme exposure "
                                           "among a SEV1's people adding up to this many hours while it ran "
                                           "prompts its commander to plan recovery time for the team.")

    # Reply letters to regulators: the company's requisites, by letter language (ru, kk, uk, en; a
    # language missing here falls back to Russian for kk and uk, then to English). The demo's values
    # are placeholders: set your own legal entity, signatory and attachments before any letter goes out.
    # Retention per data class, in days (0: kept until erased on request). The worker's job
    # ``privacy.retention`` applies them every hour; an incident under legal hold keeps its data.
    retention_signal_text_days: int = Field(default=90, ge=0, le=36_500, description="Signals' text and "
                                            "reporter details are emptied this long after the signal (row kept).")
    retention_media_days: int = Field(default=90, ge=0, le=36_500, description="Signals' media references (URL, "
                                      "media hash) are emptied this long after the signal (row kept).")
    retention_signals_days: int = Field(default=730, ge=0, le=36_500, description="Signals are deleted this long "
                                        "after they occurred (the series keep their counts).")
    retention_notes_days: int = Field(default=365, ge=0, le=36_500, description="Notes on incidents no longer "
                                      "open, and triage cases' notes, are redacted this long after they were written.")
    retention_exposure_days: int = Field(default=90, ge=0, le=36_500, description="Exposure-log entries are "
                                         "deleted this long after they were logged.")
    retention_closed_incident_days: int = Field(default=1825, ge=0, le=36_500, description="A closed incident's "
                                                "summary, source and task descriptions are redacted this long "
                                                "after it closed (the incident itself is kept).")
    retention_audit_days: int = Field(default=2190, ge=0, le=36_500, description="Event payloads are redacted "
                                      "this long after they were recorded (their digests stay: the chain verifies).")
    letter_legal_entity: dict[str, str] = Field(
        default={"en": "Example Platform B.V.", "ru": "Компания «Экзампл Платформ Б.В.»",
                 "kk": "«Экзампл Платформ Б.В.» компаниясы", "uk": "Компанія «Екзампл Платформ Б.В.»"},
        description="The legal entity that sends reply letters, by language.")
    letter_address: dict[str, str] = Field(
        default={"en": "Herengracht 100, 1015 BS Amsterdam, the Netherlands",
                 "ru": "Нидерланды, 1015 BS, г. Амстердам, Херенграхт, д. 100",
                 "kk": "Нидерланд, 1015 BS, Амстердам қ., Херенграхт к-сі, 100",
                 "uk": "Нідерланди, 1015 BS, м. Амстердам, Херенграхт, 100"},
        description="The legal entity's postal address, by language.")
    letter_kz_representative: dict[str, str] = Field(
        default={"en": "Example Platform Kazakhstan LLP, legal representative in the Republic of Kazakhstan",
                 "ru": "ТОО «Экзампл Платформ Казахстан», законный представитель в Республике Казахстан",
                 "kk": "«Экзампл Платформ Қазақстан» ЖШС, Қазақстан Республикасындағы заңды өкіл"},
        description="The local legal representative (Kazakhstan's online-platforms law, Art. 9(1)) that "
                    "letters to the Kazakh authorities go through, by language.")
    letter_signatory: dict[str, str] = Field(
        default={"en": "A. S. Petrova", "ru": "А. С. Петрова", "kk": "А. С. Петрова", "uk": "А. С. Петрова"},
        description="Who signs reply letters (initials and surname), by language.")
    letter_signatory_title: dict[str, str] = Field(
        default={"en": "Head of Trust & Safety", "ru": "Руководитель службы Trust & Safety",
                 "kk": "Trust & Safety қызметінің басшысы", "uk": "Керівник служби Trust & Safety"},
        description="The signatory's position, by language.")
    letter_attachments: dict[str, list[str]] = Field(
        default={"en": ["Power of attorney of the signatory (copy)"], "ru": ["Копия доверенности подписанта"],
                 "kk": ["Қол қоюшының сенімхатының көшірмесі"], "uk": ["Копія довіреності підписанта"]},
        description="Documents attached to every reply letter, by language.")
    letter_number_prefix: str = Field(default="TS", min_length=1, max_length=12, pattern=r"^[\w.-]+$",
                                      description="Outgoing numbers read <prefix>-<sequence>/<year> (TS-0007/2026).")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from_addr: str = Field(default="rapidresponse@localhost", description="Envelope and From: address")
    smtp_from_name: str = "rapidresponse"
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = 10.0

    notify_lease_seconds: float = Field(default=120.0, description="A claimed message is claimable again after this")
    notify_max_attempts: int = 8
    notify_backoff_base_seconds: float = 10.0
    notify_backoff_cap_seconds: float = 3600.0
    notify_batch_size: int = 32
    notify_concurrency: int = 8
    notify_webhook_timeout_seconds: float = 10.0
    notify_max_body_chars: int = 100_000
    translation_provider: Literal["", "libretranslate", "deepl"] = Field(
        default="", description="Machine translation for suggestions (libretranslate or deepl); none when empty.")
    translation_provider_url: str = Field(default="", description="The provider's base URL, e.g. "
                                          "http://127.0.0.1:5000 or https://api-free.deepl.com.")
    translation_provider_key: str = Field(default="", description="The provider's API key (DeepL needs one).")
    translation_provider_timeout_seconds: float = 10.0

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, entries: list[str]) -> list[str]:
        for entry in entries:
            ipaddress.ip_network(entry.strip(), strict=False)  # ValueError names the bad one
        return entries

    @property
    def smtp(self) -> SmtpConfig:
        return SmtpConfig(host=self.smtp_host, port=self.smtp_port, from_addr=self.smtp_from_addr,
                          from_name=self.smtp_from_name, tls=self.smtp_tls, username=self.smtp_username,
                          password=self.smtp_password, timeout_seconds=self.smtp_timeout_seconds)

    @property
    def outbox(self) -> OutboxConfig:
        return OutboxConfig(lease_seconds=self.notify_lease_seconds, max_attempts=self.notify_max_attempts,
                            backoff_base_seconds=self.notify_backoff_base_seconds,
                            backoff_cap_seconds=self.notify_backoff_cap_seconds, batch_size=self.notify_batch_size,
                            concurrency=self.notify_concurrency,
                            webhook_timeout_seconds=self.notify_webhook_timeout_seconds,
                            max_body_chars=self.notify_max_body_chars)

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / 'rapidresponse.db').resolve()}"

    @property
    def effective_secret_key(self) -> str:
        """The configured secret, or one generated on first run and kept in ``var_dir``."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
