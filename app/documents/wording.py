"""How official documents write numbers and dates in words (no database, no Flask).

Amounts in Vietnamese words follow the reading used on state documents and invoices:
every group of three digits after the first is read in full ("một nghìn không trăm linh
năm"), 1 after a ten of 20 or more is "mốt", 5 after a ten is "lăm", and the scale repeats
after "tỷ" ("một nghìn tỷ"). num2words' Vietnamese output drops the "không trăm" of inner
groups ("một nghìn lẻ mười lăm" for 1.015), so it is not used.

Dates are written out as Decree 30/2020/NĐ-CP, Appendix I, asks: "ngày 02 tháng 12 năm
2026", with a leading zero for days below 10 and for months 1 and 2.
"""

from datetime import date

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu")  # then "tỷ", and the scale repeats
BILLION = 10**9


def _tens_and_units(tens: int, units: int, after_hundreds: bool) -> list[str]:
    """The last two digits of a group; `after_hundreds`: a hundreds word was said."""
    if tens == 0:
        if units == 0:
            return []
        return (["linh"] if after_hundreds else []) + [DIGITS[units]]
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _group(number: int, full: bool) -> list[str]:
    """A group of three digits (1..999); `full`: read the hundreds even when zero."""
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    return words + _tens_and_units(tens, units, bool(words))


def _below_billion(number: int, full: bool) -> list[str]:
    """0 < number < 10**9; `full`: a higher part was read, so every group is read fully."""
    groups = []
    rest = number
    while rest:
        rest, part = divmod(rest, 1000)
        groups.append(part)
    words: list[str] = []
    for position in range(len(groups) - 1, -1, -1):
        part = groups[position]
        if part == 0:
            continue
        words += _group(part, full or bool(words))
        if SCALES[position]:
            words.append(SCALES[position])
    return words


def _words(number: int, full: bool = False) -> list[str]:
    if number >= BILLION:
        high, low = divmod(number, BILLION)
        words = [*_words(high, full), "tỷ"]
        return words + (_below_billion(low, True) if low else [])
    return _below_billion(number, full)


def number_in_words(number: int) -> str:
    """A whole number in Vietnamese words, lower case: 1234567 -> "một triệu hai trăm ba
    mươi bốn nghìn năm trăm sáu mươi bảy"; 0 -> "không"."""
    number = int(number)
    if number < 0:
        return "âm " + number_in_words(-number)
    if number == 0:
        return DIGITS[0]
    return " ".join(_words(number))


def vnd_in_words(amount: int) -> str:
    """Whole đồng as written on a document: "Một triệu không trăm linh năm đồng"."""
    text = number_in_words(amount) + " đồng"
    return text[0].upper() + text[1:]


def date_in_words(day: date) -> str:
    """ "ngày 02 tháng 12 năm 2026" (Decree 30/2020, Appendix I: a leading zero for days
    below 10 and for months 1 and 2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(place: str, day: date) -> str:
    """ "Quảng Ngãi, ngày 02 tháng 12 năm 2026"."""
    return f"{place}, {date_in_words(day)}"
