"""Settings read from the environment.

`APP_ENV` is `development` (default: what ./scripts/run and the tests use) or
`production` (a real SECRET_KEY required, secure cookies, demo loading refused).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


class ConfigError(RuntimeError):
    pass


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


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
        # The province the registry serves (Decision 19/2025/QĐ-TTg code); its communes first.
        "PROVINCE_CODE": _int("PROVINCE_CODE", 51),
        "PAGE_SIZE": _int("PAGE_SIZE", 25),
        # Deadlines of the aid procedure: (number, unit) with unit "working" or "calendar".
        "AID_OPINION_DEADLINE": (_int("AID_OPINION_DAYS", 10), "working"),
        "AID_APPRAISAL_DEADLINE": (
            _int("AID_APPRAISAL_DAYS", 20),
            os.environ.get("AID_APPRAISAL_DAYS_UNIT", "calendar"),
        ),
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
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open over lunch must still submit
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
    }
    if env == "production":
        if config["SECRET_KEY"] in ("", DEV_SECRET_KEY) or len(config["SECRET_KEY"]) < 24:
            raise ConfigError("Production needs SECRET_KEY set to a random value (>= 24 chars).")
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    config.update(overrides or {})
    return config
