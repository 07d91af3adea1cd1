"""The web app's session: /login sets a signed cookie and a CSRF token; /engine-rest accepts the cookie (changes
only with the token) or Basic (never a token); failed logins are throttled per user name and per address."""
from __future__ import annotations

import pytest

from app.api.auth import CSRF_COOKIE, SESSION_COOKIE
from app.models import Group
from app.services.login_throttle import LoginThrottle
from tests.conftest import ADMIN, basic


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def login(client, username="changchun.hrss", password="demo", **kwargs):
    return client.post("/login", json={"username": username, "password": password}, **kwargs)


def cookie(client, name):
    return client.get_cookie(name)


def test_login_opens_a_session_and_hands_out_the_csrf_token(client):
    r = login(client)
    assert r.status_code == 200
    assert r.json == {"userId": "changchun.hrss", "groups": ["changchun-hrss"], "tenants": ["changchun"],
                      "admin": False, "canManage": False, "csrfToken": r.json["csrfToken"]}
    assert cookie(client, CSRF_COOKIE).value == r.json["csrfToken"]
    set_cookies = r.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in set_cookies if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Expires=" in session_cookie
    csrf_cookie = next(c for c in set_cookies if c.startswith(CSRF_COOKIE + "="))
    assert "HttpOnly" not in csrf_cookie  # the page's script must read it

    assert client.get("/session").json == r.json
    assert client.get("/engine-rest/user/count").status_code == 200


def test_form_login_works_too(client):
    r = client.post("/login", data={"username": "demo", "password": "demo"})
    assert r.status_code == 200 and r.json["admin"] is True and r.json["canManage"] is True


def test_cookie_changes_need_the_csrf_header_and_basic_calls_do_not(client, made):
    token = login(client, "demo", "demo").json["csrfToken"]
    group_id = made.unique("group")
    made.remember(Group, group_id)
    r = client.post("/engine-rest/group/create", json={"id": group_id})
    assert (r.status_code, r.headers["X-XSRF-TOKEN"]) == (403, "Required")
    assert r.json["message"] == "CSRFPreventionFilter: Token provided via HTTP Header is absent/empty."
    r = client.post("/engine-rest/group/create", json={"id": group_id}, headers={"X-XSRF-TOKEN": "guess"})
    assert r.status_code == 403
    r = client.post("/engine-rest/group/create", json={"id": group_id}, headers={"X-XSRF-TOKEN": token})
    assert r.status_code == 204
    # Basic credentials win over the cookie and need no token (machines have no session).
    assert client.delete(f"/engine-rest/group/{group_id}", headers=ADMIN).status_code == 204


def test_logout_needs_the_token_and_ends_the_session(client):
    token = login(client).json["csrfToken"]
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", headers={"X-XSRF-TOKEN": token}).status_code == 204
    assert cookie(client, SESSION_COOKIE) is None and cookie(client, CSRF_COOKIE) is None
    r = client.get("/session")
    assert (r.status_code, r.json["type"]) == (401, "AuthenticationException")
    assert client.get("/engine-rest/user/count").status_code == 401


def test_without_a_session_the_web_app_gets_401_without_a_basic_challenge(client):
    client.set_cookie(SESSION_COOKIE, "forged.value.here")
    r = client.get("/engine-rest/user/count")
    assert r.status_code == 401 and "WWW-Authenticate" not in r.headers
    client.delete_cookie(SESSION_COOKIE)
    r = client.get("/engine-rest/user/count")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Basic realm="default"'


def test_wrong_password_is_refused(client):
    r = login(client, password="wrong")
    assert (r.status_code, r.json["type"]) == (401, "AuthenticationException")
    assert cookie(client, SESSION_COOKIE) is None
    assert client.post("/login", json={"username": "demo"}).status_code == 400


def test_a_password_change_ends_the_users_sessions(client, made):
    user_id = made.user(password="before change")
    assert login(client, user_id, "before change").status_code == 200
    assert client.get("/session").status_code == 200
    assert client.put(f"/engine-rest/user/{user_id}/credentials", headers=ADMIN,
                      json={"password": "after change", "authenticatedUserPassword": "demo"}).status_code == 204
    assert client.get("/session").status_code == 401
    assert client.get("/engine-rest/user/count").status_code == 401


def test_sessions_end_after_session_hours(client, kb):
    login(client)
    with client.session_transaction() as session:
        session["iat"] -= int(kb.settings.session_hours * 3600) + 1
    assert client.get("/session").status_code == 401


def test_a_login_posted_by_another_site_is_refused(client):
    assert login(client, headers={"Origin": "https://evil.example"}).status_code == 403
    assert login(client, headers={"Origin": "null"}).status_code == 403
    assert login(client, headers={"Origin": "http://localhost"}).status_code == 200


@pytest.fixture
def clock(app) -> Clock:
    """A throttle of 3 failures per user name and 5 per address within 60 s, on a hand-moved clock."""
    fake = Clock()
    app.extensions["kuaibao.throttle"] = LoginThrottle(per_user=3, per_address=5, window_seconds=60, clock=fake)
    return fake


def test_failed_logins_for_a_user_name_are_throttled_with_retry_after(client, clock):
    for _ in range(3):
        assert login(client, "changchun.tax", "wrong").status_code == 401
    r = login(client, "changchun.tax", "demo")  # even the right password waits
    assert (r.status_code, r.headers["Retry-After"]) == (429, "60")
    clock.now += 30
    assert login(client, "changchun.tax", "demo").headers["Retry-After"] == "30"
    r = client.post("/engine-rest/identity/verify", headers=ADMIN, json={"username": "changchun.tax",
                                                                         "password": "demo"})
    assert r.status_code == 429  # /identity/verify is a password check too
    clock.now += 31
    assert login(client, "changchun.tax", "demo").status_code == 200
    assert login(client, "changchun.tax", "wrong").status_code == 401  # a success forgave the earlier failures


def test_failed_logins_from_one_address_are_throttled_across_user_names(client, clock):
    for user in ("jilin.tax", "jilin.ssb", "jilin.postal", "jilin.hrss", "nobody"):
        assert login(client, user, "wrong").status_code == 401
    assert login(client, "siping.tax", "demo").status_code == 429
    elsewhere = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}
    assert login(client, "siping.tax", "demo", **elsewhere).status_code == 200


def test_basic_authentication_failures_count_but_remembered_logins_still_pass(client, clock):
    good = basic("baishan.tax", "demo")
    assert client.get("/engine-rest/user/count", headers=good).status_code == 200  # remembered from now on
    for _ in range(3):
        assert client.get("/engine-rest/user/count", headers=basic("baishan.tax", "guess")).status_code == 401
    r = client.get("/engine-rest/user/count", headers=basic("baishan.tax", "another guess"))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert client.get("/engine-rest/user/count", headers=good).status_code == 200
