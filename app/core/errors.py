"""Domain errors and the HTTP error pages.

Services raise a DomainError with a Vietnamese message; views let it propagate and the
handler here turns it into a page with the right status (403 not allowed for this user,
409 not allowed in this state). Two database errors that a race between two users can
still cause after the services' checks are 409s too, rolled back: SQLAlchemy's
StaleDataError (an UPDATE of a versioned row that someone else changed meanwhile: the
same page as StaleObjectError) and an IntegrityError (a unique or foreign key constraint
hit by a concurrent write). Unexpected errors roll the transaction back and give a 500.
"""

from flask import Flask, current_app, flash, render_template, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db


class DomainError(Exception):
    """A business rule refused the action; nothing was changed."""

    status = 409
    title = "Không thực hiện được thao tác"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PermissionDenied(DomainError):
    status = 403
    title = "Không có quyền"


class FieldError(DomainError):
    """A rule about one field's value (e.g. a code already used): shown next to the field."""

    status = 422
    title = "Dữ liệu không hợp lệ"

    def __init__(self, field: str, message: str, others: dict | None = None):
        super().__init__(message)
        self.field = field
        self.errors = {field: message, **(others or {})}

    @classmethod
    def many(cls, errors: dict[str, str]) -> "FieldError":
        """Several fields wrong at once: all are shown, not one per submit."""
        (field, message), *rest = errors.items()
        return cls(field, message, dict(rest))

    def attach_to(self, form) -> None:
        for name, message in self.errors.items():
            field = getattr(form, name, None)
            if field is None:
                form.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]


class StaleObjectError(DomainError):
    """The record changed since the form was opened (optimistic locking)."""

    status = 409
    title = "Dữ liệu đã thay đổi"

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "Bản ghi đã được người khác thay đổi sau khi bạn mở biểu mẫu. "
            "Vui lòng tải lại trang, xem thay đổi và nhập lại."
        )


CONFLICT_TITLE = "Không lưu được dữ liệu"
CONFLICT_MESSAGE = (
    "Dữ liệu không lưu được vì trùng hoặc mâu thuẫn với dữ liệu đã có trong hệ thống "
    "(có thể người khác vừa lưu cùng lúc). Không có thay đổi nào được lưu. "
    "Vui lòng tải lại trang, kiểm tra và nhập lại."
)

ERROR_TEXTS = {
    400: (
        "Yêu cầu không hợp lệ",
        "Yêu cầu không hợp lệ hoặc phiên làm việc đã hết hạn. Vui lòng tải lại trang và thử lại.",
    ),
    403: ("Không có quyền", "Bạn không có quyền thực hiện thao tác này."),
    404: ("Không tìm thấy trang", "Trang hoặc bản ghi bạn tìm không tồn tại."),
    405: ("Phương thức không được hỗ trợ", "Thao tác này không được hỗ trợ tại địa chỉ này."),
    409: ("Không thực hiện được thao tác", "Thao tác không phù hợp với trạng thái hiện tại."),
    413: ("Tệp quá lớn", "Tệp tải lên vượt quá dung lượng cho phép."),
    422: ("Dữ liệu không hợp lệ", "Dữ liệu nhập vào không hợp lệ."),
    500: (
        "Lỗi hệ thống",
        "Đã xảy ra lỗi ngoài ý muốn. Dữ liệu chưa được lưu. "
        "Vui lòng thử lại hoặc báo quản trị hệ thống.",
    ),
}


def record_url(path: str) -> str | None:
    """The page of the record a step's URL belongs to ("/vien-tro/12/ghi-nhan/giai-ngan" ->
    "/vien-tro/12"), when that page exists and is not `path` itself; else None."""
    parts = path.strip("/").split("/")
    numbered = next((i for i, part in enumerate(parts) if part.isdigit()), None)
    if numbered is None or numbered == len(parts) - 1:
        return None
    url = "/" + "/".join(parts[: numbered + 1])
    try:
        current_app.url_map.bind("").match(url, method="GET")
    except HTTPException:
        return None
    return url


def render_error(status: int, message: str | None = None, title: str | None = None):
    default_title, default_message = ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title or default_title,
            message=message or default_message,
            # a refused step (409, 403, 422) leads back to its record
            record_url=record_url(request.path) if status < 500 and status != 404 else None,
        ),
        status,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message, error.title)

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError):
        # The version check of an UPDATE found the row changed: the same answer as a stale
        # form (StaleObjectError).
        db.session.rollback()
        app.logger.info("Stale update on %s %s: %s", request.method, request.path, error)
        stale = StaleObjectError()
        return render_error(stale.status, stale.message, stale.title)

    @app.errorhandler(IntegrityError)
    def integrity_error(error: IntegrityError):
        db.session.rollback()
        app.logger.warning("Integrity error on %s %s: %s", request.method, request.path, error.orig)
        return render_error(409, CONFLICT_MESSAGE, CONFLICT_TITLE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code >= 400:
            db.session.rollback()
        message = None
        if error.code == 400 and "CSRF" in (error.description or ""):
            message = (
                "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã bảo vệ CSRF). "
                "Không có dữ liệu nào được lưu. Vui lòng tải lại trang và thử lại."
            )
        elif error.code == 413 and (limit := app.config.get("MAX_CONTENT_LENGTH")):
            message = (
                f"Tệp tải lên vượt quá dung lượng cho phép ({limit // (1024 * 1024)} MB mỗi lần "
                "gửi). Không có dữ liệu nào được lưu. Vui lòng quay lại, chọn tệp nhỏ hơn "
                "(hoặc chia nhỏ tệp) và gửi lại."
            )
        return render_error(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)


def flash_form_errors(form) -> None:
    """One summary flash; the field errors themselves render next to each field."""
    if form.errors:
        flash("Dữ liệu chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.", "danger")
