"""The dossier checklist as data: which documents an aid dossier needs, by the kind of aid
and the regime, each with its legal source (issue 12, point 10; docs/decisions.md).

- Every dossier: Decree 80/2020/NĐ-CP Art 8(1) (programmes, projects) and 8(2)(a)-(d)
  (non-project aid): the request, the donor's agreement, the programme / project /
  non-project document and the donor's legal status.
- Experts: Art 8(2)(đ): the expert's CV with the expert's commitment, the work programme,
  the work permit and professional papers.
- Used goods, equipment and vehicles: Art 8(3)(a)-(b): the quality inspection certificate;
  for used vehicles also the registration (ownership) and roadworthiness papers. The law
  asks these only for items within the Prime Minister's competence (Art 8(3)); for items
  the province approves they are the province's own rule (`HOUSE_RULES`, a setting).
- Decree 313/2025/NĐ-CP: its text was not found; its row repeats Decree 80's (a setting).
  Decree 93/2009 dossiers are not checked against a list.
"""

from dataclasses import dataclass, field

from app.core.enums import labelled

AidKind = labelled(
    "AidKind",
    {
        "tien": "Tiền",
        "hang_hoa": "Hàng hóa, trang thiết bị mới",
        "hang_da_qua_su_dung": "Hàng hóa, trang thiết bị đã qua sử dụng",
        "phuong_tien_da_qua_su_dung": "Phương tiện đã qua sử dụng",
        "chuyen_gia": "Chuyên gia",
        "dao_tao": "Hội nghị, hội thảo, đào tạo",
    },
)

# Every document a checklist may name (the first six are the dossier's historic list).
DossierDocument = labelled(
    "DossierDocument",
    {
        "cong_van_de_nghi": "Văn bản đề nghị phê duyệt của chủ khoản viện trợ",
        "van_kien": "Văn kiện chương trình, dự án / nội dung khoản viện trợ",
        "cam_ket": "Thư cam kết hoặc văn bản thỏa thuận của bên tài trợ",
        "tu_cach_phap_ly": "Tài liệu về tư cách pháp lý của bên tài trợ",
        "ban_dich": "Bản dịch tiếng Việt (nếu văn kiện bằng tiếng nước ngoài)",
        "doi_ung": "Văn bản về vốn đối ứng (nếu có)",
        "ly_lich_chuyen_gia": "Sơ lược lý lịch chuyên gia có cam kết chịu trách nhiệm",
        "chuong_trinh_chuyen_gia": "Chương trình hoạt động của chuyên gia",
        "giay_phep_lao_dong": "Giấy phép lao động, giấy tờ pháp lý về hoạt động chuyên môn",
        "giam_dinh_chat_luong": "Chứng thư giám định chất lượng hàng hóa đã qua sử dụng",
        "dang_ky_phuong_tien": "Bản dịch giấy đăng ký / chứng nhận quyền sở hữu phương tiện",
        "dang_kiem": "Bản dịch giấy chứng nhận đăng kiểm của nước tài trợ",
    },
)

ART_8_BASE = "Nghị định 80/2020/NĐ-CP, Điều 8 khoản 1, khoản 2 điểm a-d"
ART_8_EXPERTS = "Nghị định 80/2020/NĐ-CP, Điều 8 khoản 2 điểm đ"
ART_8_USED_GOODS = "Nghị định 80/2020/NĐ-CP, Điều 8 khoản 3 điểm a"
ART_8_VEHICLES = "Nghị định 80/2020/NĐ-CP, Điều 8 khoản 3 điểm b"
# Art 8(3) binds only items within the Prime Minister's competence; for the others the
# province asks the same papers as its own rule (True) or not at all (False).
HOUSE_RULES = True


@dataclass(frozen=True)
class Requirement:
    document: str  # a DossierDocument key
    citation: str
    central_only: bool = False  # required by law only for the Prime Minister's items


@dataclass(frozen=True)
class Checklist:
    base: tuple[Requirement, ...]
    by_kind: dict[str, tuple[Requirement, ...]] = field(default_factory=dict)


_USED_GOODS = (Requirement("giam_dinh_chat_luong", ART_8_USED_GOODS, central_only=True),)
ND80 = Checklist(
    base=tuple(
        Requirement(key, ART_8_BASE)
        for key in ("cong_van_de_nghi", "cam_ket", "van_kien", "tu_cach_phap_ly")
    ),
    by_kind={
        "chuyen_gia": tuple(
            Requirement(key, ART_8_EXPERTS)
            for key in ("ly_lich_chuyen_gia", "chuong_trinh_chuyen_gia", "giay_phep_lao_dong")
        ),
        "hang_da_qua_su_dung": _USED_GOODS,
        "phuong_tien_da_qua_su_dung": _USED_GOODS
        + tuple(
            Requirement(key, ART_8_VEHICLES, central_only=True)
            for key in ("dang_ky_phuong_tien", "dang_kiem")
        ),
    },
)
# The regime's checklist; Decree 313/2025's body was not found: Decree 80's list (setting).
CHECKLISTS = {"nd80_2020": ND80, "nd313_2025": ND80}


@dataclass(frozen=True)
class Row:
    document: str
    label: str
    citation: str
    house_rule: bool  # asked by the province, not by the decree, for this item
    received: bool
    file_ids: tuple[int, ...]


def required(regime: str, kinds, is_central: bool) -> list[Requirement]:
    """The documents a dossier of these kinds of aid needs under the regime, in order."""
    checklist = CHECKLISTS.get(regime)
    if checklist is None:
        return []
    found: dict[str, Requirement] = {r.document: r for r in checklist.base}
    for kind in AidKind:  # a stable order, whatever order the kinds were ticked in
        if kind.value in (kinds or ()):
            for requirement in checklist.by_kind.get(kind.value, ()):
                if requirement.central_only and not is_central and not HOUSE_RULES:
                    continue
                found.setdefault(requirement.document, requirement)
    return list(found.values())


def rows(item) -> list[Row]:
    """The item's checklist: each required document, whether received, its files."""
    received = set(item.dossier_documents or ())
    files = item.dossier_files or {}
    return [
        Row(
            document=r.document,
            label=DossierDocument(r.document).label,
            citation=r.citation,
            house_rule=r.central_only and not item.is_central,
            received=r.document in received,
            file_ids=tuple(files.get(r.document, ())),
        )
        for r in required(item.regime, item.aid_kinds, item.is_central)
    ]


def missing(item) -> list[Row]:
    return [row for row in rows(item) if not row.received]


def missing_note(item) -> str | None:
    """The appraisal's warning (it never refuses): the required documents not received."""
    if not (gaps := missing(item)):
        return None
    names = "; ".join(row.label for row in gaps)
    return f"Cảnh báo: hồ sơ còn thiếu {len(gaps)} thành phần bắt buộc: {names}."
