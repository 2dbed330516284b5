"""The reviewers' opinion forms: the page keeps the review's title, the button says what it
does ("Lưu ý kiến")."""

import re

import pytest


@pytest.mark.parametrize(
    ("username", "slug", "title"),
    [
        ("police.officer", "y-kien-cong-an", "Ý kiến an ninh, trật tự của Công an tỉnh"),
        ("foreign_affairs.officer", "y-kien-ngoai-vu", "Thẩm định của cơ quan ngoại vụ"),
    ],
)
def test_review_form_submit_button_is_an_action(make_delegation, login, db, username, slug, title):
    d = make_delegation(f"RF-{slug[-2:]}", stage="under_review")
    page = login(username).get(f"/doan/{d.id}/ghi-nhan/{slug}").get_data(as_text=True)
    assert f'<h1 class="h4">{title}</h1>' in page
    form = page[page.index('<form method="post" novalidate') :]
    buttons = re.findall(r'<button type="submit"[^>]*>([^<]*)</button>', form)
    assert buttons[0] == "Lưu ý kiến", buttons
    assert title not in "".join(buttons)
