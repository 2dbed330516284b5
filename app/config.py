"""Settings read from the environment.

`APP_ENV` is `development` (default: what ./scripts/run and the tests use) or
`production` (a real SECRET_KEY required, secure cookies, demo loading refused).
"""

import math
import os
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production
# Words of keys copied from examples rather than generated.
PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "secret", "password", "example")
# A random key: `secrets.token_hex(32)` has about 3.8 bits per character (Shannon entropy of
# its own characters) and 240 in all; "changeme-changeme-changeme" has 2.9 and 76.
MIN_SECRET_LENGTH = 24
MIN_SECRET_DISTINCT = 10
MIN_SECRET_BITS_PER_CHAR = 3.0
MIN_SECRET_BITS = 96


class ConfigError(RuntimeError):
    pass


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


DAY_UNITS = ("working", "calendar")


def _percent(name: str, default: int) -> int:
    """A whole percent, 0 to 100."""
    value = _int(name, default)
    if not 0 <= value <= 100:
        raise ConfigError(f"{name} must be a percent from 0 to 100, not {value!r}")
    return value


def _unit(name: str, default: str) -> str:
    unit = os.environ.get(name, default)
    if unit not in DAY_UNITS:
        raise ConfigError(f"{name} must be 'working' or 'calendar', not {unit!r}")
    return unit


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() not in ("1", "0", "true", "false", "yes", "no"):
        raise ConfigError(f"{name} must be 1/0, true/false or yes/no, not {value!r}")
    return value.strip().lower() in ("1", "true", "yes")


def _day_month(name: str, default: str) -> tuple[int, int]:
    """A yearly date "dd/mm" (e.g. 15/01) as (day, month)."""
    value = os.environ.get(name, default)
    try:
        day, month = (int(part) for part in value.split("/"))
        date(2024, month, day)  # a leap year: 29/02 is a valid yearly date
    except ValueError as exc:
        raise ConfigError(f"{name} must be a day and month like 15/01, not {value!r}") from exc
    return day, month


def _deadline(days: str, default: int, unit: str, default_unit: str) -> tuple[int, str]:
    return _int(days, default), _unit(unit, default_unit)


def _nd313_overrides(nd80: dict) -> dict:
    """The Decree 313/2025 values set in the environment (ND313_APPRAISAL_DAYS, ...), by the
    Decree 80 setting they replace; each unset part keeps the Decree 80 value
    (app/aid/regimes.py, docs/decisions.md)."""
    overrides = {}
    for key in ("APPRAISAL", "NOTICE", "FINANCE_COPY", "REVOCATION_NOTICE"):
        days, unit = f"ND313_{key}_DAYS", f"ND313_{key}_DAYS_UNIT"
        if days in os.environ or unit in os.environ:
            number, default_unit = nd80[f"AID_{key}_DEADLINE"]
            overrides[f"AID_{key}_DEADLINE"] = _deadline(days, number, unit, default_unit)
    for key in ("CLOSING_REPORT_MONTHS", "START_MONTHS"):
        if f"ND313_{key}" in os.environ:
            overrides[f"AID_{key}"] = _int(f"ND313_{key}", nd80[f"AID_{key}"])
    if "ND313_ANNUAL_REPORT_DUE" in os.environ:
        overrides["AID_ANNUAL_REPORT_DUE"] = _day_month("ND313_ANNUAL_REPORT_DUE", "15/01")
    if "ND313_RELIEF_OPINIONS_OPTIONAL" in os.environ:
        overrides["AID_RELIEF_OPINIONS_OPTIONAL"] = _bool("ND313_RELIEF_OPINIONS_OPTIONAL", True)
    return overrides


