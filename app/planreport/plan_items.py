"""The items of the provincial plan on people-to-people diplomacy, as data.

Each periodic report (app.planreport) is written item by item: the registry's figures for
the item, the agencies' texts and the consolidated text of foreign affairs. The titles
below are a sensible reading of the plan's structure (item 3: aid and delegations
management; item 7: inspection and supervision, strengthening the bodies, staff and
funding); they must be checked against the text of the plan the province adopted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanItem:
    number: int
    title: str
    # The registry's figures shown for the item (keys of app.stats.plan_figures).
    figures: tuple[str, ...] = ()


PLAN_ITEMS = (
    PlanItem(
        1,
        "Công tác tuyên truyền, quán triệt, nâng cao nhận thức về công tác đối ngoại nhân dân",
    ),
    PlanItem(
        2,
        "Hoạt động của các tổ chức hữu nghị; giao lưu, hợp tác nhân dân với các nước",
        ("associations",),
    ),
    PlanItem(
        3,
        "Vận động, quản lý viện trợ phi chính phủ nước ngoài; quản lý đoàn ra, đoàn vào",
        ("mobilisation", "aid", "delegations"),
    ),
    PlanItem(
        4,
        "Đối ngoại nhân dân ở khu vực biên giới; giao lưu hữu nghị nhân dân hai bên biên giới",
    ),
    PlanItem(
        5,
        "Thông tin đối ngoại, quảng bá hình ảnh địa phương với bạn bè quốc tế",
    ),
    PlanItem(
        6,
        "Đào tạo, bồi dưỡng, nâng cao năng lực cán bộ làm công tác đối ngoại nhân dân",
        ("training",),
    ),
    PlanItem(
        7,
        "Kiểm tra, giám sát; kiện toàn tổ chức bộ máy, cán bộ và bảo đảm kinh phí cho công "
        "tác đối ngoại nhân dân",
        ("budget",),
    ),
)
BY_NUMBER = {item.number: item for item in PLAN_ITEMS}
NUMBERS = tuple(BY_NUMBER)


def item(number: int) -> PlanItem:
    return BY_NUMBER[number]
