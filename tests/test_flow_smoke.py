import io

from PIL import Image


def jpeg_bytes(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 140)).save(out, "JPEG")
    return out.getvalue()


def test_pages_render(client, make, signed_in):
    assert client.get("/signin").status_code == 200
    assert client.get("/signup").status_code == 200
    seller = make.seller()
    listing = make.listing(seller)
    assert client.get(f"/listings/{listing.id}").status_code == 200
    assert client.get(f"/sellers/{seller.id}").status_code == 200
    signed_in(seller)
    assert client.get("/sell").status_code == 200
    assert client.get("/sell/listings/new").status_code == 200
    assert client.get(f"/sell/listings/{listing.id}/edit").status_code == 200
    assert client.get("/sell/apply").status_code == 200


def test_fisher_lists_a_catch_with_a_photo(client, make, signed_in):
    seller = make.seller()
    signed_in(seller)
    response = client.post(
        "/sell/listings/new",
        data={
            "kind": "catch", "species": "ホタテ", "unit": "kg", "quantity": "12.5",
            "price_jpy": "2400", "temperature": "chilled",
            "photos": [(io.BytesIO(jpeg_bytes()), "scallop.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/catalog?species=scallop").get_data(as_text=True)
    assert "ホタテ" in page
    assert "-thumb.webp" in page


def test_admin_approves_an_application(client, make, signed_in, mailbox):
    fisher = make.seller(approved=False)
    admin = make.admin()
    signed_in(admin)
    assert "第八 浜丸" in client.get("/admin/applications").get_data(as_text=True)
    response = client.post(f"/admin/applications/{fisher.id}/approve")
    assert response.status_code == 302
    assert len(mailbox.to(fisher.email)) == 1
