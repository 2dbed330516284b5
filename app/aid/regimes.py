"""The legal regimes of aid items and the rules of each that touch the registry.

An item's regime is chosen by the date its dossier was received: Decree 80/2020/NĐ-CP
until Decree 313/2025/NĐ-CP replaced it on 08/12/2025 (REGIME_PERIODS, regime_for: the
default of the dossier form, of imported items without one). The item keeps its regime
(AidItem.regime), which selects its row of the regime table (`regime_rules`): the
appraisal deadline, the notices after the decision, the reports, revocation, whether
disaster relief may skip the opinions; each rule with its legal citation.

The Decree 80 row is built from the settings (app/config.py: AID_APPRAISAL_DAYS, ...). The
body of Decree 313/2025 was not found (docs/decisions.md, issue 12), so its row repeats the
Decree 80 values unless a ND313_* setting overrides one; Decree 93/2009 was not researched
and follows the Decree 80 row too.
"""

from dataclasses import dataclass, replace
from datetime import date

from flask import current_app


@dataclass(frozen=True)
class RegimePeriod:
    regime: str  # an app.aid.models.Regime key
    received_from: date | None
    received_before: date | None


REGIME_PERIODS = (
    RegimePeriod("nd80_2020", None, date(2025, 12, 8)),
    RegimePeriod("nd313_2025", date(2025, 12, 8), None),
)


def regime_for(received_on: date) -> str:
    """The regime key of a dossier received on that date."""
    for period in REGIME_PERIODS:
        if (period.received_from is None or received_on >= period.received_from) and (
            period.received_before is None or received_on < period.received_before
        ):
            return period.regime
    raise ValueError(received_on)


# --- The regime table ----------------------------------------------------------------------

UNITS = {"working": "ngày làm việc", "calendar": "ngày", "months": "tháng"}

ND80 = "Nghị định 80/2020/NĐ-CP"
TT23 = "Thông tư 23/2022/TT-BTC, Điều 5 khoản 6"
ND313_NOT_FOUND = (
    "Nghị định 313/2025/NĐ-CP: chưa tìm được văn bản, giữ như Nghị định 80/2020 (cài đặt)"
)
ND93_NOT_READ = "Nghị định 93/2009/NĐ-CP: chưa tra cứu, áp dụng như Nghị định 80/2020"


@dataclass(frozen=True)
class RegimeRule:
    key: str
    label: str  # what the rule says, in Vietnamese
    value: object  # (n, unit) for a deadline, months, a bool, or (day, month) for a date
    citation: str
    settings: tuple[str, ...]  # the environment variables that set it

    @property
    def shown(self) -> str:
        """The value for people: "5 ngày", "10 ngày làm việc", "6 tháng", "15/01", "Có"."""
        value = self.value
        if isinstance(value, bool):
            return "Có" if value else "Không"
        if self.key == "annual_report_due":
            day, month = value
            return f"{day:02d}/{month:02d} năm sau"
        if isinstance(value, tuple):
            number, unit = value
            return f"{number} {UNITS.get(unit, unit)}"
        return f"{value} tháng"


