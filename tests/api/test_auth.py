"""POST/DELETE /api/v1/auth/token: issuing, using, revoking and throttling bearer tokens."""

from __future__ import annotations

import limits

from marketplace.accounts import throttle

PASSWORD = "correct horse battery"


def _limit(text: str) -> int:
    return limits.parse(text).amount


def test_token_is_issued_and_used_as_bearer(api, make):
    seller = make.seller()
    response = api.post("/auth/token", json={"email": seller.email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"] == {"id": seller.id, "role": "seller"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    me = api.get("/me", token=body["token"])
    assert me.status_code == 200
    assert me.get_json() == {"id": seller.id, "role": "seller", "email": seller.email}


def test_email_is_matched_regardless_of_case_and_spaces(api, make):
    customer = make.user()
    response = api.post(
        "/auth/token", json={"email": f"  {customer.email.upper()} ", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.get_json()["user"] == {"id": customer.id, "role": "customer"}


def test_wrong_password_and_unknown_address_are_the_same_401(api, make):
    user = make.user()
    wrong = api.post("/auth/token", json={"email": user.email, "password": "not the password"})
    unknown = api.post("/auth/token", json={"email": "nobody@example.jp", "password": PASSWORD})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
    assert wrong.get_json() == unknown.get_json()


def test_missing_or_mistyped_credentials_name_the_fields(api):
    response = api.post("/auth/token", json={"email": 42})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"email", "password"}


def test_missing_garbage_and_revoked_tokens_are_401(api, make):
    user = make.user()
    token = api.token(user)
    assert api.get("/me").status_code == 401
    garbage = api.get("/me", token="hm_not-a-token")
    assert garbage.status_code == 401
    assert garbage.get_json()["error"]["code"] == "unauthorized"
    assert garbage.headers["WWW-Authenticate"].startswith("Bearer")

    assert api.delete("/auth/token", token=token).status_code == 204
    assert api.get("/me", token=token).status_code == 401
    assert api.delete("/auth/token", token=token).status_code == 401
    assert api.delete("/auth/token").status_code == 401


def test_revoking_one_token_keeps_the_others(api, make):
    user = make.user()
    first, second = api.token(user), api.token(user)
    assert first != second
    assert api.delete("/auth/token", token=first).status_code == 204
    assert api.get("/me", token=first).status_code == 401
    assert api.get("/me", token=second).status_code == 200


def test_a_deactivated_users_token_stops_working(api, make, db):
    user = make.user()
    token = api.token(user)
    user.active = False
    db.session.commit()
    assert api.get("/me", token=token).status_code == 401


def test_bearer_tokens_are_not_sessions_outside_the_api(api, client, make):
    token = api.token(make.seller())
    response = client.get("/sell/listings/new", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_twenty_five_successful_token_requests_a_minute_from_one_address_pass(api, make):
    user = make.user()
    for _ in range(25):
        response = api.post("/auth/token", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 200


def test_failures_from_one_address_are_throttled(api, make):
    user = make.user()
    address = {"REMOTE_ADDR": "127.0.0.21"}
    for n in range(_limit(throttle.PER_ADDRESS)):
        # Different accounts each time: only the per-address limit is in play.
        response = api.post(
            "/auth/token",
            json={"email": f"x{n}@example.jp", "password": "wrong"},
            environ_base=address,
        )
        assert response.status_code == 401
    blocked = api.post(
        "/auth/token", json={"email": user.email, "password": PASSWORD}, environ_base=address
    )
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "rate_limited"
    assert blocked.get_json()["error"]["message"]
    assert "Retry-After" in blocked.headers
    # Another address is not affected.
    other = api.post(
        "/auth/token",
        json={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "127.0.0.22"},
    )
    assert other.status_code == 200


def test_failures_against_one_account_are_throttled_from_any_address(api, make):
    user = make.user()
    for n in range(_limit(throttle.PER_ACCOUNT)):
        response = api.post(
            "/auth/token",
            json={"email": user.email, "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"127.0.1.{n + 1}"},
        )
        assert response.status_code == 401
    blocked = api.post(
        "/auth/token",
        json={"email": user.email.upper(), "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "127.0.2.1"},
    )
    assert blocked.status_code == 429
    other = make.user()
    assert (
        api.post(
            "/auth/token",
            json={"email": other.email, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "127.0.2.1"},
        ).status_code
        == 200
    )


def test_error_messages_follow_accept_language(api, make):
    user = make.user()
    body = {"email": user.email, "password": "wrong password"}
    english = api.post("/auth/token", json=body, lang="en").get_json()["error"]
    japanese = api.post("/auth/token", json=body, lang="ja-JP,ja;q=0.9").get_json()["error"]
    assert english["message"] == "The e-mail address or password is not right."
    assert japanese["message"] == "メールアドレスまたはパスワードが正しくありません。"
    assert english["code"] == japanese["code"] == "unauthorized"


def test_accept_language_wins_over_the_accounts_language_for_api_calls(api, make, db):
    user = make.user(locale="ja")
    token = api.token(user)
    response = api.post("/listings", token=token, json={}, lang="en")
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == "You are not allowed to do that."
