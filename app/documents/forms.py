"""Forms of the documents domain."""

from flask_wtf.file import FileField
from wtforms import StringField

from app.core.forms import BaseForm, VersionedForm, VNDateField, max_length, optional, required


class SentForm(VersionedForm):
    """A drafted document marked as sent: the date and the number it was sent with."""

    sent_on = VNDateField("Ngày gửi", [required("Vui lòng nhập ngày gửi.")])
    document_number = StringField(
        "Số văn bản", [required("Vui lòng nhập số văn bản."), max_length(60)]
    )


class TemplateUploadForm(BaseForm):
    """A new version of a document's template (.docx)."""

    file = FileField("Tệp mẫu (.docx)")
    note = StringField("Ghi chú", [optional(), max_length(500)])
