"""Every form that changes an existing record carries the record's version, and a save made
from a stale page is refused with 409 ("changed by someone else"), never applied.

Each case opens the page as a user allowed to edit, reads the form as a browser would
(every field with the value the page shows), sets `version` one lower and posts it back.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.aid import services as aid_services
from app.aid.states import AidStatus
from app.auth.models import Agency, User
from app.core.dates import today_vn


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def value(self, name: str) -> str | None:
        return next((v for n, v in self.fields if n == name), None)


class FormReader(HTMLParser):
    """The POST forms of a page with the values a browser would send (no buttons, no files)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool, list, list] | None = None  # name, multiple, all, chosen
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = Form(a.get("action") or "")
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.fields.append((name, a.get("value") or ("y" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in a, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[2].append(value)
            if "selected" in a:
                self._select[3].append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            name, multiple, options, chosen = self._select
            values = chosen if multiple or chosen else options[:1]
            self._form.fields += [(name, v) for v in values]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def edit_form(page: str, action: str, page_url: str) -> Form:
    reader = FormReader()
    reader.feed(page)
    found = [f for f in reader.forms if (f.action or page_url) == action]
    assert len(found) == 1, f"no single form posting to {action} on {page_url}"
    return found[0]


@dataclass
class Case:
    username: str
    page: str  # the page showing the form
    action: str | None = None  # where it posts (default: the page itself)
    version: int | None = None  # the record's version now
    fill: dict = field(default_factory=dict)  # required values the page leaves empty


def _org(make_org, **_):
    org = make_org("LOCK-ORG", "KR", "Locking Org")
    return Case("planning.officer", f"/to-chuc/{org.id}/sua", version=org.version)


def _org_archive(make_org, **_):
    org = make_org("LOCK-ORG2", "KR", "Locking Org 2")
    return Case(
        "planning.officer",
        f"/to-chuc/{org.id}",
        f"/to-chuc/{org.id}/luu-tru",
        org.version,
        {"reason": "Nhập trùng"},
    )


def _aid_item(make_item, **_):
    item = make_item("LOCK-VT")
    return Case("planning.officer", f"/vien-tro/{item.id}/sua", version=item.version)


def _aid_archive(make_item, **_):
    item = make_item("LOCK-VT2")
    return Case(
        "planning.officer",
        f"/vien-tro/{item.id}",
        f"/vien-tro/{item.id}/luu-tru",
        item.version,
        {"reason": "Nhập trùng"},
    )


def _inspection(make_item, app, db, user, **_):
    item = make_item("LOCK-VT3", status=AidStatus.DANG_THUC_HIEN)
    with app.app_context():
        inspection = aid_services.add_inspection(
            item, inspected_on=today_vn(), team="Đoàn kiểm tra", user=user("planning.officer")
        )
        db.session.commit()
        version = inspection.version
    return Case(
        "planning.officer",
        f"/vien-tro/{item.id}",
        f"/vien-tro/kiem-tra/{inspection.id}/khac-phuc",
        version,
    )


def _opinion(make_item, app, **_):
    item = make_item("LOCK-VT4", status=AidStatus.XIN_Y_KIEN)
    with app.app_context():
        opinion = next(o for o in item.opinions if o.agency.kind == "finance")
        opinion_id, version = opinion.id, opinion.version
    return Case(
        "finance.officer", f"/vien-tro/y-kien/{opinion_id}", version=version, fill={"answer": "Ổn"}
    )


def _delegation(make_delegation, **_):
    delegation = make_delegation("LOCK-DV")
    return Case("other.officer", f"/doan/{delegation.id}/sua", version=delegation.version)


def _delegation_archive(make_delegation, **_):
    delegation = make_delegation("LOCK-DV2")
    return Case(
        "other.officer",
        f"/doan/{delegation.id}",
        f"/doan/{delegation.id}/luu-tru",
        delegation.version,
        {"reason": "Nhập trùng"},
    )


def _member(make_delegation, **_):
    delegation = make_delegation("LOCK-DV3", stage="submitted")
    target = delegation.members[0]
    return Case("other.officer", f"/doan/thanh-vien/{target.id}", version=target.version)


def _member_removal(make_delegation, **_):
    delegation = make_delegation("LOCK-DV4", stage="submitted")
    target = delegation.members[0]
    return Case(
        "other.officer",
        f"/doan/thanh-vien/{target.id}/xoa",
        version=target.version,
        fill={"reason": "Không đi nữa"},
    )


def _planned_disbursement(make_item, app, db, user, **_):
    item = make_item("LOCK-VT5", status=AidStatus.DANG_THUC_HIEN)
    with app.app_context():
        row = aid_services.add_planned_disbursement(
            item, today_vn().year, Decimal("1000"), user=user("planning.officer")
        )
        db.session.commit()
        row_id, version = row.id, row.version
    return Case("planning.officer", f"/vien-tro/ke-hoach-giai-ngan/{row_id}/sua", version=version)


def _user(db, **_):
    target = db.session.scalar(sa.select(User).where(User.username == "finance.viewer"))
    return Case("admin", f"/quan-tri/nguoi-dung/{target.id}", version=target.version)


def _agency(db, **_):
    target = db.session.scalar(sa.select(Agency).where(Agency.kind == "leadership"))
    return Case("admin", f"/quan-tri/co-quan/{target.id}", version=target.version)


CASES = {
    "organisation": _org,
    "organisation archive": _org_archive,
    "aid item": _aid_item,
    "aid item archive": _aid_archive,
    "inspection follow-up": _inspection,
    "opinion answer": _opinion,
    "delegation": _delegation,
    "delegation archive": _delegation_archive,
    "delegation member": _member,
    "delegation member removal": _member_removal,
    "planned disbursement": _planned_disbursement,
    "user": _user,
    "agency": _agency,
}


@pytest.mark.parametrize("name", CASES)
def test_every_edit_form_carries_its_version_and_refuses_a_stale_save(
    name, app, db, user, login, make_org, make_item, make_delegation
):
    case = CASES[name](
        app=app,
        db=db,
        user=user,
        make_org=make_org,
        make_item=make_item,
        make_delegation=make_delegation,
    )
    web = login(case.username)
    response = web.get(case.page)
    assert response.status_code == 200
    form = edit_form(response.get_data(as_text=True), case.action or case.page, case.page)
    assert form.value("version") == str(case.version), "the form must carry the version"
    data = MultiDict(
        [(n, v) for n, v in form.fields if n not in ("version", *case.fill)]
        + [("version", str(case.version - 1)), *case.fill.items()]
    )
    stale = web.client.post(case.action or case.page, data=data)
    assert stale.status_code == 409, stale.get_data(as_text=True)[:2000]
    assert "người khác thay đổi" in stale.get_data(as_text=True)
