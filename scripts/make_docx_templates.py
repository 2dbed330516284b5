"""Build the default DOCX templates of the official documents (issue 14), once, with
python-docx; the files are committed under app/documents/templates_docx/ so they can be
reviewed and rebuilt the same way. Run: `python scripts/make_docx_templates.py`.

Layout: Decree 30/2020/NĐ-CP on administrative documents, Appendix I (the parts of a
document and where they sit): a two-column header (upper left the governing agency and,
below it in bold, the issuing agency, then the number and symbol; upper right the national
title and motto in bold, then place and date in italics), the title and excerpt (or, for a
letter, "V/v ..." under the number and a "Kính gửi:" line), the body, then side by side the
recipients ("Nơi nhận:") and the signer. Times New Roman, 13-14 pt, A4 with margins of
20 mm top and bottom, 30 mm left and 15-20 mm right (Appendix I, II).

The templates are docxtpl (Jinja) templates: the values each may use are listed in
app/documents/contexts.py (VARIABLES); administrators may upload new versions.
"""

import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parent.parent / "app" / "documents" / "templates_docx"
# Every part of every file carries this time, so a rebuild is byte-for-byte the same (the
# time the committed files were first built).
ZIP_TIME = (2026, 12, 3, 13, 22, 46)
FONT = "Times New Roman"
CENTER, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


def new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(0)
    # Reproducible files: fixed core properties.
    props = doc.core_properties
    props.author = props.last_modified_by = "registry"
    props.title = props.subject = props.keywords = props.comments = ""
    props.revision = 1
    from datetime import datetime

    props.created = props.modified = datetime(2026, 12, 3)
    return doc


def para(container, text="", *, bold=False, italic=False, size=None, align=None, indent=False):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Mm(10)
        p.paragraph_format.space_after = Pt(6)
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
    return p


def cell_paragraph(cell, text="", **style):
    """The cell's first (empty) paragraph for the first text, new ones after."""
    first = cell.paragraphs[0]
    if not first.text and len(cell.paragraphs) == 1 and not getattr(cell, "_used", False):
        cell._used = True
        first.alignment = style.pop("align", None)
        run = first.add_run(text)
        run.bold, run.italic = style.pop("bold", False), style.pop("italic", False)
        if "size" in style:
            run.font.size = Pt(style.pop("size"))
        return first
    return para(cell, text, **style)


def no_borders(table) -> None:
    borders = table._tbl.tblPr.first_child_found_in("w:tblBorders")
    if borders is not None:
        table._tbl.tblPr.remove(borders)


