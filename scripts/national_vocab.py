"""Words and shared constants of the national data set (scripts/generate_stats_data.py):
aid titles, donor names by country, Vietnamese and foreign person names, delegation titles.

Deterministic given a numpy Generator; every word function takes it as its first argument."""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime

import numpy as np

FIRST_DAY = date(2016, 1, 1)
LAST_DAY = date(2025, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
CHUNK = 20_000
COUNTRIES = np.array(
    "US KR JP AU DE FR GB NL CH SE NO DK BE CA NZ IE IT ES AT FI SG TW CN LA KH TH IN PH".split()  # noqa: SIM905
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def insert(connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start : start + CHUNK])


def stamps() -> dict:
    return {"created_at": NOW, "updated_at": NOW, "version": 1}


# (Vietnamese, English) of the action: for works, and for programmes.
BUILD = [
    ("Xây dựng", "Construction of"),
    ("Nâng cấp", "Upgrading of"),
    ("Sửa chữa", "Repair of"),
    ("Trang bị cho", "Equipment for"),
]
SUPPORT = [
    ("Hỗ trợ", "Support for"),
    ("Cải thiện", "Improvement of"),
    ("Phát triển", "Development of"),
    ("Tăng cường năng lực", "Capacity building for"),
]
# (Vietnamese, English, sector, actions) of the object.
OBJECTS = [
    ("trường mầm non", "the kindergarten", "giao_duc", BUILD),
    ("trường tiểu học", "the primary school", "giao_duc", BUILD),
    ("điểm trường bán trú", "the boarding school site", "giao_duc", BUILD),
    ("học bổng cho học sinh nghèo", "scholarships for poor pupils", "giao_duc", SUPPORT[:1]),
    ("trạm y tế", "the commune health station", "y_te", BUILD),
    ("chăm sóc sức khỏe bà mẹ và trẻ em", "maternal and child health care", "y_te", SUPPORT),
    ("phòng chống suy dinh dưỡng", "malnutrition prevention", "y_te", SUPPORT),
    ("hệ thống nước sạch", "the clean water system", "nuoc_ve_sinh", BUILD),
    ("công trình vệ sinh trường học", "school sanitation", "nuoc_ve_sinh", BUILD),
    ("giếng khoan và bể chứa nước", "boreholes and water tanks", "nuoc_ve_sinh", BUILD),
    ("nhà ở cho hộ nghèo", "housing for poor households", "xa_hoi", BUILD),
    ("người khuyết tật", "people with disabilities", "xa_hoi", SUPPORT[:2]),
    ("cầu dân sinh", "the footbridge", "ha_tang", BUILD),
    ("đường giao thông nông thôn", "the rural road", "ha_tang", BUILD),
    ("nhà văn hóa cộng đồng", "the community house", "cong_dong", BUILD),
    ("sinh kế cho phụ nữ dân tộc thiểu số", "livelihoods of ethnic minority women", "sinh_ke",
     SUPPORT),
    ("sinh kế bền vững", "sustainable livelihoods", "sinh_ke", SUPPORT),
    ("mô hình trồng cà phê", "the coffee growing model", "nong_nghiep", SUPPORT),
    ("chăn nuôi bò sinh sản", "cattle breeding", "nong_nghiep", SUPPORT),
    ("trồng rừng ngập mặn", "mangrove planting", "moi_truong", SUPPORT),
    ("quản lý rác thải", "waste management", "moi_truong", SUPPORT),
    ("cứu trợ sau bão lũ", "relief after the floods", "cuu_tro", SUPPORT[:1]),
    ("rà phá bom mìn", "clearance of unexploded ordnance", "khac", SUPPORT[:1]),
]  # fmt: skip

# Donor names: (pattern, words) per country group; {w} is a word, {c} the country's word.
_DONOR_WORDS = [
    "Hope", "Bridge", "Children's", "Green", "Water", "Friendship", "Helping Hands",
    "Sunrise", "Rainbow", "Health", "Education", "Mekong", "Lotus", "Bamboo", "River",
    "Village", "Harvest", "Light", "Peace", "Future",
]  # fmt: skip
DONOR_PATTERNS = {
    "en": ["{w} Foundation", "{w} International", "{w} Relief Fund", "{c} {w} Alliance",
           "Friends of Vietnam {w}", "{w} Mission", "Global {w} Network"],
    "de": ["{w}-Stiftung", "Deutsche {w}hilfe", "{w} e.V.", "Kinderhilfe {w}"],
    "fr": ["Association {w}", "{w} Sans Frontières", "Fondation {w}", "Enfants du {w}"],
    "nl": ["Stichting {w}", "{w} Nederland", "Vrienden van {w}"],
    "nordic": ["{c} {w} Fund", "{w} Hjälp", "{w} Aid {c}"],
    "ko": ["Korea {w} Foundation", "Good {w} Korea", "{w} Sharing Korea"],
    "ja": ["Japan {w} Association", "{w} Japan", "{w} no Kai"],
    "zh": ["{c} {w} Charity", "{w} Foundation {c}"],
    "asean": ["{c} {w} Association", "{w} Cooperation {c}"],
}  # fmt: skip
COUNTRY_GROUP = {
    "US": "en", "GB": "en", "AU": "en", "CA": "en", "NZ": "en", "IE": "en", "SG": "en",
    "IN": "en", "PH": "en", "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr",
    "NL": "nl", "SE": "nordic", "NO": "nordic", "DK": "nordic", "FI": "nordic",
    "IT": "fr", "ES": "fr", "KR": "ko", "JP": "ja", "TW": "zh", "CN": "zh", "LA": "asean",
    "KH": "asean", "TH": "asean",
}  # fmt: skip
COUNTRY_WORD = {
    "US": "American", "GB": "British", "AU": "Australian", "CA": "Canadian", "NZ": "Kiwi",
    "IE": "Irish", "SG": "Singapore", "IN": "India", "PH": "Philippine", "DE": "Deutsch",
    "AT": "Austria", "CH": "Swiss", "FR": "France", "BE": "Belgique", "NL": "Holland",
    "SE": "Swedish", "NO": "Norwegian", "DK": "Danish", "FI": "Finnish", "IT": "Italia",
    "ES": "España", "KR": "Korea", "JP": "Japan", "TW": "Taiwan", "CN": "China",
    "LA": "Lao", "KH": "Khmer", "TH": "Thai",
}  # fmt: skip

# Person names: (family names, given names) per group; Vietnamese ones apart.
VN_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
             "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Y"]  # fmt: skip
