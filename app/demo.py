"""Demo agencies and users of a province after 1 July 2025 (Quảng Ngãi, which absorbed
Kon Tum; two-level local government); all demo users share the password demo12345.

The logins of the first version keep their abilities: `planning.*` is the aid focal unit
inside the Department of Finance, `finance.*` its budget division that answers the finance
opinions, and so on. Permissions follow each agency's duties, which are data."""

from dataclasses import dataclass

from app.auth import services
from app.auth.models import AgencyKind, Duty, Role

DEMO_PASSWORD = "demo12345"  # noqa: S105 - demo data only, refused in production

K, D = AgencyKind, Duty


@dataclass(frozen=True)
class DemoAgency:
    login: str | None  # prefix of its demo logins (`police` -> police.officer, police.viewer)
    name: str
    code: str  # also its short name
    kind: AgencyKind  # legacy category, read by no rule
    duties: tuple[Duty, ...]
    parent: str | None = None  # code of the agency it belongs to


DEMO_AGENCIES = (
    DemoAgency(
        "planning",
        "Sở Tài chính tỉnh Quảng Ngãi (đầu mối viện trợ PCPNN)",
        "STC-VT",
        K.PLANNING,
        (D.AID_FOCAL, D.FINANCE),
    ),
    DemoAgency(
        "foreign_affairs",
        "Sở Ngoại vụ tỉnh Quảng Ngãi",
        "SNgV",
        K.FOREIGN_AFFAIRS,
        (D.FOREIGN_AFFAIRS,),
    ),
    DemoAgency("police", "Công an tỉnh Quảng Ngãi", "CAT", K.POLICE, (D.POLICE,)),
    DemoAgency(
        "finance",
        "Sở Tài chính tỉnh Quảng Ngãi – Phòng Quản lý ngân sách",
        "STC-NS",
        K.FINANCE,
        (D.FINANCE,),
        parent="STC-VT",
    ),
    DemoAgency(
        "leadership", "Văn phòng UBND tỉnh Quảng Ngãi", "VP UBND", K.LEADERSHIP, (D.LEADERSHIP,)
    ),
    DemoAgency("other", "UBND xã Đăk Tô", "UBND Đăk Tô", K.OTHER, (D.HOST,)),
    DemoAgency(
        "border_guard",
        "Bộ Chỉ huy Bộ đội Biên phòng tỉnh Quảng Ngãi",
        "BĐBP",
        K.OTHER,
        (D.BORDER_GUARD,),
    ),
    DemoAgency(
        "dual",
        "Ban Ngoại vụ và Viện trợ PCPNN (mô hình một đầu mối)",
        "NV-VT",
        K.PLANNING,
        (D.AID_FOCAL, D.FOREIGN_AFFAIRS),
    ),
    DemoAgency(None, "Sở Nội vụ tỉnh Quảng Ngãi", "SNV", K.OTHER, (D.INTERNAL_AFFAIRS,)),
    DemoAgency(None, "UBND xã Bờ Y", "UBND Bờ Y", K.OTHER, (D.HOST,)),
    DemoAgency(None, "UBND xã Mô Rai", "UBND Mô Rai", K.OTHER, (D.HOST,)),
)
ADMIN_AGENCY = "planning"
ROLE_NAMES = {Role.OFFICER: "Cán bộ", Role.VIEWER: "Người xem"}


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) of every demo login, for the README and ./scripts/run."""
    logins = [("admin", "Quản trị hệ thống")]
    for demo in DEMO_AGENCIES:
        if demo.login is None:
            continue
        for role, role_name in ROLE_NAMES.items():
            logins.append((f"{demo.login}.{role.value}", f"{role_name} – {demo.name}"))
    return logins


def load(records: bool = True) -> str:
    agencies = {
        demo: services.ensure_agency(
            demo.name, demo.kind, demo.code, duties=demo.duties, code=demo.code
        )
        for demo in DEMO_AGENCIES
    }
    by_code = {demo.code: agency for demo, agency in agencies.items()}
    for demo, agency in agencies.items():
        if demo.parent and agency.parent_id is None:
            agency.parent_id = by_code[demo.parent].id
    by_login = {demo.login: agency for demo, agency in agencies.items() if demo.login}
    services.ensure_user(
        "admin", "Quản trị hệ thống", by_login[ADMIN_AGENCY], Role.ADMIN, DEMO_PASSWORD
    )
    for login, agency in by_login.items():
        for role, role_name in ROLE_NAMES.items():
            services.ensure_user(
                f"{login}.{role.value}",
                f"{role_name} {agency.short_name}",
                agency,
                role,
                DEMO_PASSWORD,
            )
    # Demo records arrive with the registry workbook (issue 6); --no-records skips them.
    return f"Demo: {len(agencies)} agencies, {len(demo_logins())} users (password {DEMO_PASSWORD})."
