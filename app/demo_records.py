"""A realistic registry workbook for the demo (and, larger, for import benchmarks).

Deterministic for a seed: the same call gives the same workbook. Columns are written with
their Vietnamese labels, as a province's clerk would have them.
"""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from vietnam_provinces import Ward

from app.aid import states
from app.aid.models import Sector
from app.aid.regimes import regime_for
from app.aid.states import AidStatus
from app.core.countries import country_name
from app.core.enums import group
from app.delegations.models import Purpose
from app.delegations.states import DelegationStatus
from app.demo_diplomacy import diplomacy_rows
from app.transfer.schema import SHEETS

DONORS = [
    ("PLAN", "Plan International", "Tổ chức Plan Quốc tế", "ngo", "GB"),
    ("WVI", "World Vision International", "Tổ chức Tầm nhìn Thế giới", "ngo", "US"),
    ("SCF", "Save the Children", "Tổ chức Cứu trợ Trẻ em", "ngo", "GB"),
    (
        "KOICA",
        "Korea International Cooperation Agency",
        "Cơ quan Hợp tác Quốc tế Hàn Quốc",
        "chinh_phu",
        "KR",
    ),
    (
        "JICA",
        "Japan International Cooperation Agency",
        "Cơ quan Hợp tác Quốc tế Nhật Bản",
        "chinh_phu",
        "JP",
    ),
    ("GNI", "Good Neighbors International", "Tổ chức Good Neighbors", "ngo", "KR"),
    ("CFA", "ChildFund Australia", "Quỹ Trẻ em Úc", "ngo", "AU"),
    ("CRS", "Catholic Relief Services", "Tổ chức Cứu trợ Công giáo", "ngo", "US"),
    ("HEL", "Helvetas Swiss Intercooperation", "Tổ chức Helvetas", "ngo", "CH"),
    ("SNV", "SNV Netherlands Development Organisation", "Tổ chức Phát triển Hà Lan", "ngo", "NL"),
    ("HFH", "Habitat for Humanity International", "Tổ chức Habitat", "ngo", "US"),
    ("CARE", "CARE International", "Tổ chức CARE Quốc tế", "ngo", "AT"),
    ("OXF", "Oxfam", "Tổ chức Oxfam", "ngo", "GB"),
    ("CARITAS", "Caritas Germany", "Caritas Đức", "ngo", "DE"),
    ("AFD", "Agence Française de Développement", "Cơ quan Phát triển Pháp", "chinh_phu", "FR"),
    ("UNICEF", "UNICEF", "Quỹ Nhi đồng Liên hợp quốc", "quoc_te", "US"),
    (
        "TAIWANFF",
        "Taiwan Fund for Children and Families",
        "Quỹ Trẻ em và Gia đình Đài Loan",
        "ngo",
        "TW",
    ),
    ("LAOSFR", "Lao Friendship Association", "Hội Hữu nghị Lào", "ngo", "LA"),
    ("KHFR", "Cambodian Red Cross", "Hội Chữ thập đỏ Campuchia", "quoc_te", "KH"),
    ("NGUYENMT", "Nguyễn Minh Tâm (Việt kiều Hoa Kỳ)", None, "ca_nhan", "US"),
]