VN_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Hữu", "Thu", "Hoài"]
VN_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan",
            "Linh", "Long", "Mai", "Nam", "Phong", "Phương", "Quang", "Sơn", "Tâm", "Thảo",
            "Trang", "Tuấn", "Vy", "Yến", "Đạt", "Khoa"]  # fmt: skip
PERSON_NAMES = {
    "en": (["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Walker", "O'Brien", "Clarke",
            "Nguyen", "Patel"],
           ["James", "Mary", "John", "Emma", "Michael", "Olivia", "David", "Sarah", "Peter",
            "Laura"]),
    "de": (["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker"],
           ["Jürgen", "Anna", "Lukas", "Sophie", "Matthias", "Katrin", "Felix"]),
    "fr": (["Dubois", "Martin", "Bernard", "Lefèvre", "García", "Rossi", "Moreau"],
           ["Jean", "Camille", "François", "Élodie", "José", "Giulia", "Hélène"]),
    "nl": (["de Vries", "Jansen", "van Dijk", "Bakker", "Visser"],
           ["Daan", "Sanne", "Pieter", "Femke", "Joost"]),
    "nordic": (["Andersson", "Hansen", "Nielsen", "Johansson", "Virtanen", "Løvland"],
               ["Erik", "Ingrid", "Lars", "Astrid", "Mikko", "Sigrid"]),
    "ko": (["Kim", "Lee", "Park", "Choi", "Jung", "Kang"],
           ["Min-jun", "Seo-yeon", "Ji-hoon", "Ha-eun", "Dong-hyun", "Su-bin"]),
    "ja": (["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito"],
           ["Haruto", "Yui", "Kenji", "Aiko", "Takeshi", "Yuki"]),
    "zh": (["Chen", "Wang", "Lin", "Zhang", "Liu", "Huang"],
           ["Wei", "Mei-ling", "Jian", "Xiu", "Hao", "Ying"]),
    "asean": (["Phommachanh", "Sok", "Srisuk", "Vongsa", "Chan", "Keo"],
              ["Somchai", "Dara", "Malee", "Bounmy", "Sophea", "Niran"]),
}  # fmt: skip
POSITIONS_FOREIGN = ["Giám đốc quốc gia", "Điều phối viên dự án", "Cán bộ chương trình",
                     "Chuyên gia", "Tình nguyện viên", "Phiên dịch", "Trưởng đại diện"]  # fmt: skip
