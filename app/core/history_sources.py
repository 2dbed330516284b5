"""How to read each audited table's changes (app.core.history): its model, the forms that
name its fields, and what the columns cannot tell. Imported on the history's first use,
so app.core does not import the domains when it is loaded.

Labels come from the forms (`aliases` where the form names a field differently); `labels`
holds only what no form names.
"""

from app.aid import forms as aid_forms
from app.aid.checklist import AidKind, DossierDocument
from app.aid.models import (
    CHANGE_LABELS,
    AidItem,
    AidReport,
    Decision,
    Disbursement,
    Inspection,
    Opinion,
    PlannedDisbursement,
    Sector,
)
from app.aid.notices import AidNotice
from app.auth import forms as auth_forms
from app.auth.models import Agency, User
from app.core.communes import province_choices
from app.core.history import NAMES, SOURCES, Source, column_kind
from app.core.models import Attachment, Commune
from app.delegations import forms as delegation_forms
from app.delegations.models import (
    BorderPermit,
    Delegation,
    DelegationMember,
    ItineraryStop,
    Review,
    VisitReport,
)
from app.delegations.services.members import MEMBER_FIELDS, PERSONAL_FIELDS
from app.delegations.services.reviews import REVIEW_FIELDS
from app.orgs.forms import OrganizationForm
from app.orgs.models import Organization

STATUS = "Trạng thái"

NAMES.update(
    {
        "organization": (Organization, Organization.id, Organization.name),
        "agency": (Agency, Agency.id, Agency.name),
        "user": (User, User.id, User.full_name),
        "commune": (Commune, Commune.code, Commune.name),
        "aid_item": (AidItem, AidItem.id, AidItem.code),
        "delegation": (Delegation, Delegation.id, Delegation.code),
        "decision": (Decision, Decision.id, Decision.number),
        "delegation_member": (DelegationMember, DelegationMember.id, DelegationMember.full_name),
        "attachment": (Attachment, Attachment.id, Attachment.filename),
    }
)

af, dfm = aid_forms, delegation_forms

SOURCES.update(
    {
        "aid_item": Source(
            AidItem,
            (af.AidItemForm, af.AmendForm),
            aliases={
                "sectors": (af.SectorRowForm, "sector"),
                "appraisal_form": (af.AppraiseForm, "form_key"),
                "appraisal_on": (af.AppraiseForm, "appraised_on"),
                "appraisal_conclusion": (af.AppraiseForm, "conclusion"),
                "actual_start_on": (af.StartForm, "started_on"),
                "actual_end_on": (af.CompleteForm, "ended_on"),
                "decision_number": (af.DecisionForm, "number"),
                "decision_date": (af.DecisionForm, "signed_on"),
                "decision_signer": (af.DecisionForm, "signer"),
                "donor_managed_value": (af.DecisionContentsForm, "donor_managed_value"),
                "recipient_managed_value": (af.DecisionContentsForm, "recipient_managed_value"),
                "management_modality": (af.DecisionContentsForm, "management_modality"),
                "financial_mechanism": (af.DecisionContentsForm, "financial_mechanism"),
                "decision_authority": (af.CentralDecisionForm, "authority"),
                "submitted_up_on": (af.SubmitUpForm, "submitted_on"),
                "submitted_up_number": (af.SubmitUpForm, "document_number"),
                "submitted_up_to": (af.SubmitUpForm, "submitted_to"),
                "archive_reason": (af.CommentForm, "comment"),
            },
            labels={
                "status": STATUS,
                "value_vnd": CHANGE_LABELS["value_vnd"],
                "donors": "Nhà tài trợ",
                "dossier_files": "Tệp của thành phần hồ sơ",
                "disbursed_share": "Tỷ lệ đã giải ngân",
            },
            kinds={
                "donors": ("refs", "organization"),
                "communes": ("refs", "commune"),
                "sectors": ("sectors", Sector.labels()),
                "aid_kinds": ("labels", AidKind.labels()),
                "dossier_documents": ("labels", DossierDocument.labels()),
                "dossier_files": ("files_by_label", DossierDocument.labels()),
                "disbursed_share": "percent",
            },
        ),
        "opinion": Source(
            Opinion,
            (af.AnswerOpinionForm, af.RequestOpinionsForm),
            aliases={"agency_id": (af.RequestOpinionsForm, "agency_ids")},
        ),
        "decision": Source(Decision, (af.DecisionForm,)),
        "disbursement": Source(
            Disbursement,
            (af.DisbursementForm,),
            labels={"value_vnd": CHANGE_LABELS["value_vnd"], "over_approved": "Vượt giá trị"},
            aliases={
                "is_correction": (af.DisbursementForm, "reason"),
                "archive_reason": (af.CommentForm, "comment"),
            },
        ),
        "planned_disbursement": Source(PlannedDisbursement, (af.PlannedDisbursementForm,)),
        "aid_report": Source(AidReport, (af.ReportForm,)),
        "inspection": Source(Inspection, (af.InspectionForm,)),
        "aid_notice": Source(AidNotice, (af.NoticeDoneForm,)),
        "attachment": Source(Attachment, (af.AttachmentForm,)),
        "delegation": Source(
            Delegation,
            (
                dfm.DelegationForm,
                dfm.MemberForm,
                dfm.ReviewForm,
                dfm.NoticeForm,
                dfm.ApproveForm,
                dfm.ConfirmForm,
            ),
            aliases={
                "aid_item_id": (dfm.DelegationForm, "aid_item_code"),
                "countries": (dfm.DelegationForm, "country"),
                "border_notice_on": (dfm.NoticeForm, "notice_on"),
                "approval_number": (dfm.ApproveForm, "number"),
                "approval_date": (dfm.ApproveForm, "approved_on"),
                "ghi_chu": (dfm.ConfirmForm, "comment"),
                "archive_reason": (dfm.CommentForm, "comment"),
            },
            labels={
                "status": STATUS,
                "stops": "Lịch trình",
                "phien_ban": "Phiên bản hồ sơ",
                "thay_doi": "Nội dung thay đổi",
                "border_area_override": "Vào khu vực biên giới",
            },
            kinds={
                # A member's and a review's fields, in the delegation's entries (audited there).
                **{name: column_kind(DelegationMember, name) for name in MEMBER_FIELDS},
                **{name: column_kind(Review, name) for name in REVIEW_FIELDS},
                "stops": "stops",
                "countries": "countries",
                "other_countries": "countries",
                "border_area_override": "bool",
            },
            personal=PERSONAL_FIELDS,
        ),
        "delegation_member": Source(
            DelegationMember, (dfm.MemberForm, dfm.MemberRemoveForm), personal=PERSONAL_FIELDS
        ),
        "itinerary_stop": Source(ItineraryStop, (dfm.StopForm,)),
        "delegation_review": Source(Review, (dfm.ReviewForm,)),
        "border_permit": Source(BorderPermit, (dfm.PermitForm,)),
        "visit_report": Source(VisitReport, (dfm.ReportForm,)),
        "organization": Source(
            Organization,
            (OrganizationForm,),
            kinds={
                "certificate_provinces": (
                    "labels",
                    {str(code): name for code, name in province_choices()},
                ),
                "certificate_fields": ("labels", Sector.labels()),
            },
        ),
        "user": Source(User, (auth_forms.UserForm,)),
        "agency": Source(
            Agency,
            (auth_forms.AgencyForm,),
            aliases={"duties_text": (auth_forms.AgencyForm, "duties")},
        ),
        "commune": Source(Commune, ()),
    }
)
