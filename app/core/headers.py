"""Security headers on every response (pages, static files, downloads, error pages) and
the favicon.

The Content-Security-Policy allows scripts and styles from the app itself only: no inline
<script>, no on*= handlers, no style= attributes (tests/test_security.py scans the
templates). JSON data blocks (<script type="application/json">) are data, not scripts.
"""

from flask import Flask, current_app, send_from_directory

from app.core import permissions as rules
from app.core.permissions import requires

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap draws its small icons as data: SVG
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# Production runs behind HTTPS (its cookies are Secure); browsers ignore HSTS over HTTP.
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    headers = dict(HEADERS)
    if app.config["APP_ENV"] == "production":
        headers["Strict-Transport-Security"] = HSTS

    @app.after_request
    def _security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.add_url_rule("/favicon.ico", "favicon", favicon)


@requires(rules.anyone)
def favicon():
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=86400
    )
