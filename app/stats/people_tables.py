"""The people-to-people diplomacy sections of the annual report as tables (Vietnamese
headers and labels): the page, the workbook (one sheet per domain, its tables one under
the other) and the CSV files (one per table) are built from them, as for the aid and
delegation tables (app.stats.exports). Keys and sheets: docs/spec/annual-report-people-
diplomacy.md."""

from __future__ import annotations

from functools import partial

from app.associations.states import ActivityKind
from app.budget.states import BudgetFlag, BudgetStatus
from app.core.countries import country_name
from app.stats.exports import CODE, COUNT, PERCENT, VND, Column, Table
from app.stats.people_diplomacy import TABLE_KEYS
from app.training.states import TrainingTopic

# Sheet of each domain's tables (<= 31 characters).
SHEETS = {
    "associations": "Hội hữu nghị",
    "training": "Đào tạo, bồi dưỡng",
    "budget": "Kinh phí ĐNND",
    "mobilisation": "Vận động viện trợ",
}
# Page headings of the sections.
TITLES = {
    "associations": "Hoạt động của các hội hữu nghị",
    "training": "Đào tạo, bồi dưỡng cán bộ làm công tác đối ngoại nhân dân",
    "budget": "Kinh phí đối ngoại nhân dân",
    "mobilisation": "Vận động viện trợ",
}
UNKNOWN = "Chưa xác định"
TOTAL = "Tổng cộng"


column = Column


def _table(domain: str, key: str, title: str, columns, rows) -> Table:
    return Table(key, title, SHEETS[domain], tuple(columns), rows)


def _label(labels: dict, key) -> str:
    return labels.get(key, key) if key else UNKNOWN


def association_tables(section: dict) -> list[Table]:
    table = partial(_table, "associations")
    members = section["member_counts"]
    return [
        table(
            "hoi_tong_hop",
            "Hoạt động của các hội hữu nghị – tổng hợp",
            (column("Chỉ tiêu"), column("Số lượng", COUNT), column("Kinh phí (VNĐ)", VND)),
            [
                ["Hoạt động trong năm", section["activities"], section["funds_vnd"]],
                ["Lượt người tham gia", section["participants"], None],
                ["Hoạt động chưa ghi số người tham gia", section["participants_missing"], None],
                ["Hoạt động chưa ghi kinh phí", section["funds_missing"], None],
                ["Hoạt động chưa ghi quốc gia", section["without_country"], None],
                ["Hội có báo cáo số hội viên của năm", members["associations"], None],
                ["Tổng số hội viên (theo báo cáo của năm)", members["members"], None],
            ],
        ),
        table(
            "hoi_loai_hoat_dong",
            "Hoạt động theo loại",
            (
                column("Mã loại", CODE),
                column("Loại hoạt động"),
                column("Số hoạt động", COUNT),
                column("Lượt người tham gia", COUNT),
                column("Kinh phí (VNĐ)", VND),
            ),
            [
                [
                    r["kind"],
                    r.get("label") or _label(ActivityKind.labels(), r["kind"]),
                    r["count"],
                    r["participants"],
                    r["funds_vnd"],
                ]
                for r in section["by_kind"]
            ],
        ),
        table(
            "hoi_theo_hoi",
            "Hoạt động theo hội",
            (
                column("Mã hội"),
                column("Tên hội"),
                column("Số hoạt động", COUNT),
                column("Lượt người tham gia", COUNT),
                column("Kinh phí (VNĐ)", VND),
            ),
            [
                [r["code"], r["name"], r["count"], r["participants"], r["funds_vnd"]]
                for r in section["by_association"]
            ],
        ),
        table(
            "hoi_quoc_gia",
            "Hoạt động theo quốc gia (mỗi hoạt động tính một lần ở mỗi quốc gia)",
            (
                column("Mã quốc gia", CODE),
                column("Quốc gia"),
                column("Số hoạt động", COUNT),
                column("Lượt người tham gia", COUNT),
            ),
            [
                [
                    r["country"],
                    r.get("name") or country_name(r["country"]),
                    r["count"],
                    r["participants"],
                ]
                for r in section["by_country"]
            ],
        ),
        table(
            "hoi_hoi_vien",
            "Số hội viên theo hội (báo cáo của năm)",
            (column("Mã hội"), column("Tên hội"), column("Số hội viên", COUNT)),
            [[r["code"], r["name"], r["count"]] for r in members["rows"]],
        ),
    ]


def training_tables(section: dict) -> list[Table]:
    table = partial(_table, "training")
    topics = TrainingTopic.labels()
    return [
        table(
            "dao_tao_tong_hop",
            "Đào tạo, bồi dưỡng – tổng hợp",
            (column("Chỉ tiêu"), column("Số lượng", COUNT), column("Kinh phí (VNĐ)", VND)),
            [
                [
                    "Khóa đào tạo, bồi dưỡng bắt đầu trong năm",
                    section["courses"],
                    section["cost_vnd"],
                ],
                ["Lượt học viên", section["trainees"], None],
                ["Khóa chưa ghi kinh phí", section["cost_missing"], None],
            ],
        ),
        table(
            "dao_tao_co_quan",
            "Học viên theo cơ quan cử đi học",
            (column("Cơ quan, đơn vị"), column("Số khóa", COUNT), column("Số học viên", COUNT)),
            [[r["agency"], r["courses"], r["trainees"]] for r in section["by_agency"]],
        ),
        table(
            "dao_tao_chu_de",
            "Khóa đào tạo theo chủ đề (mỗi khóa tính một lần ở mỗi chủ đề)",
            (
                column("Mã chủ đề", CODE),
                column("Chủ đề"),
                column("Số khóa", COUNT),
                column("Số học viên", COUNT),
            ),
            [
                [r["topic"], _label(topics, r["topic"]), r["courses"], r["trainees"]]
                for r in section["by_topic"]
            ],
        ),
    ]


