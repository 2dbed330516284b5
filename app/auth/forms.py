from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Email, EqualTo, Length, Regexp

from app.auth.models import AGENCY_KIND_LABELS, ROLE_LABELS, Duty
from app.core.forms import BaseForm, VersionedForm, choices, chosen, max_length, optional, required

MIN_PASSWORD = 8


class LoginForm(BaseForm):
    username = StringField("Tên đăng nhập", [required("Vui lòng nhập tên đăng nhập.")])
    password = PasswordField("Mật khẩu", [required("Vui lòng nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập")


class ChangePasswordForm(BaseForm):
    current_password = PasswordField("Mật khẩu hiện tại", [required()])
    new_password = PasswordField(
        "Mật khẩu mới",
        [required(), Length(min=MIN_PASSWORD, message=f"Ít nhất {MIN_PASSWORD} ký tự.")],
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        [required(), EqualTo("new_password", message="Hai mật khẩu mới không trùng nhau.")],
    )


class UserForm(VersionedForm):
    username = StringField(
        "Tên đăng nhập",
        [
            required(),
            max_length(80),
            Regexp(
                r"^[a-z0-9._-]+$",
                message="Chỉ dùng chữ thường không dấu, số và các ký tự . _ -",
            ),
        ],
        filters=[lambda v: v.strip().lower() if v else v],
    )
    full_name = StringField("Họ và tên", [required(), max_length(120)])
    email = StringField(
        "Thư điện tử",
        [optional(), Email(message="Địa chỉ thư điện tử không hợp lệ."), max_length(200)],
    )
    agency_id = SelectField("Cơ quan", [chosen()], coerce=int)
    role = SelectField(
        "Vai trò", [chosen()], choices=choices((k.value, v) for k, v in ROLE_LABELS.items())
    )
    # Unknown keys reach the service, which names them (a clear message, not "invalid choice").
    duties = SelectMultipleField(
        "Nhiệm vụ", choices=choices((d.value, d.label) for d in Duty), validate_choice=False
    )
    active = BooleanField("Đang hoạt động", default=True)
    password = PasswordField(
        "Mật khẩu",
        [optional(), Length(min=MIN_PASSWORD, message=f"Ít nhất {MIN_PASSWORD} ký tự.")],
        description="Để trống khi sửa nếu không đổi mật khẩu.",
    )


class AgencyForm(VersionedForm):
    name = StringField("Tên cơ quan", [required(), max_length(200)])
    short_name = StringField("Tên viết tắt", [optional(), max_length(60)])
    code = StringField(
        "Mã cơ quan",
        [optional(), max_length(30)],
        description="Mã ngắn, không trùng, dùng trong lệnh quản trị (ví dụ CAT).",
    )
    parent_id = SelectField("Thuộc cơ quan (cấp trên)", [optional()], coerce=int, default=0)
    kind = SelectField(
        "Loại cơ quan",
        [chosen()],
        choices=choices((k.value, v) for k, v in AGENCY_KIND_LABELS.items()),
    )
    # Unknown keys reach the service, which names them (a clear message, not "invalid choice").
    duties = SelectMultipleField(
        "Nhiệm vụ", choices=choices((d.value, d.label) for d in Duty), validate_choice=False
    )
    active = BooleanField("Đang hoạt động", default=True)


class MergeAgencyForm(BaseForm):
    target_id = SelectField("Gộp vào cơ quan", [chosen()], coerce=int)