PROJECTS = [
    "Xây dựng trường mầm non thôn {p}",
    "Nâng cấp trạm y tế xã {c}",
    "Cấp nước sạch cho đồng bào dân tộc thiểu số {c}",
    "Hỗ trợ sinh kế cho hộ nghèo {c}",
    "Xây dựng cầu dân sinh {p}",
    "Cứu trợ khẩn cấp sau bão lũ tại {c}",
    "Nâng cao năng lực y tế cơ sở {c}",
    "Học bổng cho học sinh nghèo vượt khó {c}",
    "Phát triển cộng đồng bền vững {c}",
    "Trồng rừng và bảo vệ môi trường {c}",
    "Phòng chống suy dinh dưỡng trẻ em {c}",
    "Nhà vệ sinh trường học {c}",
]
HAMLETS = [
    "Đăk Rơ Wa",
    "Kon Klor",
    "Plei Kần",
    "Đăk Mế",
    "Tu Mơ Rông",
    "Ngọk Hồi",
    "Kon Rẫy",
    "Sa Thầy",
    "Đăk Hà",
    "Măng Đen",
]
FIRST_NAMES = {
    "KR": ["Kim Min-jun", "Lee Seo-yeon", "Park Ji-ho", "Choi Yoo-na", "Jung Hae-in"],
    "JP": ["Tanaka Hiroshi", "Suzuki Yuki", "Sato Kenji", "Watanabe Aiko", "Ito Daichi"],
    "US": ["John Smith", "Emily Johnson", "Michael Brown", "Sarah Davis", "David Wilson"],
    "GB": ["Oliver Taylor", "Amelia Clarke", "Harry Evans", "Isla Wright", "George Hall"],
    "AU": ["Jack Thompson", "Chloe Martin", "Liam White", "Mia Harris"],
    "LA": ["Souksavanh Phommachanh", "Bounmy Keomany", "Khamla Sisouk"],
    "KH": ["Sok Dara", "Chan Sophea", "Heng Vuthy"],
    "DE": ["Lukas Müller", "Anna Schmidt", "Felix Weber"],
    "VN": [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
        "Hoàng Văn Em",
        "A Pách",
        "Y Blơm",
        "Đinh Văn Hùng",
    ],
}
RATES = {
    "VND": None,
    "USD": Decimal("24500"),
    "EUR": Decimal("26800"),
    "KRW": Decimal("18.2"),
    "JPY": Decimal("165.5"),
    "AUD": Decimal("16300"),
    "GBP": Decimal("31200"),
}
CURRENCY_OF = {
    "US": "USD",
    "GB": "GBP",
    "KR": "KRW",
    "JP": "JPY",
    "AU": "AUD",
    "DE": "EUR",
    "FR": "EUR",
    "NL": "EUR",
    "AT": "EUR",
    "CH": "USD",
    "TW": "USD",
    "LA": "USD",
    "KH": "USD",
}
AID_STATUSES = list(AidStatus.labels())  # the weights below follow this order
APPROVED = states.APPROVED_OR_LATER
RUNNING_OR_AFTER = group(AidStatus.DANG_THUC_HIEN, AidStatus.TAM_DUNG, AidStatus.HOAN_THANH)
STATUS_WEIGHTS = [3, 1, 3, 2, 4, 1, 10, 1, 8, 1]
SECTORS = list(Sector.labels())
PURPOSES = list(Purpose.labels())
DELEGATION_STATUSES = list(DelegationStatus.labels())  # the weights follow this order
DELEGATION_WEIGHTS = [1, 2, 2, 4, 1, 12, 1]


def _labels(sheet_key: str) -> dict[str, str]:
    return {c.key: c.label for c in SHEETS[sheet_key].columns}


def _write(workbook, sheet_key: str, keys: list[str], rows) -> None:
    sheet = workbook.create_sheet(sheet_key)
    labels = _labels(sheet_key)
    sheet.append([labels[k] for k in keys])
    for row in rows:
        sheet.append([row.get(k) for k in keys])