POSITIONS_VN = ["Phó Giám đốc Sở", "Chuyên viên", "Trưởng phòng", "Phó Chủ tịch UBND xã",
                "Cán bộ địa chính"]  # fmt: skip
SIGNERS = ["Phó Chủ tịch UBND tỉnh", "Chủ tịch UBND tỉnh", "Giám đốc Sở Tài chính"]


def pick(rng: np.random.Generator, words: list):
    return words[int(rng.integers(0, len(words)))]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def province_words(province: str) -> str:
    """ "Đồng Nai" -> "tỉnh Đồng Nai", "Thành phố Huế" -> "thành phố Huế"."""
    return lower_first(province) if province.startswith("Thành phố") else f"tỉnh {province}"


def english_place(commune: str) -> str:
    """ "Xã Hà Nam" -> "Ha Nam Commune" (no diacritics, as in English titles)."""
    kind, _, name = commune.partition(" ")
    suffix = {"Xã": "Commune", "Phường": "Ward", "Đặc": "Special Zone"}.get(kind, "")
    if kind == "Đặc":
        name = name.partition(" ")[2]  # "Đặc khu Phú Quốc"
    return f"{fold_title(name)} {suffix}".strip()


def fold_title(text: str) -> str:
    from app.core.text import fold

    return " ".join(word.capitalize() for word in fold(text).split())


def aid_title(rng, commune: str, province: str) -> tuple[str, str, str]:
    """(Vietnamese title, English title, sector) of an aid item in that commune."""
    object_vi, object_en, sector, actions = pick(rng, OBJECTS)
    action_vi, action_en = pick(rng, actions)
    title = f"{action_vi} {object_vi} {lower_first(commune)}"
    if rng.random() < 0.3:
        title += f", {province_words(province)}"
    english = f"{action_en} {object_en} in {english_place(commune)}"
    return title, english, sector


def donor_name(rng, country: str) -> str:
    group = COUNTRY_GROUP.get(country, "en")
    pattern = pick(rng, DONOR_PATTERNS[group])
    return pattern.format(w=pick(rng, _DONOR_WORDS), c=COUNTRY_WORD.get(country, country))


def person_name(rng, country: str) -> str:
    if country == "VN":
        return f"{pick(rng, VN_FAMILY)} {pick(rng, VN_MIDDLE)} {pick(rng, VN_GIVEN)}"
    family, given = PERSON_NAMES[COUNTRY_GROUP.get(country, "en")]
    if country in ("KR", "JP", "CN", "TW"):
        return f"{pick(rng, family).upper()} {pick(rng, given)}"
    return f"{pick(rng, given)} {pick(rng, family)}"


def passport(rng, country: str) -> str:
    """A passport number as a person might type it (the registry normalises it)."""
    digits = int(rng.integers(10_000_000, 99_999_999))
    if country == "VN":
        return f"C{digits % 10_000_000:07d}"
    letter = chr(ord("A") + int(rng.integers(0, 26)))
    number = f"{letter}{digits}"
    # A few typed in lower case or with a space: stored normalised all the same.
    if rng.random() < 0.05:
        number = f"{number[:4].lower()} {number[4:]}"
    return number


def delegation_title(rng, incoming: bool, sender: str, commune: str, purpose: str) -> str:
    place = lower_first(commune)
    if incoming:
        what = {
            "khao_sat": "khảo sát nhu cầu hỗ trợ tại",
            "giam_sat_du_an": "giám sát dự án tại",
            "hop_tac": "làm việc về hợp tác phát triển tại",
            "hoi_nghi": "dự hội thảo tổng kết dự án tại",
            "nhan_dao": "trao quà nhân đạo tại",
        }.get(purpose, "thăm và làm việc tại")
        return f"Đoàn {sender} {what} {place}"
    what = {
        "hop_tac": "làm việc, tìm kiếm đối tác viện trợ tại",
        "hoi_nghi": "dự hội nghị xúc tiến vận động viện trợ tại",
        "khao_sat": "học tập kinh nghiệm tại",
    }.get(purpose, "công tác tại")
    return f"Đoàn cán bộ tỉnh {what} {sender}"
