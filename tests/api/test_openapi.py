"""GET /api/v1/openapi.json: a complete OpenAPI 3 document of exactly the endpoints that exist."""

from __future__ import annotations

import re

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _documented(doc) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in doc["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def _routed(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(
            r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1") :]
        )
        routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_the_document_is_served_with_relative_servers_and_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    assert all(not re.match(r"^[a-z]+://", server["url"]) for server in doc.get("servers", []))
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `POST /auth/token`.",
    }


def test_every_api_route_is_documented_and_nothing_else(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert _documented(doc) == _routed(app)
    assert {
        ("/auth/token", "post"),
        ("/auth/token", "delete"),
        ("/listings", "get"),
        ("/listings", "post"),
        ("/listings/{listing_id}", "get"),
        ("/listings/{listing_id}", "patch"),
        ("/listings/{listing_id}", "delete"),
    } <= _documented(doc)


def test_every_reference_resolves_and_every_operation_documents_its_errors(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for ref in set(_refs(doc)):
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    error = doc["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "fields"]
    for path, item in doc["paths"].items():
        for method in set(item) & HTTP_METHODS:
            operation = item[method]
            assert operation["operationId"] and operation["summary"]
            statuses = set(operation["responses"])
            assert any(s.startswith("2") for s in statuses), (path, method)
            if operation.get("security") == [{"bearerAuth": []}]:
                assert "401" in statuses, (path, method)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= statuses, (path, method)
            for name in re.findall(r"{([a-z_]+)}", path):
                declared = item.get("parameters", []) + operation.get("parameters", [])
                assert any(p["name"] == name and p["in"] == "path" for p in declared)


def test_the_listing_schema_matches_what_the_api_answers(api, make, client):
    make.listing(make.seller(), price_tiers=[{"min_quantity": "10", "price_jpy": 1500}])
    doc = client.get("/api/v1/openapi.json").get_json()
    item = api.get("/listings").get_json()["items"][0]
    listing = doc["components"]["schemas"]["Listing"]
    assert set(item) == set(listing["properties"]) == set(listing["required"])
    assert set(item["seller"]) == {"id", "name", "port"}
