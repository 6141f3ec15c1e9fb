"""The cooperative approves a pending seller application from its phone."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import sign_in


def test_admin_approves_a_pending_application(page, live_server, smtp_server):
    applicant = live_server.seller(name="宗谷 いさり丸", approved=False)
    admin = live_server.admin()
    sign_in(page, live_server.url, admin.email)
    page.goto(f"{live_server.url}/admin/applications")

    card = page.locator("li.application", has_text="宗谷 いさり丸")
    expect(card).to_be_visible()
    card.locator("form[action$='/approve'] button").tap()

    expect(page.locator(".flash-success")).to_contain_text("宗谷 いさり丸")
    expect(page.locator("li.application", has_text="宗谷 いさり丸")).to_have_count(0)
    assert len(smtp_server.to(applicant.email)) == 1
    response = page.goto(f"{live_server.url}/sellers/{applicant.id}")
    assert response.status == 200