def build_workbook(
    organizations: int = 20,
    items: int = 60,
    disbursements: int = 150,
    delegations: int = 40,
    members: int = 160,
    seed: int = 2025,
    today: date | None = None,
    diplomacy: bool = True,
) -> bytes:
    """The registry workbook as .xlsx bytes (write-only: fast for large sizes)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    today = today or date.today()
    communes = sorted(
        (f"{int(w.code):05d}", w.name) for w in Ward.iter_all() if int(w.province_code) == 51
    )
    from openpyxl import Workbook  # only when demo records are built

    workbook = Workbook(write_only=True)

    orgs = []
    for i in range(organizations):
        if i < len(DONORS):
            code, name, name_vi, kind, country = DONORS[i]
        else:
            country = rng.choice(list(CURRENCY_OF))
            code, name, name_vi, kind = f"ORG{i:05d}", f"Foundation {i}", None, "ngo"
        issued = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1000))
        orgs.append(
            {
                "ma": code,
                "ten": name,
                "ten_viet": name_vi,
                "loai": kind,
                "quoc_gia": country,
                "loai_giay": "hoat_dong" if kind == "ngo" else None,
                "so_giay": f"{100 + i}/GĐK-BNG" if kind == "ngo" else None,
                "ngay_cap": issued if kind == "ngo" else None,
                "ngay_het_han": issued + timedelta(days=3 * 365) if kind == "ngo" else None,
            }
        )
    _write(workbook, "ToChuc", list(_labels("ToChuc")), orgs)

    aid_rows, approved_items = [], []
    for i in range(items):
        donor = orgs[i % len(orgs)] if i < len(orgs) else rng.choice(orgs)
        co_donor = rng.choice(orgs) if rng.random() < 0.15 else None
        status = rng.choices(AID_STATUSES, STATUS_WEIGHTS)[0]
        received = date(2021, 1, 4) + timedelta(
            days=rng.randrange(0, (today - date(2021, 1, 4)).days)
        )
        approved_on = (
            received + timedelta(days=rng.randrange(10, 40)) if status in APPROVED else None
        )
        if approved_on and approved_on > today:
            approved_on = today
        currency = CURRENCY_OF.get(donor["quoc_gia"], "USD") if rng.random() < 0.8 else "VND"
        rate = RATES[currency]
        value = (
            Decimal(rng.randrange(5, 400) * 1000)
            if currency != "VND"
            else Decimal(rng.randrange(200, 9000) * 1_000_000)
        )
        if currency in ("KRW", "JPY"):
            value *= 100
        sectors = rng.sample(SECTORS, rng.choice([1, 1, 2, 3]))
        if len(sectors) == 2 and rng.random() < 0.6:
            sector_text = f"{sectors[0]}:60; {sectors[1]}:40"
        else:
            sector_text = "; ".join(sectors)
        start = approved_on + timedelta(days=rng.randrange(5, 60)) if approved_on else None
        code = f"VT-{received.year}-{i + 1:05d}"
        place = rng.choice(communes)
        name = rng.choice(PROJECTS).format(p=rng.choice(HAMLETS), c=place[1])
        aid_rows.append(
            {
                "ma": code,
                "ten": name,
                "hinh_thuc": "khac_phuc_hau_qua"
                if "Cứu trợ" in name
                else rng.choice(["du_an", "du_an", "phi_du_an", "chuong_trinh"]),
                "nha_tai_tro": donor["ma"]
                + (f"; {co_donor['ma']}" if co_donor and co_donor is not donor else ""),
                "linh_vuc": sector_text,
                "dia_ban": place[0],
                "chu_khoan": f"UBND {place[1]}",
                "ngay_nhan_ho_so": received,
                "che_do": regime_for(received),
                "trang_thai": status,
                "so_quyet_dinh": f"{rng.randrange(10, 3000)}/QĐ-UBND" if approved_on else None,
                "ngay_phe_duyet": approved_on,
                "gia_tri": value,
                "tien_te": currency,
                "ty_gia": rate,
                "ty_gia_usd": RATES["USD"] if currency not in ("VND", "USD") else None,
                "von_doi_ung": Decimal(rng.randrange(0, 500) * 1_000_000)
                if rng.random() < 0.5
                else None,
                "ngay_bat_dau": start,
                "ngay_ket_thuc": start + timedelta(days=rng.randrange(90, 900)) if start else None,
            }
        )
        if status in RUNNING_OR_AFTER:
            approved_items.append(aid_rows[-1])
    _write(workbook, "VienTro", list(_labels("VienTro")), aid_rows)

    paid = []
    for _ in range(disbursements if approved_items else 0):
        item = rng.choice(approved_items)
        day = item["ngay_bat_dau"] + timedelta(days=rng.randrange(0, 400))
        paid.append(
            {
                "ma_vien_tro": item["ma"],
                "ngay": min(day, today),
                "so_tien": (item["gia_tri"] / rng.choice([4, 5, 8, 10])).quantize(Decimal("1"))
                or 1,
                "tien_te": item["tien_te"],
                "ty_gia": item["ty_gia"],
                "ty_gia_usd": item["ty_gia_usd"],
            }
        )
    _write(workbook, "GiaiNgan", list(_labels("GiaiNgan")), paid)

    doan, people = [], []
    per = max(1, members // max(1, delegations))
    for i in range(delegations):
        incoming = rng.random() < 0.75
        donor = rng.choice(orgs)
        country = (
            donor["quoc_gia"] if incoming else rng.choice(["LA", "KH", "KR", "JP", "CN", "TH"])
        )
        start = date(2021, 2, 1) + timedelta(
            days=rng.randrange(0, (today - date(2021, 2, 1)).days + 60)
        )
        status = rng.choices(DELEGATION_STATUSES, DELEGATION_WEIGHTS)[0]
        if start > today and status == DelegationStatus.HOAN_THANH:
            status = DelegationStatus.DA_DUYET.value
        code = f"{'DV' if incoming else 'DR'}-{start.year}-{i + 1:05d}"
        place = rng.choice(communes)
        doan.append(
            {
                "ma": code,
                "huong": "vao" if incoming else "ra",
                "ten": (
                    f"Đoàn {donor['ten']} thăm và làm việc tại {place[1]}"
                    if incoming
                    else f"Đoàn cán bộ tỉnh đi công tác tại {country_name(country)}"
                ),
                "to_chuc": donor["ma"] if incoming else None,
                "quoc_gia": country,
                "tu_ngay": start,
                "den_ngay": start + timedelta(days=rng.randrange(1, 8)),
                "muc_dich": rng.choice(PURPOSES),
                "dia_ban": place[0] if incoming else None,
                "bien_gioi": True if incoming and rng.random() < 0.1 else None,
                "ma_vien_tro": rng.choice(aid_rows)["ma"]
                if incoming and rng.random() < 0.3
                else None,
                "trang_thai": status,
            }
        )
        nationality = country if incoming else "VN"
        names = FIRST_NAMES.get(nationality, FIRST_NAMES["US"])
        for j in range(per):
            foreign = nationality != "VN"
            people.append(
                {
                    "ma_doan": code,
                    "ho_ten": names[j % len(names)] + ("" if j < len(names) else f" {j}"),
                    "gioi_tinh": rng.choice(["nam", "nu"]),
                    "ngay_sinh": date(1960, 1, 1) + timedelta(days=rng.randrange(0, 14000)),
                    "quoc_tich": nationality,
                    "so_ho_chieu": f"{nationality}{rng.randrange(10**6, 10**7)}{j}"
                    if foreign or rng.random() < 0.5
                    else None,
                    "loai_ho_chieu": "pho_thong" if foreign else "cong_vu",
                    "han_ho_chieu": start + timedelta(days=rng.randrange(400, 3000)),
                    "chuc_vu": "Trưởng đoàn"
                    if j == 0
                    else rng.choice(["Cán bộ dự án", "Chuyên gia", "Phiên dịch", "Thành viên"]),
                    "co_quan": donor["ten"] if incoming else "UBND tỉnh Quảng Ngãi",
                    "truong_doan": j == 0,
                }
            )
    _write(workbook, "Doan", list(_labels("Doan")), doan)
    _write(workbook, "ThanhVien", list(_labels("ThanhVien")), people)
    if diplomacy:  # its own generator: the sheets above stay the same for a seed
        extra = random.Random(seed + 1)  # noqa: S311 - demo data
        for key, rows in diplomacy_rows(extra, today, orgs, aid_rows, doan, communes).items():
            _write(workbook, key, list(_labels(key)), rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
