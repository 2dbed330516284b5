"""Load test of the registry (run by scripts/load): officers who read and write all day.

Each simulated user signs in as a demo officer and then, every 1–3 s, does one request:
80 % reads (home page, lists, records, inboxes, the statistics page), 20 % writes (a new
donor, a draft aid item, a member added to the user's own draft delegation). A write is
one POST, answered 302 when saved; anything else (a 422 included) counts as a failure.

The statistics are reset LOAD_SETTLE seconds (default 0) after every user has started, so
the figures are those of the steady state: the last users' sign-ins (0.12 s of scrypt
each) and each worker's first statistics pages are over. What was left out is written to
LOAD_OUT/settling.json, and the server's access log length at the reset to
LOAD_OUT/access.reset (scripts/load sets both).
"""

import json
import os
import random
import re
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "demo12345"  # noqa: S105 - the demo accounts (and the national set's bench ones)
# The write each account does follows its agency's rights: the agency is the login's prefix
# (planning.officer, planning.bench01, ...).
WRITES = {
    "planning": ("donor", "aid_draft"),
    "foreign_affairs": ("donor",),
    "other": ("member",),
    "police": ("member",),
}


def accounts() -> list[str]:
    """Accounts in turn: the four demo officers, or LOAD_ACCOUNTS (comma-separated
    usernames, or `bench` for the national data set's 50 bench accounts, one per user)."""
    listed = os.environ.get("LOAD_ACCOUNTS", "").strip()
    if listed == "bench":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from generate_stats_data import bench_usernames

        return bench_usernames(int(os.environ.get("LOAD_BENCH_ACCOUNTS", "50")))
    if listed:
        return [name.strip() for name in listed.split(",") if name.strip()]
    return [f"{agency}.officer" for agency in ("planning", "other", "foreign_affairs", "police")]


ACCOUNTS = accounts()
_next_account = 0


@events.init.add_listener
def _reset_after_settling(environment, **_kwargs):
    """Reset the statistics LOAD_SETTLE seconds after the last user has started."""
    settle = float(os.environ.get("LOAD_SETTLE", "0"))
    out = Path(os.environ["LOAD_OUT"]) if os.environ.get("LOAD_OUT") else None

    def reset():
        total = environment.stats.total
        if out is not None:
            left_out = {
                "seconds": settle,
                "requests": total.num_requests,
                "failures": total.num_failures,
                "median_ms": total.get_response_time_percentile(0.5),
                "p95_ms": total.get_response_time_percentile(0.95),
                "max_ms": total.max_response_time,
            }
            (out / "settling.json").write_text(json.dumps(left_out))
            access = out / "access.log"
            if access.exists():
                with open(access) as log:
                    (out / "access.reset").write_text(str(sum(1 for _ in log)))
        environment.stats.reset_all()

    def on_spawning_complete(user_count, **_kw):
        gevent.spawn_later(settle, reset)

    environment.events.spawning_complete.add_listener(on_spawning_complete)


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def ids(page: str, prefix: str) -> list[int]:
    return sorted({int(i) for i in re.findall(rf'href="{prefix}(\d+)"', page)})


