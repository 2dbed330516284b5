"""Help pages per workflow, in Vietnamese (issue 14, part 6)."""

import re

import pytest

from app.core.help import TOPICS


@pytest.mark.parametrize("slug", list(TOPICS))
def test_each_help_page_renders_with_working_links(login, slug):
    web = login("police.viewer")
    page = web.get(f"/huong-dan/{slug}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert TOPICS[slug] in text
    # every link of the page's body leads to a page that exists for a signed-in user
    body = text.split('<article class="help-page"', 1)[1].split("</article>", 1)[0]
    for href in re.findall(r'href="(/[^"]*)"', body):
        response = web.get(href)
        assert response.status_code in (200, 302, 403), href
        assert "dang-nhap" not in response.headers.get("Location", ""), href


def test_index_lists_every_topic_and_unknown_is_404(login, app):
    web = login("planning.viewer")
    text = web.get("/huong-dan/").get_data(as_text=True)
    for slug, title in TOPICS.items():
        assert f'href="/huong-dan/{slug}"' in text and title in text
    assert web.get("/huong-dan/khong-co").status_code == 404
    assert "dang-nhap" in app.test_client().get("/huong-dan/").headers["Location"]


def test_menu_links_to_the_workflow_help(login):
    text = login("planning.officer").get("/").get_data(as_text=True)
    assert 'href="/huong-dan/vien-tro"' in text and 'href="/huong-dan/doan"' in text