# key -> (Vietnamese label, Decree 80 citation, setting of the Decree 80 value (app/config.py
# key), the environment variables of Decree 80 and of Decree 313).
RULES = {
    "appraisal_deadline": (
        "Hạn thẩm định kể từ khi hồ sơ hợp lệ",
        f"{ND80}, Điều 10 khoản 6 (“không quá 20 ngày”)",
        "AID_APPRAISAL_DEADLINE",
        ("AID_APPRAISAL_DAYS", "AID_APPRAISAL_DAYS_UNIT"),
    ),
    "notice_deadline": (
        "Gửi quyết định phê duyệt cho nhà tài trợ và các Bộ, cơ quan liên quan",
        f"{ND80}, Điều 11 khoản 2 (“05 ngày” kể từ ngày ban hành quyết định)",
        "AID_NOTICE_DEADLINE",
        ("AID_NOTICE_DAYS", "AID_NOTICE_DAYS_UNIT"),
    ),
    "finance_copy_deadline": (
        "Gửi bản sao quyết định và thỏa thuận viện trợ cho Sở Tài chính "
        "(chỉ khoản viện trợ thuộc nguồn thu ngân sách nhà nước)",
        f"{TT23} (“10 ngày làm việc” kể từ khi lưu hành; Điều 1: viện trợ thuộc nguồn thu NSNN)",
        "AID_FINANCE_COPY_DEADLINE",
        ("AID_FINANCE_COPY_DAYS", "AID_FINANCE_COPY_DAYS_UNIT"),
    ),
    "revocation_notice_deadline": (
        "Thông báo thu hồi quyết định cho nhà tài trợ",
        f"{ND80}, Điều 4 khoản 7 (phải thông báo, không quy định thời hạn: "
        "hạn do tỉnh đặt, mặc định như hạn gửi quyết định)",
        "AID_REVOCATION_NOTICE_DEADLINE",
        ("AID_REVOCATION_NOTICE_DAYS", "AID_REVOCATION_NOTICE_DAYS_UNIT"),
    ),
    "annual_report_due": (
        "Báo cáo năm của cơ quan chủ quản",
        f"{ND80}, Điều 13 khoản 9 (trước ngày 15/01 năm sau)",
        "AID_ANNUAL_REPORT_DUE",
        ("AID_ANNUAL_REPORT_DUE",),
    ),
    "closing_report_months": (
        "Báo cáo kết thúc sau khi kết thúc khoản viện trợ",
        f"{ND80}, Điều 13 khoản 9, Điều 14 khoản 4 (trong vòng 6 tháng)",
        "AID_CLOSING_REPORT_MONTHS",
        ("AID_CLOSING_REPORT_MONTHS",),
    ),
    "revocation_months": (
        "Có thể thu hồi nếu chưa triển khai sau khi phê duyệt",
        f"{ND80}, Điều 4 khoản 7 (sau 6 tháng không triển khai, không có lý do chính đáng)",
        "AID_START_MONTHS",
        ("AID_START_MONTHS",),
    ),
    "relief_opinions_optional": (
        "Viện trợ khắc phục hậu quả thiên tai, thảm họa: không bắt buộc xin ý kiến",
        f"{ND80}, Điều 10 khoản 4",
        "AID_RELIEF_OPINIONS_OPTIONAL",
        ("AID_RELIEF_OPINIONS_OPTIONAL",),
    ),
}
# The Decree 313 settings: the Decree 80 variable with its AID_ prefix replaced by ND313_.
ND313_PREFIX = "ND313_"


def nd313_setting(name: str) -> str:
    return ND313_PREFIX + name.removeprefix("AID_")


@dataclass(frozen=True)
class RegimeRules:
    """One regime's row of the table."""

    regime: str
    rules: tuple[RegimeRule, ...]

    def __getitem__(self, key: str) -> RegimeRule:
        return next(rule for rule in self.rules if rule.key == key)

    @property
    def appraisal_deadline(self) -> tuple[int, str]:
        return self["appraisal_deadline"].value

    @property
    def notice_deadline(self) -> tuple[int, str]:
        return self["notice_deadline"].value

    @property
    def finance_copy_deadline(self) -> tuple[int, str]:
        return self["finance_copy_deadline"].value

    @property
    def revocation_notice_deadline(self) -> tuple[int, str]:
        return self["revocation_notice_deadline"].value

    @property
    def closing_report_months(self) -> int:
        return self["closing_report_months"].value

    @property
    def revocation_months(self) -> int:
        return self["revocation_months"].value

    @property
    def relief_opinions_optional(self) -> bool:
        return self["relief_opinions_optional"].value


def _nd80(config) -> RegimeRules:
    return RegimeRules(
        "nd80_2020",
        tuple(
            RegimeRule(key, label, config[setting], citation, env)
            for key, (label, citation, setting, env) in RULES.items()
        ),
    )


def _nd313(config, base: RegimeRules) -> RegimeRules:
    overrides = config.get("AID_REGIME_OVERRIDES", {}).get("nd313_2025", {})
    rules = []
    for rule in base.rules:
        setting = RULES[rule.key][2]
        citation = ND313_NOT_FOUND
        if rule.key == "finance_copy_deadline":  # a circular, not the decree
            citation = f"{TT23} (chưa tìm được thông tư thay thế; cài đặt)"
        rules.append(
            replace(
                rule,
                value=overrides.get(setting, rule.value),
                citation=citation,
                settings=tuple(nd313_setting(name) for name in rule.settings),
            )
        )
    return RegimeRules("nd313_2025", tuple(rules))


def regime_table(config=None) -> dict[str, RegimeRules]:
    """Every regime's row, from the settings (current_app's by default)."""
    config = config if config is not None else current_app.config
    nd80 = _nd80(config)
    nd93 = RegimeRules(
        "nd93_2009", tuple(replace(rule, citation=ND93_NOT_READ) for rule in nd80.rules)
    )
    return {"nd93_2009": nd93, "nd80_2020": nd80, "nd313_2025": _nd313(config, nd80)}


def regime_rules(regime: str | None, config=None) -> RegimeRules:
    """The row of a regime key (an item's `regime`); an unknown or empty key reads the
    current regime's (Decree 313/2025)."""
    table = regime_table(config)
    return table.get(regime or "", table["nd313_2025"])


def opinions_optional(item) -> bool:
    """Disaster relief may be appraised without the opinions, if its regime says so."""
    return item.is_emergency and regime_rules(item.regime).relief_opinions_optional
