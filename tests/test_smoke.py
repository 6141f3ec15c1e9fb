def test_home_and_catalog_show_live_listings(client, make):
    seller = make.seller()
    make.listing(seller, title="Autumn salmon, fresh")
    make.listing(seller, kind="product", species="するめ", unit="piece", quantity="20", title="Dried squid")
    home = client.get("/")
    assert home.status_code == 200
    assert "Autumn salmon, fresh" in home.get_data(as_text=True)
    assert "Dried squid" in home.get_data(as_text=True)
    listing_page = client.get("/catalog?kind=catch")
    assert "Autumn salmon" in listing_page.get_data(as_text=True)
