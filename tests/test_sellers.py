"""A fisher signs up, applies, is approved or rejected by the cooperative, and is told by e-mail."""

import io

from PIL import Image

from marketplace.accounts.models import User


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


APPLICATION = {
    "kind": "fisher",
    "name": "漁師の店 浜丸",
    "boat_name": "第八浜丸",
    "home_port": "枝幸",
    "fishing_method": "定置網",
    "member_number": "ES-0042",
    "story": "祖父の代から枝幸で秋鮭を獲っています。",
}


def sign_up_and_apply(client, email="taro@example.jp"):
    response = client.post(
        "/signup",
        data={"email": email, "password": "a long enough password", "role": "seller", "display_name": "Taro"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/sell/apply")
    response = client.post(
        "/sell/apply",
        data={**APPLICATION, "photo": (io.BytesIO(photo()), "me.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return User.query.filter_by(email=email).one()


def test_application_waits_for_the_cooperative(client, db):
    fisher = sign_up_and_apply(client)
    assert fisher.seller.status == "pending"
    assert fisher.seller.home_port_code == "esashi"
    assert fisher.seller.photo_key
    page = client.get("/sell").get_data(as_text=True)
    assert "/sell/listings/new" not in page
    assert client.get("/sell/listings/new").status_code == 403
    # Not on the public side yet.
    assert client.get(f"/sellers/{fisher.id}").status_code == 404


def test_admin_approves_and_the_fisher_is_told(app, client, make, mailbox):
    fisher = sign_up_and_apply(client)
    client.post("/signout")
    admin = make.admin()
    client.post("/signin", data={"email": admin.email, "password": make.PASSWORD})
    page = client.get("/admin/applications").get_data(as_text=True)
    assert "漁師の店 浜丸" in page and "ES-0042" in page
    assert client.post(f"/admin/applications/{fisher.id}/approve").status_code == 302
    assert fisher.seller.status == "approved"
    assert fisher.seller.decided_by_id == admin.id
    [mail] = mailbox.to(fisher.email)
    assert "http://shop.test/sell/listings/new" in mail.get_content()
    # A second decision is refused, nothing changes and no second e-mail goes out.
    client.post(f"/admin/applications/{fisher.id}/reject", data={"reason": "late"})
    assert fisher.seller.status == "approved"
    assert len(mailbox.to(fisher.email)) == 1
    client.post("/signout")
    client.post("/signin", data={"email": fisher.email, "password": "a long enough password"})
    assert client.get("/sell/listings/new").status_code == 200


def test_admin_rejects_with_a_reason_and_the_fisher_can_reapply(client, make, mailbox):
    fisher = sign_up_and_apply(client, "jiro@example.jp")
    client.post("/signout")
    admin = make.admin()
    client.post("/signin", data={"email": admin.email, "password": make.PASSWORD})
    # A reason is required.
    client.post(f"/admin/applications/{fisher.id}/reject", data={"reason": ""})
    assert fisher.seller.status == "pending"
    client.post(f"/admin/applications/{fisher.id}/reject", data={"reason": "組合員番号を確認できません"})
    assert fisher.seller.status == "rejected"
    [mail] = mailbox.to(fisher.email)
    assert "組合員番号を確認できません" in mail.get_content()
    client.post("/signout")
    client.post("/signin", data={"email": fisher.email, "password": "a long enough password"})
    assert "組合員番号を確認できません" in client.get("/sell").get_data(as_text=True)
    client.post("/sell/apply", data={**APPLICATION, "member_number": "ES-0043"})
    assert fisher.seller.status == "pending"


def test_application_form_keeps_what_was_typed_and_says_what_to_fix(client):
    client.post("/signup", data={"email": "x@example.jp", "password": "a long enough password", "role": "seller"})
    response = client.post("/sell/apply", data={**APPLICATION, "home_port": "", "boat_name": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "漁師の店 浜丸" in page  # kept
    assert page.count('class="error"') >= 2


def test_customers_cannot_apply_or_reach_admin(client, make, signed_in):
    signed_in(make.user())
    assert client.get("/sell/apply").status_code == 403
    assert client.get("/admin/applications").status_code == 403
