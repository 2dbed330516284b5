"""Demo agencies and users of a province; all demo users share the password demo12345."""

from app.auth import services
from app.auth.models import AgencyKind, Role

DEMO_PASSWORD = "demo12345"  # noqa: S105 - demo data only, refused in production

DEMO_AGENCIES = {
    AgencyKind.PLANNING: ("Sở Tài chính tỉnh Quảng Ngãi (đầu mối viện trợ PCPNN)", "STC-VT"),
    AgencyKind.FOREIGN_AFFAIRS: ("Sở Ngoại vụ tỉnh Quảng Ngãi", "SNgV"),
    AgencyKind.POLICE: ("Công an tỉnh Quảng Ngãi", "CAT"),
    AgencyKind.FINANCE: ("Sở Tài chính tỉnh Quảng Ngãi – Phòng Quản lý ngân sách", "STC-NS"),
    AgencyKind.LEADERSHIP: ("Văn phòng UBND tỉnh Quảng Ngãi", "VP UBND"),
    AgencyKind.OTHER: ("UBND xã Đăk Tô", "UBND Đăk Tô"),
}
ROLE_NAMES = {Role.OFFICER: "Cán bộ", Role.VIEWER: "Người xem"}


def demo_logins() -> list[tuple[str, str]]:
    """(username, description) of every demo login, for the README and ./scripts/run."""
    logins = [("admin", "Quản trị hệ thống")]
    for kind, (name, _short) in DEMO_AGENCIES.items():
        for role, role_name in ROLE_NAMES.items():
            logins.append((f"{kind.value}.{role.value}", f"{role_name} – {name}"))
    return logins


def load(records: bool = True) -> str:
    agencies = {
        kind: services.ensure_agency(name, kind, short)
        for kind, (name, short) in DEMO_AGENCIES.items()
    }
    services.ensure_user(
        "admin", "Quản trị hệ thống", agencies[AgencyKind.PLANNING], Role.ADMIN, DEMO_PASSWORD
    )
    for kind, agency in agencies.items():
        for role, role_name in ROLE_NAMES.items():
            services.ensure_user(
                f"{kind.value}.{role.value}",
                f"{role_name} {agency.short_name}",
                agency,
                role,
                DEMO_PASSWORD,
            )
    # Demo records arrive with the registry workbook (issue 6); --no-records skips them.
    return f"Demo: {len(agencies)} agencies, {len(demo_logins())} users (password {DEMO_PASSWORD})."
