"""Security headers on every kind of response, templates free of inline script and style
(the Content-Security-Policy refuses them), and the favicon."""

import re
from pathlib import Path

import pytest

from app import create_app
from app.core.headers import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "app" / "static"

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_secure(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["base-uri"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe" not in csp
    # Development and tests run on plain HTTP: no HSTS there.
    assert "Strict-Transport-Security" not in response.headers


def test_login_page_has_the_headers(web):
    response = web.get("/dang-nhap")
    assert response.status_code == 200
    assert_secure(response)


def test_html_page_of_a_signed_in_user_has_the_headers(login):
    response = login("planning.officer").get("/to-chuc/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert_secure(response)


def test_static_files_have_the_headers(web):
    urls = ["/static/app.css", "/static/stats-chart.js", "/bootstrap/static/css/bootstrap.min.css"]
    for url in urls:
        response = web.get(url)
        assert response.status_code == 200, url
        assert_secure(response)
        response.close()


def test_downloads_have_the_headers(login):
    response = login("planning.officer").get("/to-chuc/xuat.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert_secure(response)


def test_error_pages_have_the_headers(web, login):
    response = web.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert_secure(response)
    response = web.post("/dang-nhap", data={"username": "x"}, csrf=False)  # no CSRF token
    assert response.status_code == 400
    assert_secure(response)
    response = login("leadership.viewer").get("/to-chuc/moi")
    assert response.status_code == 403
    assert_secure(response)


def test_redirects_have_the_headers(web):
    response = web.get("/to-chuc/")
    assert response.status_code == 302
    assert_secure(response)


def test_favicon_is_served(web):
    response = web.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert_secure(response)
    response.close()
    page = web.get("/dang-nhap").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert web.get("/static/favicon.svg").status_code == 200


def test_production_adds_hsts(tmp_path):
    app = create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "a-real-secret-key-of-enough-length",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
            "TESTING": True,
        }
    )
    response = app.test_client().get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    response.close()


# --- No inline code in the templates -------------------------------------------------------

TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)\b([^>]*)>", re.S)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def inline_code(text: str) -> list[str]:
    """Every construct the CSP would refuse: inline scripts, on*= handlers, javascript: URLs,
    style attributes and <style> elements."""
    found = []
    for match in TAG.finditer(text):
        name, attributes = match.group(1).lower(), match.group(2)
        is_data = 'type="application/json"' in attributes
        if name == "script" and "src=" not in attributes and not is_data:
            found.append(match.group(0))
        if name == "style":
            found.append(match.group(0))
        if HANDLER.search(attributes) or re.search(r"\sstyle\s*=", attributes, re.I):
            found.append(match.group(0))
    if re.search(r"javascript:", text, re.I):
        found.append("javascript:")
    return found


def test_the_scanner_finds_what_it_looks_for():
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<button class="b" onclick="go()">')
    assert inline_code('<a href="javascript:go()">')
    assert inline_code('<p style="color: red">')
    assert inline_code("<style>p {}</style>")
    assert not inline_code('<script src="/static/a.js"></script>')
    assert not inline_code('<script type="application/json" id="d">{"a": 1}</script>')
    assert not inline_code('<button data-print class="btn">In</button>')


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_have_no_inline_script_or_style(path):
    found = inline_code(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(TEMPLATES)}: the Content-Security-Policy refuses {found}; "
        "put scripts in app/static/*.js (listeners, data-* attributes) and styles in "
        "app/static/app.css (classes)"
    )


def test_the_apps_own_scripts_add_no_inline_styles_or_handlers():
    for path in STATIC.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"style=|\son[a-z]+=|setAttribute\(\s*[\"']style", text), path.name


# --- In a real browser: the policy refuses nothing the pages need ------------------------


@pytest.mark.e2e
def test_pages_raise_no_policy_violation_in_the_browser(page, base_url, browser_login):
    from tests.conftest import open_menu

    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    browser_login("planning.officer")
    page.wait_for_url(f"{base_url}/")
    pages = ["/", "/vien-tro/moi", "/vien-tro/viec-can-xu-ly", "/doan/moi", "/doan/lich"]
    pages += ["/to-chuc/moi", "/thong-ke/", "/du-lieu/"]
    for url in pages:
        assert page.goto(f"{base_url}{url}").status == 200, url
    # Each list, and the first record it links to (a delegation's printable list too).
    for prefix in ("/vien-tro/", "/doan/", "/to-chuc/"):
        assert page.goto(f"{base_url}{prefix}").status == 200, prefix
        hrefs = page.locator(f'a[href^="{prefix}"]').evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
        record = next((h for h in hrefs if h[len(prefix) :].isdigit()), None)
        if record:
            assert page.goto(f"{base_url}{record}").status == 200, record
            if prefix == "/doan/":
                assert page.goto(f"{base_url}{record}/in").status == 200
                page.get_by_role("button", name="In").wait_for()
    page.goto(f"{base_url}/")
    menu = open_menu(page, "Viện trợ")
    assert menu.get_by_role("link", name="Khoản viện trợ").is_visible()
    assert not violations, violations
