"""Demo rows of the people-to-people diplomacy sheets (issue 13): friendship associations,
their activities, training courses, budget lines with spending, mobilisation contacts and
proposals, in each of the last two full years. Deterministic for a random generator.

Agencies are named by the demo agencies' codes (app/demo.py), which `flask demo load`
creates before it imports the workbook.
"""

import random
from datetime import date, timedelta

ASSOCIATIONS = (
    ("HHN-VNLAO", "Hội hữu nghị Việt Nam – Lào tỉnh Quảng Ngãi", "LA", 320),
    ("HHN-VNCPC", "Hội hữu nghị Việt Nam – Campuchia tỉnh Quảng Ngãi", "KH", 210),
    ("HHN-VNKR", "Hội hữu nghị Việt Nam – Hàn Quốc tỉnh Quảng Ngãi", "KR", 95),
    ("HLL-NVNONN", "Hội Liên lạc với người Việt Nam ở nước ngoài tỉnh Quảng Ngãi", None, 140),
)
ACTIVITIES = (
    ("giao_luu", "Giao lưu hữu nghị với đoàn cán bộ tỉnh Attapeu"),
    ("ket_nghia", "Ký kết kết nghĩa giữa xã biên giới và bản đối diện"),
    ("gap_go", "Gặp gỡ, hội đàm với Tổng Lãnh sự quán"),
    ("ho_tro", "Trao học bổng cho học sinh nghèo vượt khó"),
    ("su_kien", "Kỷ niệm ngày thiết lập quan hệ ngoại giao"),
)
COURSES = (
    ("le_tan; doi_ngoai_nhan_dan", "Bồi dưỡng nghiệp vụ lễ tân và công tác đối ngoại nhân dân"),
    ("vien_tro_pcpnn", "Tập huấn quản lý và sử dụng viện trợ phi chính phủ nước ngoài"),
    ("doan_ra_vao; ngoai_ngu", "Bồi dưỡng quản lý đoàn ra, đoàn vào và tiếng Anh giao tiếp"),
)
# Agencies (demo codes) that send trainees and keep a budget line.
AGENCIES = ("SNgV", "STC-VT", "CAT", "VP UBND", "UBND Đăk Tô")
CONTACT_KINDS = ("gap_go", "thu", "hoi_nghi", "chuyen_tham")
TOPICS = (
    "Giới thiệu nhu cầu hỗ trợ nước sạch cho các xã vùng cao",
    "Vận động tài trợ học bổng và trang thiết bị trường học",
    "Trao đổi về chương trình sinh kế cho đồng bào dân tộc thiểu số",
)
PROPOSALS = (
    ("nuoc_ve_sinh", "Công trình nước sinh hoạt tập trung tại {c}"),
    ("giao_duc", "Xây dựng phòng học và nhà vệ sinh trường tiểu học ở {c}"),
    ("y_te", "Trang thiết bị cho trạm y tế {c}"),
    ("sinh_ke", "Mô hình sinh kế trồng sâm và dược liệu tại {c}"),
)


def _day(rng: random.Random, year: int) -> date:
    return date(year, 1, 10) + timedelta(days=rng.randrange(0, 330))