def budget_tables(section: dict) -> list[Table]:
    table = partial(_table, "budget")
    totals, flags = section["totals"], BudgetFlag.labels()
    summary = [
        ["Dòng kinh phí của năm", totals["lines"], None],
        ["Dòng đã được phân bổ", totals["allocated_lines"], None],
        ["Kinh phí đề xuất", None, totals["proposed_vnd"]],
        ["Kinh phí được phân bổ", None, totals["allocated_vnd"]],
        ["Kinh phí đã chi", None, totals["spent_vnd"]],
        ["Kinh phí đã chi đến 30/09", None, totals["spent_by_sept_vnd"]],
    ]
    summary += [
        [f"Cảnh báo: {_label(flags, key)}", count, None] for key, count in section["flags"].items()
    ]
    return [
        table(
            "kinh_phi_tong_hop",
            "Kinh phí đối ngoại nhân dân – tổng hợp",
            (column("Chỉ tiêu"), column("Số lượng", COUNT), column("Giá trị (VNĐ)", VND)),
            summary,
        ),
        table(
            "kinh_phi_don_vi",
            "Kinh phí theo cơ quan, hội",
            (
                column("Cơ quan, hội"),
                column("Loại"),
                column("Trạng thái"),
                column("Đề xuất (VNĐ)", VND),
                column("Phân bổ (VNĐ)", VND),
                column("Đã chi (VNĐ)", VND),
                column("Đã chi đến 30/09 (VNĐ)", VND),
                column("Tỷ lệ sử dụng (%)", PERCENT),
                column("Cảnh báo"),
            ),
            [
                [
                    r["owner_name"] or UNKNOWN,
                    "Hội" if r["owner_type"] == "association" else "Cơ quan",
                    _label(BudgetStatus.labels(), r["status"]),
                    r["proposed_vnd"],
                    r["allocated_vnd"],
                    r["spent_vnd"],
                    r["spent_by_sept_vnd"],
                    r["share_used_percent"],
                    "; ".join(_label(flags, key) for key in r["flags"]) or None,
                ]
                for r in section["by_owner"]
            ],
        ),
    ]


def mobilisation_tables(section: dict) -> list[Table]:
    table = partial(_table, "mobilisation")
    keys = (
        "contacts",
        "proposals",
        "requested_vnd",
        "pledges",
        "pledged_vnd",
        "approved_items",
        "approved_vnd",
        "disbursed_vnd",
    )
    rows = [
        [r["country"] or None, r.get("country_name") or UNKNOWN, *(r[k] for k in keys)]
        for r in section["by_country"]
    ]
    if rows:
        rows.append([None, TOTAL, *(section["total"][k] for k in keys)])
    return [
        table(
            "van_dong_quoc_gia",
            "Vận động viện trợ theo quốc gia của nhà tài trợ",
            (
                column("Mã quốc gia", CODE),
                column("Quốc gia"),
                column("Lượt tiếp xúc", COUNT),
                column("Đề xuất đã gửi", COUNT),
                column("Giá trị đề nghị (VNĐ)", VND),
                column("Cam kết tài trợ", COUNT),
                column("Giá trị cam kết (VNĐ)", VND),
                column("Khoản được phê duyệt", COUNT),
                column("Giá trị phê duyệt (VNĐ)", VND),
                column("Giải ngân (VNĐ)", VND),
            ),
            rows,
        )
    ]


BUILDERS = {
    "associations": association_tables,
    "training": training_tables,
    "budget": budget_tables,
    "mobilisation": mobilisation_tables,
}


def people_tables(report: dict) -> list[Table]:
    """The tables of the report's people-to-people diplomacy sections (none when the
    report has none), in the page's and the workbook's order."""
    return [t for key, build in BUILDERS.items() if key in report for t in build(report[key])]


def section_of(table_key: str) -> str | None:
    """The section a table belongs to (the page groups them under its heading)."""
    return next((k for k, keys in TABLE_KEYS.items() if table_key in keys), None)


# The new sections' rules in a line each for the workbook's first sheet (the full rules:
# docs/spec/<domain>.md).
SECTION_RULES = {
    "associations": (
        "Hội hữu nghị: hoạt động có ngày tổ chức trong năm (của hội chưa lưu trữ); mỗi hoạt "
        "động tính một lần ở mỗi quốc gia của nó; số hội viên theo báo cáo của năm "
        "(docs/spec/associations.md)."
    ),
    "training": (
        "Đào tạo, bồi dưỡng: khóa có ngày bắt đầu trong năm; học viên theo số được cử của "
        "từng cơ quan; mỗi khóa tính một lần ở mỗi chủ đề (docs/spec/training.md)."
    ),
    "budget": (
        "Kinh phí đối ngoại nhân dân: các dòng kinh phí của năm, số đã chi tính đến ngày lập "
        "báo cáo; cảnh báo theo quy tắc sử dụng đến 30/09 (docs/spec/budget.md)."
    ),
    "mobilisation": (
        "Vận động viện trợ: tiếp xúc và đề xuất gửi trong năm, cam kết có ngày trong năm, "
        "khoản được vận động phê duyệt và giải ngân trong năm, theo quốc gia của nhà tài trợ "
        "(docs/spec/mobilisation.md)."
    ),
}