class Officer(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        global _next_account
        self.username = ACCOUNTS[_next_account % len(ACCOUNTS)]
        _next_account += 1
        page = self.client.get("/dang-nhap", name="/dang-nhap").text
        token = CSRF_RE.search(page).group(1)
        self.post_form(
            "/dang-nhap",
            {"csrf_token": token, "username": self.username, "password": PASSWORD},
        )
        home = self.client.get("/", name="/").text
        self.token = CSRF_RE.search(home).group(1)  # valid for every form of this session
        self.items = ids(self.client.get("/vien-tro/", name="/vien-tro/").text, "/vien-tro/")
        self.delegations = ids(self.client.get("/doan/", name="/doan/").text, "/doan/")
        self.orgs = ids(self.client.get("/to-chuc/", name="/to-chuc/").text, "/to-chuc/")
        self.year = date.today().year
        self.own_draft = None
        self.writes = WRITES[self.username.split(".")[0]]
        if "member" in self.writes:
            self.own_draft = self.new_delegation()

    def post_form(self, url: str, data: dict, name: str | None = None) -> str | None:
        """POST a form; success is the redirect after saving. Returns its Location."""
        with self.client.post(
            url, data=data, name=name or url, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"{response.status_code} instead of 302")
                return None
            response.success()
            return response.headers.get("Location")

    # --- Reads (80 %) ---------------------------------------------------------------------

    @task(2)
    def home(self):
        self.client.get("/", name="/")

    @task(3)
    def aid_list(self):
        page = random.choice(["/vien-tro/", "/vien-tro/?page=2", "/vien-tro/?q=truong"])
        self.client.get(page, name="/vien-tro/ (list)")

    @task(3)
    def aid_record(self):
        if self.items:
            self.client.get(f"/vien-tro/{random.choice(self.items)}", name="/vien-tro/[id]")

    @task(2)
    def aid_inbox(self):
        self.client.get("/vien-tro/viec-can-xu-ly", name="/vien-tro/viec-can-xu-ly")

    @task(2)
    def delegation_list(self):
        self.client.get(random.choice(["/doan/", "/doan/?page=2"]), name="/doan/ (list)")

    @task(2)
    def delegation_record(self):
        if self.delegations:
            self.client.get(f"/doan/{random.choice(self.delegations)}", name="/doan/[id]")

    @task(1)
    def delegation_inbox(self):
        self.client.get("/doan/viec-can-xu-ly", name="/doan/viec-can-xu-ly")

    @task(2)
    def org_list(self):
        self.client.get("/to-chuc/", name="/to-chuc/ (list)")

    @task(2)
    def org_record(self):
        if self.orgs:
            self.client.get(f"/to-chuc/{random.choice(self.orgs)}", name="/to-chuc/[id]")

    @task(1)
    def statistics(self):
        year = self.year - random.randrange(0, 3)
        self.client.get(f"/thong-ke/{year}", name="/thong-ke/[year]")

    # --- Writes (20 %) --------------------------------------------------------------------

    @task(5)
    def write(self):
        kind = random.choice(self.writes)
        getattr(self, f"new_{kind}")()

    def new_donor(self):
        code = f"LOAD-{uuid.uuid4().hex[:10].upper()}"
        data = {"csrf_token": self.token, "code": code, "name": f"Load test donor {code}"}
        data.update(kind="ngo", country=random.choice(["DE", "US", "JP", "KR", "AU"]))
        location = self.post_form("/to-chuc/moi", data, name="/to-chuc/moi")
        if location:
            self.orgs.append(int(location.rstrip("/").rsplit("/", 1)[-1]))

    def new_aid_draft(self):
        today = dmy(date.today())
        data = {
            "csrf_token": self.token,
            "code": f"LT-{uuid.uuid4().hex[:10]}",
            "name": "Dự án thử tải: nâng cấp trạm y tế",
            "modality": "du_an",
            "regime": "nd313_2025",
            "main_donor_id": str(random.choice(self.orgs)),
            "owner_name": "UBND xã Đăk Tô",
            "governing_agency": "UBND tỉnh",
            "value": "120.000",
            "currency": "usd",
            "rate_vnd": "25.400",
            "counterpart_vnd": "150.000.000",
            "sectors-0-sector": "y_te",
            "sectors-0-share": "70",
            "sectors-1-sector": "nuoc_ve_sinh",
            "sectors-1-share": "30",
            "dossier_received_on": today,
            "dossier_complete_on": today,
            "dossier_documents": ["cong_van_de_nghi", "van_kien"],
        }
        location = self.post_form("/vien-tro/moi", data, name="/vien-tro/moi")
        if location:
            self.items.append(int(location.rstrip("/").rsplit("/", 1)[-1]))

    def new_delegation(self) -> int | None:
        start = date.today() + timedelta(days=30)
        data = {
            "csrf_token": self.token,
            "code": f"LD-{uuid.uuid4().hex[:10]}",
            "direction": "vao",
            "title": "Đoàn thử tải khảo sát",
            "purpose": "khao_sat",
            "organization_id": "0",
            "sending_party": "KOICA",
            "country": "KR",
            "start_on": dmy(start),
            "end_on": dmy(start + timedelta(days=3)),
            "host_agency_id": "0",
            "funding": "nha_tai_tro",
        }
        location = self.post_form("/doan/moi", data, name="/doan/moi (setup)")
        return int(location.rstrip("/").rsplit("/", 1)[-1]) if location else None

    def new_member(self):
        if self.own_draft is None:
            return
        data = {
            "csrf_token": self.token,
            "full_name": f"Load Tester {random.randrange(10**6)}",
            "sex": random.choice(["nam", "nu"]),
            "birth_date": "01/05/1980",
            "nationality": "KR",
            "passport_number": f"L{random.randrange(10**7):07d}",
            "passport_type": "pho_thong",
            "passport_expiry": dmy(date.today() + timedelta(days=400)),
            "position": "Thành viên",
            "organization_name": "KOICA",
        }
        self.post_form(
            f"/doan/{self.own_draft}/thanh-vien/moi", data, name="/doan/[id]/thanh-vien/moi"
        )