def shannon_entropy(text: str) -> float:
    """Bits per character of the text's own character distribution."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def secret_key_problem(key: str | None) -> str | None:
    """Why this SECRET_KEY is unfit for production, or None when it looks random."""
    key = key or ""
    if key == DEV_SECRET_KEY or not key:
        return "SECRET_KEY is not set (the development key is used)."
    if len(key) < MIN_SECRET_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters."
    if any(word in key.lower() for word in PLACEHOLDER_WORDS):
        return "SECRET_KEY looks like a placeholder (changeme, secret, ...)."
    entropy = shannon_entropy(key)
    if (
        len(set(key)) < MIN_SECRET_DISTINCT
        or entropy < MIN_SECRET_BITS_PER_CHAR
        or entropy * len(key) < MIN_SECRET_BITS
    ):
        return "SECRET_KEY is not random enough (too few distinct characters)."
    return None


def apply_proxy_fix(app) -> None:
    """Behind PROXY_FIX reverse proxies (nginx), trust their X-Forwarded-* headers so the
    client's address (login throttling, audit) and https are seen."""
    if proxies := app.config.get("PROXY_FIX", 0):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply overrides (tests)."""
    env = os.environ.get("APP_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigError(f"APP_ENV must be 'development' or 'production', not {env!r}")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'registry.db'}"
    config = {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads")),
        # Where attachment bytes live (app/core/stores.py): "local" (files under UPLOAD_DIR,
        # the default), "database" (table attachment_blob: every server sharing the database
        # reads them) or "s3" (an S3-compatible bucket through boto3; credentials from the
        # AWS_* environment variables, never from this file).
        "ATTACHMENT_STORE": os.environ.get("ATTACHMENT_STORE", "local").strip().lower(),
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        "S3_REGION": os.environ.get("S3_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None,
        # Attachments: size limit per file and the accepted types (by extension).
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "ATTACHMENT_EXTENSIONS": {
            "pdf",
            "doc",
            "docx",
            "xls",
            "xlsx",
            "csv",
            "odt",
            "ods",
            "jpg",
            "jpeg",
            "png",
            "zip",
        },
        # Workbook imports: the size one part of an .xlsx may inflate to (a zip bomb is
        # refused unread) and the data rows read per sheet. A checked and imported row is
        # held in memory (docs/performance.md, "Uploads with bounded cost": 200,000
        # organisations took 1.5 GB), so the default is the 100,000 the registry promises.
        "IMPORT_MAX_INFLATED_MB": _int("IMPORT_MAX_INFLATED_MB", 200),
        "IMPORT_MAX_ROWS": _int("IMPORT_MAX_ROWS", 100_000),
        # Lists at national scale (issue 15): the pager counts up to LIST_COUNT_LIMIT rows,
        # a text search's rows up to SEARCH_COUNT_LIMIT (app.core.listing); a list export
        # longer than EXPORT_JOB_ROWS runs as a background job.
        "LIST_COUNT_LIMIT": _int("LIST_COUNT_LIMIT", 10_000),
        "SEARCH_COUNT_LIMIT": _int("SEARCH_COUNT_LIMIT", 1_000),
        "EXPORT_JOB_ROWS": _int("EXPORT_JOB_ROWS", 20_000),
        # Statistics computed by one process kept in the database for all (app.stats.shared).
        # The test suite turns it off: its tests run inside a transaction that is rolled
        # back, and a second connection cannot write beside it on SQLite.
        "STATS_SHARED_FIGURES": _bool("STATS_SHARED_FIGURES", True),
        # The province the registry serves (Decision 19/2025/QĐ-TTg code); its communes first.
        "PROVINCE_CODE": _int("PROVINCE_CODE", 51),
        "PAGE_SIZE": _int("PAGE_SIZE", 25),
        # Deadlines of the aid procedure: (number, unit) with unit "working" or "calendar".
        "AID_OPINION_DEADLINE": (_int("AID_OPINION_DAYS", 10), "working"),
        "AID_APPRAISAL_DEADLINE": _deadline(
            "AID_APPRAISAL_DAYS", 20, "AID_APPRAISAL_DAYS_UNIT", "calendar"
        ),
        # The rest of the regime table (app/aid/regimes.py, docs/decisions.md): the
        # decision sent to the donor and the ministries ("05 ngày", Decree 80 art. 11(2)),
        # the copy to the finance department (Circular 23/2022 art. 5(6)), the revocation
        # notice (no legal deadline), the annual report's date, whether disaster relief may
        # skip the opinions. These are Decree 80's values; ND313_* settings override them
        # for Decree 313/2025 items (its text was not found).
        "AID_NOTICE_DEADLINE": _deadline("AID_NOTICE_DAYS", 5, "AID_NOTICE_DAYS_UNIT", "calendar"),
        "AID_FINANCE_COPY_DEADLINE": _deadline(
            "AID_FINANCE_COPY_DAYS", 10, "AID_FINANCE_COPY_DAYS_UNIT", "working"
        ),
        "AID_REVOCATION_NOTICE_DEADLINE": _deadline(
            "AID_REVOCATION_NOTICE_DAYS",
            _int("AID_NOTICE_DAYS", 5),
            "AID_REVOCATION_NOTICE_DAYS_UNIT",
            os.environ.get("AID_NOTICE_DAYS_UNIT", "calendar"),
        ),
        "AID_ANNUAL_REPORT_DUE": _day_month("AID_ANNUAL_REPORT_DUE", "15/01"),
        "AID_RELIEF_OPINIONS_OPTIONAL": _bool("AID_RELIEF_OPINIONS_OPTIONAL", True),
        # Follow-up alerts, in months: approved but not started (revocable), periodic report
        # interval, closing report after the end date.
        "AID_START_MONTHS": _int("AID_START_MONTHS", 6),
        "AID_REPORT_MONTHS": _int("AID_REPORT_MONTHS", 6),
        "AID_REPORT_GRACE_DAYS": _int("AID_REPORT_GRACE_DAYS", 30),
        "AID_CLOSING_REPORT_MONTHS": _int("AID_CLOSING_REPORT_MONTHS", 6),
        # Delegations: a request is due N working days before arrival (later ones are
        # flagged, not refused); the visit report N working days after the end; the notice
        # to police and border guard at least N hours before a border-area visit.
        "DELEGATION_REQUEST_WORKING_DAYS": _int("DELEGATION_REQUEST_WORKING_DAYS", 7),
        "DELEGATION_REPORT_WORKING_DAYS": _int("DELEGATION_REPORT_WORKING_DAYS", 10),
        "DELEGATION_BORDER_NOTICE_HOURS": _int("DELEGATION_BORDER_NOTICE_HOURS", 24),
        # A member's passport should stay valid N months after entry (the delegation's
        # start): a warning, not a refusal (the "expires before the end" check refuses).
        "PASSPORT_MIN_VALID_MONTHS": _int("PASSPORT_MIN_VALID_MONTHS", 6),
        # People-to-people diplomacy budget: the share (percent) of a line's allocation that
        # should be used by 30 September of its year (a flag on the line, never a refusal).
        "BUDGET_MIN_SHARE_BY_SEPT": _percent("BUDGET_MIN_SHARE_BY_SEPT", 50),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open over lunch must still submit
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # "Remember me" keeps a user signed in for REMEMBER_DAYS; logout, a password change,
        # deactivation or an administrator end it at once (User.session_token).
        "REMEMBER_COOKIE_DURATION": timedelta(days=_int("REMEMBER_DAYS", 14)),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Login throttling: an account is locked for LOGIN_LOCK_MINUTES after
        # LOGIN_MAX_FAILURES_USER failures within LOGIN_WINDOW_MINUTES; an address after
        # LOGIN_MAX_FAILURES_IP failures (its failed attempts wait; correct ones pass).
        "LOGIN_MAX_FAILURES_USER": _int("LOGIN_MAX_FAILURES_USER", 5),
        "LOGIN_MAX_FAILURES_IP": _int("LOGIN_MAX_FAILURES_IP", 20),
        "LOGIN_WINDOW_MINUTES": _int("LOGIN_WINDOW_MINUTES", 15),
        "LOGIN_LOCK_MINUTES": _int("LOGIN_LOCK_MINUTES", 15),
        # Number of reverse proxies in front whose X-Forwarded-* headers are trusted (0: none).
        "PROXY_FIX": _int("PROXY_FIX", 0),
        "PREFERRED_URL_SCHEME": os.environ.get(
            "PREFERRED_URL_SCHEME", "https" if env == "production" else "http"
        ),
        # Checked by `flask doctor`: the newest file there must be younger than N hours.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR") or None,
        "BACKUP_MAX_AGE_HOURS": _int("BACKUP_MAX_AGE_HOURS", 26),
        # E-mail of the notifications' daily digest (`flask notify digest`): off unless
        # MAIL_ENABLED; plain SMTP on MAIL_SERVER:MAIL_PORT, STARTTLS when MAIL_STARTTLS, a
        # login when MAIL_USERNAME is set. MAIL_BASE_URL (https://...) makes the links
        # absolute in the mails.
        "MAIL_ENABLED": _bool("MAIL_ENABLED", False),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_STARTTLS": _bool("MAIL_STARTTLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "vientro@localhost"),
        "MAIL_BASE_URL": os.environ.get("MAIL_BASE_URL", "").rstrip("/"),
        # Whom the drafted annual aid report is addressed to (app/documents).
        "DOCUMENTS_ANNUAL_REPORT_TO": os.environ.get("DOCUMENTS_ANNUAL_REPORT_TO", "Bộ Tài chính"),
    }
    config["AID_REGIME_OVERRIDES"] = {"nd313_2025": _nd313_overrides(config)}
    if env == "production":
        # `flask doctor` must start to report the problem; it serves no request.
        problem = secret_key_problem(config["SECRET_KEY"])
        if problem and sys.argv[1:2] != ["doctor"]:
            raise ConfigError(
                f"{problem} Production needs a random SECRET_KEY, e.g. "
                "python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    config.update(overrides or {})
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No JIT compilation: its cost is paid per statement, seconds on the statistics' few
        # large queries at national scale (the year's notes: 1.1 s with it, 0.74 s without)
        # and never recovered by the registry's short ones (docs/decisions.md).
        options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("options", "-c jit=off")
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options | {"connect_args": connect_args}
    return config