def diplomacy_rows(rng: random.Random, today: date, orgs, aid_rows, delegations, communes):
    """{sheet key: rows} for the last two full years before `today`."""
    years = (today.year - 2, today.year - 1)
    sheets = {key: [] for key in ("HoiHuuNghi", "HoiVienHoi", "HoatDongHoi", "KhoaDaoTao")}
    sheets.update({key: [] for key in ("HocVien", "NganSach", "ChiNganSach")})
    sheets.update({"TiepXucVanDong": [], "DeXuatVanDong": []})
    for number, (code, name, country, members) in enumerate(ASSOCIATIONS):
        sheets["HoiHuuNghi"].append(
            {
                "ma": code,
                "ten": name,
                "nuoc_doi_tac": country,
                "tinh_trang": "hoat_dong",
                "so_qd_thanh_lap": f"{120 + number}/QĐ-UBND",
                "ngay_qd_thanh_lap": date(2009 + number * 3, 5, 12),
                "lanh_dao": "Chủ tịch hội: Nguyễn Văn An; Phó Chủ tịch: Y Blin",
                "lien_hiep": number < 2,
                "ngay_gia_nhap": date(2024, 9, 2) if number < 2 else None,
            }
        )
        for year in years:
            grown = members + (year - years[0]) * rng.randrange(3, 20)
            sheets["HoiVienHoi"].append({"ma_hoi": code, "nam": year, "so_hoi_vien": grown})
    incoming = [d for d in delegations if d["huong"] == "vao"]
    for year in years:
        for number in range(6):
            association = ASSOCIATIONS[number % len(ASSOCIATIONS)]
            kind, title = ACTIVITIES[(number + year) % len(ACTIVITIES)]
            sheets["HoatDongHoi"].append(
                {
                    "ma": f"HD-{year}-{number + 1:02d}",
                    "ma_hoi": association[0],
                    "ngay": _day(rng, year),
                    "loai": kind,
                    "noi_dung": title,
                    "doi_tac": "Hội hữu nghị đối tác tỉnh bạn",
                    "quoc_gia": association[2] or "US",
                    "so_nguoi": rng.randrange(15, 120),
                    "kinh_phi": rng.randrange(5, 80) * 1_000_000,
                    "ma_doan": incoming[number]["ma"] if number < 2 and incoming else None,
                }
            )
        for number, (topics, title) in enumerate(COURSES):
            code = f"DT-{year}-{number + 1:02d}"
            start = _day(rng, year)
            sheets["KhoaDaoTao"].append(
                {
                    "ma": code,
                    "ten": f"{title} năm {year}",
                    "tu_ngay": start,
                    "den_ngay": start + timedelta(days=rng.randrange(1, 4)),
                    "co_quan_to_chuc": "SNgV",
                    "dia_diem": "Trường Chính trị tỉnh Quảng Ngãi",
                    "chu_de": topics,
                    "kinh_phi": rng.randrange(30, 150) * 1_000_000,
                    "nguon_kinh_phi": "Ngân sách đối ngoại nhân dân",
                }
            )
            for agency in rng.sample(AGENCIES, 3):
                sheets["HocVien"].append(
                    {"ma_khoa": code, "co_quan": agency, "so_hoc_vien": rng.randrange(2, 15)}
                )
        for number, agency in enumerate(AGENCIES[:4]):
            proposed = rng.randrange(100, 500) * 1_000_000
            allocated = proposed - rng.randrange(0, 50) * 1_000_000
            sheets["NganSach"].append(
                {
                    "nam": year,
                    "co_quan": agency,
                    "trang_thai": "da_kiem_tra",
                    "de_xuat": proposed,
                    "phan_bo": allocated,
                    "so_qd_phan_bo": f"{300 + number}/QĐ-UBND",
                    "ngay_qd_phan_bo": date(year, 1, 15),
                    "ket_luan": "dung_muc_dich",
                    "nhan_xet": "Chi đúng nội dung được phân bổ.",
                }
            )
            for entry in range(3):
                sheets["ChiNganSach"].append(
                    {
                        "nam": year,
                        "co_quan": agency,
                        "ngay": date(year, 3 + entry * 3, 10 + number),
                        "so_tien": allocated // 5,
                        "chung_tu": f"{entry + 1:02d}/{year}/C{number + 1}",
                        "noi_dung": "Chi phục vụ hoạt động đối ngoại nhân dân",
                        "ma_khoa": f"DT-{year}-01" if entry == 0 and number == 0 else None,
                    }
                )
        approved = [r for r in aid_rows if (r.get("ngay_phe_duyet") or today).year == year]
        for number in range(5):
            donor = orgs[number % len(orgs)]
            contact = f"TX-{year}-{number + 1:02d}"
            day = _day(rng, year)
            sheets["TiepXucVanDong"].append(
                {
                    "ma": contact,
                    "ngay": day,
                    "hinh_thuc": CONTACT_KINDS[number % len(CONTACT_KINDS)],
                    "ma_to_chuc": donor["ma"],
                    "thanh_phan": "Lãnh đạo Sở Ngoại vụ; Phòng Hợp tác quốc tế",
                    "noi_dung": TOPICS[number % len(TOPICS)],
                    "co_quan": "SNgV",
                }
            )
            if number >= 4:
                continue
            sector, title = PROPOSALS[number]
            item = next((r for r in approved if donor["ma"] in r["nha_tai_tro"]), None)
            outcome = ("cam_ket", "cam_ket", "khong_tai_tro", "cho_phan_hoi")[number]
            value = rng.randrange(20, 300) * 1000
            sheets["DeXuatVanDong"].append(
                {
                    "ma": f"DX-{year}-{number + 1:02d}",
                    "ten": title.format(c=rng.choice(communes)[1]),
                    "ma_to_chuc": donor["ma"],
                    "ma_tiep_xuc": contact,
                    "ngay_gui": day + timedelta(days=10),
                    "linh_vuc": sector,
                    "dia_ban": rng.choice(communes)[0],
                    "gia_tri": value,
                    "tien_te": "USD",
                    "ty_gia": 25_000,
                    "ket_qua": outcome,
                    "ngay_ket_qua": day + timedelta(days=40) if outcome != "cho_phan_hoi" else None,
                    "gia_tri_cam_ket": value if outcome == "cam_ket" else None,
                    "ma_vien_tro": item["ma"] if item and outcome == "cam_ket" else None,
                    "co_quan": "SNgV",
                }
            )
    return sheets