def header(doc, *, letter: bool) -> None:
    """Decree 30 header: agency and number left, national title and place-date right."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.style = doc.styles["Normal Table"]
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    cell_paragraph(left, "{{ parent_agency }}", size=13, align=CENTER)
    cell_paragraph(left, "{{ agency }}", bold=True, size=13, align=CENTER)
    cell_paragraph(left, "_______", align=CENTER, size=13)
    cell_paragraph(left, "{{ number }}", size=13, align=CENTER)
    if letter:
        cell_paragraph(left, "{{ excerpt }}", size=12, align=CENTER)
    cell_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13, align=CENTER)
    cell_paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14, align=CENTER)
    cell_paragraph(right, "_______________________", align=CENTER, size=13)
    cell_paragraph(right, "{{ place_date }}", italic=True, size=14, align=CENTER)
    no_borders(table)
    para(doc, "{{ draft_note }}", italic=True, size=11, align=RIGHT)


def title(doc) -> None:
    para(doc, "{{ title }}", bold=True, align=CENTER)
    para(doc, "{{ excerpt }}", bold=True, align=CENTER)
    para(doc, "________", align=CENTER)


def kinh_gui(doc) -> None:
    para(doc, "Kính gửi:", align=CENTER)
    para(doc, "{%p for r in recipients %}")
    para(doc, "- {{ r }};", align=CENTER)
    para(doc, "{%p endfor %}")


def body(doc, *lines: str) -> None:
    """Paragraphs of the body; a line starting with '{%p' is a Jinja control paragraph."""
    for line in lines:
        if line.startswith("{%p"):
            para(doc, line)
        else:
            para(doc, line, align=JUSTIFY, indent=True)


def rows_table(doc, headings: tuple[str, ...], loop: str, cells: tuple[str, ...]) -> None:
    """A bordered table: a heading row, then one row per item of `loop` ("m in members")."""
    table = doc.add_table(rows=4, cols=len(headings))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell_paragraph(cell, text, bold=True, size=12, align=CENTER)
    table.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell_paragraph(cell, text, size=12)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    para(doc)


def closing(doc, *, as_above: bool) -> None:
    """Recipients (left, 12 pt / 11 pt) and signer (right), side by side."""
    para(doc)
    table = doc.add_table(rows=1, cols=2)
    table.style = doc.styles["Normal Table"]
    left, right = table.rows[0].cells
    cell_paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12)
    if as_above:  # the recipients are in "Kính gửi:" above
        cell_paragraph(left, "- Như trên;", size=11)
    else:
        cell_paragraph(left, "{%p for r in recipients %}", size=11)
        cell_paragraph(left, "- {{ r }};", size=11)
        cell_paragraph(left, "{%p endfor %}", size=11)
    cell_paragraph(left, "- Lưu: VT.", size=11)
    cell_paragraph(right, "{{ signer_title }}", bold=True, align=CENTER)
    cell_paragraph(right, "{{ signer_role }}", bold=True, align=CENTER)
    for _ in range(4):
        cell_paragraph(right, "", align=CENTER)
    cell_paragraph(right, "{{ signer_name }}", bold=True, align=CENTER)
    no_borders(table)


ITEM_FACTS = (
    "- Tên khoản viện trợ: {{ item.name }} (mã hồ sơ {{ item.code }}); "
    "hình thức: {{ item.modality }}.",
    "- Nhà tài trợ: {{ item.donor }}"
    "{% if item.donor_country %} ({{ item.donor_country }}){% endif %}"
    "{% if item.co_donors %}; đồng tài trợ: {{ item.co_donors|join(', ') }}{% endif %}.",
    "- Chủ khoản viện trợ: {{ item.owner }}; cơ quan chủ quản: {{ item.governing_agency }}.",
    "{%p if item.locations %}",
    "- Địa bàn thực hiện: {{ item.locations }}.",
    "{%p endif %}",
    "{%p if item.period %}",
    "- Thời gian thực hiện: {{ item.period }}.",
    "{%p endif %}",
    "- Tổng giá trị viện trợ: {% if item.is_foreign_currency %}{{ item.value.original }}, "
    "tương đương {% endif %}{{ item.value.figures }} (bằng chữ: {{ item.value.words }}).",
    "{%p if item.counterpart %}",
    "- Vốn đối ứng: {{ item.counterpart.figures }} (bằng chữ: {{ item.counterpart.words }}).",
    "{%p endif %}",
)


def opinion_request(doc):
    header(doc, letter=True)
    kinh_gui(doc)
    body(
        doc,
        "{{ agency_name }} nhận được hồ sơ đề nghị tiếp nhận khoản viện trợ {{ item.code }} "
        "{% if item.received_on %}{{ item.received_on }}{% endif %}, cụ thể như sau:",
        *ITEM_FACTS,
        "Để có cơ sở thẩm định theo quy định, đề nghị Quý cơ quan cho ý kiến về khoản viện trợ "
        "nêu trên trong phạm vi chức năng, nhiệm vụ{% if answer_by %} và gửi về trước "
        "{{ answer_by }}{% endif %}.",
        "Trân trọng./.",
    )
    closing(doc, as_above=True)


def appraisal_report(doc):
    header(doc, letter=False)
    title(doc)
    body(
        doc,
        "I. THÔNG TIN VỀ KHOẢN VIỆN TRỢ",
        *ITEM_FACTS,
        "II. Ý KIẾN CỦA CÁC CƠ QUAN",
    )
    rows_table(
        doc,
        ("Cơ quan", "Ý kiến", "Nội dung", "Văn bản"),
        "o in opinions",
        ("{{ o.agency }}", "{{ o.verdict }}", "{{ o.answer }}", "{{ o.document_number }}"),
    )
    body(
        doc,
        "III. KẾT LUẬN THẨM ĐỊNH",
        "{{ item.appraisal_conclusion }}",
    )
    closing(doc, as_above=False)


def approval_draft(doc):
    header(doc, letter=False)
    title(doc)
    para(doc, "{{ agency }}", bold=True, align=CENTER)
    body(
        doc,
        "Căn cứ Luật Tổ chức chính quyền địa phương;",
        "Căn cứ {{ item.regime }} về quản lý và sử dụng viện trợ không hoàn lại không thuộc "
        "hỗ trợ phát triển chính thức của các cơ quan, tổ chức, cá nhân nước ngoài dành cho "
        "Việt Nam;",
        "Theo đề nghị của cơ quan đầu mối quản lý viện trợ.",
    )
    para(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTER)
    body(
        doc,
        "Điều 1. Phê duyệt khoản viện trợ {{ item.code }} với các nội dung chính sau:",
        *ITEM_FACTS,
        "{%p if item.objectives %}",
        "- Mục tiêu: {{ item.objectives }}",
        "{%p endif %}",
        "Điều 2. Chủ khoản viện trợ có trách nhiệm tổ chức tiếp nhận, quản lý, sử dụng viện trợ "
        "đúng mục đích và báo cáo theo quy định.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký.",
    )
    closing(doc, as_above=False)


def refusal_letter(doc):
    header(doc, letter=True)
    kinh_gui(doc)
    body(
        doc,
        "Sau khi xem xét hồ sơ khoản viện trợ {{ item.code }} – {{ item.name }}, tổng giá trị "
        "{{ item.value.figures }} (bằng chữ: {{ item.value.words }}), {{ agency_name }} "
        "thông báo khoản viện trợ nêu trên không được chấp thuận.",
        "{%p if reasons %}",
        "Lý do: {{ reasons }}",
        "{%p endif %}",
        "Trân trọng./.",
    )
    closing(doc, as_above=True)


def decision_notice(doc):
    header(doc, letter=False)
    title(doc)
    body(
        doc,
        "Ủy ban nhân dân tỉnh {{ province }} đã ban hành Quyết định số {{ item.decision_number }} "
        "{{ item.decision_date }} phê duyệt khoản viện trợ {{ item.code }} – {{ item.name }}.",
        *ITEM_FACTS,
        "Trân trọng thông báo để {{ item.donor }} biết và phối hợp thực hiện./.",
    )
    closing(doc, as_above=False)


DELEGATION_FACTS = (
    "- Đoàn: {{ delegation.title }} (mã hồ sơ {{ delegation.code }}); {{ delegation.direction }}, "
    "mục đích: {{ delegation.purpose }}.",
    "- Cơ quan, tổ chức cử đoàn: {{ delegation.sender }} ({{ delegation.country }}); "
    "số thành viên: {{ delegation.member_count }}.",
    "- Thời gian: từ {{ delegation.start_in_words }} đến {{ delegation.end_in_words }}.",
    "- Đơn vị đón tiếp: {{ delegation.host }}.",
)


def reply(doc):
    header(doc, letter=True)
    kinh_gui(doc)
    body(
        doc,
        "{{ agency_name }} nhận được đề nghị của {{ delegation.author }} về việc đón đoàn:",
        *DELEGATION_FACTS,
        "Sau khi xem xét, {{ agency_name }} {{ answer }}{% if agrees %} việc đón đoàn nêu "
        "trên{% endif %}.",
        "{%p for c in conditions %}",
        "- {{ c }}",
        "{%p endfor %}",
        "{%p if refusal_reason %}",
        "Lý do: {{ refusal_reason }}",
        "{%p endif %}",
        "Trân trọng./.",
    )
    closing(doc, as_above=True)


def border_notice(doc):
    header(doc, letter=False)
    title(doc)
    body(
        doc,
        "Thực hiện quy định về quản lý hoạt động của người nước ngoài trong khu vực biên giới, "
        "{{ agency_name }} thông báo:",
        *DELEGATION_FACTS,
        "{%p if permit %}",
        "- Giấy phép vào khu vực biên giới: {{ permit }}.",
        "{%p endif %}",
        "- Các địa điểm trong khu vực biên giới:",
    )
    rows_table(
        doc,
        ("Ngày", "Địa điểm", "Nội dung"),
        "s in border_stops",
        ("{{ s.day }}", "{{ s.place }}", "{{ s.activity }}"),
    )
    body(doc, "Đề nghị Quý cơ quan phối hợp theo dõi, bảo đảm an ninh, trật tự./.")
    closing(doc, as_above=False)


def reception_list(doc):
    header(doc, letter=False)
    title(doc)
    body(doc, *DELEGATION_FACTS)
    rows_table(
        doc,
        ("STT", "Họ và tên", "Giới tính", "Quốc tịch", "Chức vụ", "Cơ quan, tổ chức"),
        "m in members",
        (
            "{{ m.index }}",
            "{{ m.name }}",
            "{{ m.sex }}",
            "{{ m.nationality }}",
            "{{ m.position }}",
            "{{ m.organization }}",
        ),
    )
    para(doc, "Chương trình làm việc", bold=True)
    rows_table(
        doc,
        ("Ngày", "Địa điểm", "Nội dung"),
        "s in stops",
        ("{{ s.day }}", "{{ s.place }}", "{{ s.activity }}"),
    )
    closing(doc, as_above=False)


def annual_report(doc):
    header(doc, letter=False)
    title(doc)
    kinh_gui(doc)
    body(
        doc,
        "{{ agency_name }} báo cáo tình hình tiếp nhận, quản lý và sử dụng viện trợ không hoàn "
        "lại không thuộc hỗ trợ phát triển chính thức trên địa bàn tỉnh {{ province }} năm "
        "{{ year }} như sau:",
        "1. Trong năm đã phê duyệt {{ approved.count }} khoản viện trợ, tổng giá trị "
        "{{ approved.figures }} (bằng chữ: {{ approved.words }}); vốn đối ứng "
        "{{ approved.counterpart.figures }} (bằng chữ: {{ approved.counterpart.words }}).",
        "2. Giải ngân trong năm: {{ disbursed.count }} lượt, tổng giá trị {{ disbursed.figures }} "
        "(bằng chữ: {{ disbursed.words }}).",
        "3. Số khoản viện trợ đang thực hiện trong năm: {{ active_count }}.",
        "4. Giá trị phê duyệt theo lĩnh vực:",
    )
    rows_table(
        doc,
        ("Lĩnh vực", "Số khoản", "Giá trị (đồng)"),
        "r in by_sector",
        ("{{ r.name }}", "{{ r.count }}", "{{ r.figures }}"),
    )
    body(doc, "5. Giá trị phê duyệt theo quốc gia của nhà tài trợ:")
    rows_table(
        doc,
        ("Quốc gia", "Số khoản", "Giá trị (đồng)"),
        "r in by_country",
        ("{{ r.name }}", "{{ r.count }}", "{{ r.figures }}"),
    )
    body(
        doc,
        "6. Đoàn vào: {{ incoming.count }} đoàn, {{ incoming.members }} lượt người; đoàn ra: "
        "{{ outgoing.count }} đoàn, {{ outgoing.members }} lượt người.",
    )
    closing(doc, as_above=True)


def plan_report(doc):
    header(doc, letter=False)
    title(doc)
    body(
        doc,
        "{{ agency_name }} báo cáo kết quả thực hiện Kế hoạch công tác đối ngoại nhân dân "
        "của tỉnh {{ province }} {{ period }} ({{ period_span }}) như sau:",
        "{%p for i in items %}",
    )
    para(doc, "{{ i.number }}. {{ i.title }}", bold=True, align=JUSTIFY, indent=True)
    body(
        doc,
        "{%p for f in i.figures %}",
        "- {{ f.label }}: {{ f.value }}{% if f.words %} (bằng chữ: {{ f.words }}){% endif %}.",
        "{%p endfor %}",
        "{%p for line in i.text %}",
        "{{ line }}",
        "{%p endfor %}",
        "{%p for d in i.drafts %}",
        "(Dự thảo của {{ d.agency }}, chưa tổng hợp)",
        "{%p for line in d.lines %}",
        "{{ line }}",
        "{%p endfor %}",
        "{%p endfor %}",
        "{%p if not i.text and not i.drafts %}",
        "(Chưa có nội dung.)",
        "{%p endif %}",
        "{%p endfor %}",
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch công tác đối ngoại nhân dân "
        "{{ period }} của {{ agency_name }}./.",
    )
    closing(doc, as_above=False)


BUILDERS = {
    "aid_opinion_request": opinion_request,
    "aid_appraisal_report": appraisal_report,
    "aid_approval_draft": approval_draft,
    "aid_refusal_letter": refusal_letter,
    "aid_decision_notice": decision_notice,
    "delegation_reply": reply,
    "delegation_border_notice": border_notice,
    "delegation_reception_list": reception_list,
    "annual_aid_report": annual_report,
    "plan_report": plan_report,
}


def reproducible(doc) -> bytes:
    """The saved package with every part stamped ZIP_TIME (python-docx stamps the clock)."""
    saved = io.BytesIO()
    doc.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as package:
        for part in source.infolist():
            stamped = zipfile.ZipInfo(part.filename, date_time=ZIP_TIME)
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = part.external_attr
            package.writestr(stamped, source.read(part))
    return out.getvalue()


def main(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, build in BUILDERS.items():
        doc = new_document()
        build(doc)
        path = out / f"{kind}.docx"
        path.write_bytes(reproducible(doc))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(path)
