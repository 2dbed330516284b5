"""Forms of the plan report: the report's settings, the consolidated text, one item's
contribution, and the small forms of the steps."""

from wtforms import IntegerField, SelectField, SelectMultipleField, TextAreaField, widgets
from wtforms.validators import Optional

from app.core.forms import VersionedForm, VNDateField, choices, required
from app.planreport import plan_items
from app.planreport.states import PeriodKind

HALF_CHOICES = [("", "—"), ("1", "6 tháng đầu năm"), ("2", "6 tháng cuối năm")]


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AgencyChecks(SelectMultipleField):
    """The agencies asked, as checkboxes (works without JavaScript)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        pass  # the service checks the ids (unknown or inactive agencies: 422)


class ReportForm(VersionedForm):
    period_kind = SelectField("Kỳ báo cáo", choices=choices(PeriodKind.choices()))
    year = IntegerField("Năm", [required("Vui lòng nhập năm.")])
    half = SelectField(
        "Nửa năm", choices=choices(HALF_CHOICES), coerce=_int_or_none, validators=[Optional()]
    )
    deadline = VNDateField("Hạn gửi đóng góp", [required("Vui lòng nhập hạn gửi đóng góp.")])
    agencies = AgencyChecks("Cơ quan được đề nghị đóng góp", coerce=int)


class ConsolidateForm(VersionedForm):
    pass


for _item in plan_items.PLAN_ITEMS:
    setattr(
        ConsolidateForm,
        f"item_{_item.number}",
        TextAreaField(f"Mục {_item.number}. {_item.title}"),
    )


class ContributionForm(VersionedForm):
    text = TextAreaField("Nội dung đóng góp")


class StepForm(VersionedForm):
    """Open or finalise: only the version the page showed."""
