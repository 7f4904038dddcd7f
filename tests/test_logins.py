"""Logins are throttled and audited: five wrong passwords for one username from one
address lock it out for 15 minutes, on the login page and the token endpoint alike,
and every login, failure and lockout is in the coordinators' audit log."""

from __future__ import annotations

from cases.models import LoginEvent

PASSWORD = "secret-pass-1"


def web_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_web_login_even_with_the_right_one(client, caseworker):
    for _attempt in range(4):
        assert web_login(client, "caseworker", "wrong").status_code == 200
    assert web_login(client, "caseworker", "wrong").status_code == 429  # the fifth
    locked = web_login(client, "caseworker", PASSWORD)
    assert locked.status_code == 429
    assert "locked from this address for 15 minutes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    kinds = list(LoginEvent.objects.filter(username="caseworker").values_list("kind", flat=True))
    assert kinds.count("failed") == 6 and "locked_out" in kinds  # the refused right password too


def test_a_success_resets_the_count_and_is_audited(client, caseworker):
    for _attempt in range(4):
        web_login(client, "caseworker", "wrong")
    assert web_login(client, "caseworker", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert web_login(client, "caseworker", "wrong").status_code == 200
    assert LoginEvent.objects.filter(username="caseworker", kind="succeeded", channel="web").count() == 1


def test_the_token_endpoint_locks_out_too(client, caseworker):
    for _attempt in range(4):
        response = client.post("/api/auth/token/", {"username": "caseworker", "password": "wrong"})
        assert response.status_code == 400
    assert client.post("/api/auth/token/", {"username": "caseworker", "password": "wrong"}).status_code == 429
    locked = client.post("/api/auth/token/", {"username": "caseworker", "password": PASSWORD})
    assert locked.status_code == 429
    assert "locked from this address for 15 minutes" in locked.json()["detail"]
    assert LoginEvent.objects.filter(username="caseworker", kind="failed", channel="api").count() == 6


def test_the_token_endpoint_is_throttled(client, caseworker):
    statuses = [
        client.post("/api/auth/token/", {"username": f"nobody{n}", "password": "x"}).status_code for n in range(12)
    ]
    assert statuses[:10] == [400] * 10 and statuses[-1] == 429


def test_coordinators_read_the_logins_in_the_audit_log(client, caseworker, coordinator):
    web_login(client, "caseworker", "wrong")
    client.force_login(coordinator)
    page = client.get("/coordination/audit/?view=logins").content.decode()
    assert "Wrong username or password" in page and "caseworker" in page
    rows = client.get("/api/audit/logins/?kind=failed").json()["results"]
    assert [row["username"] for row in rows] == ["caseworker"]
    assert client.get("/api/audit/logins/?kind=nope").status_code == 400
    client.force_login(caseworker)
    assert client.get("/api/audit/logins/").status_code == 403
