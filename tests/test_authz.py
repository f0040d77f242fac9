"""Who may see what: reps their own records, trainers their team, admins everything."""

import io

from tests import factories


def _upload_as(app, api_client, user, text=factories.CHAT):
    client, headers = api_client(user)
    form = {"file": (io.BytesIO(text.encode()), "v.txt")}
    resp = client.post("/api/v1/activities", data=form, headers=headers)
    assert resp.status_code == 202
    return resp.json["id"]


def test_rep_cannot_read_other_reps_record(app, api_client, rep, other_rep):
    rid = _upload_as(app, api_client, other_rep)
    client, headers = api_client(rep)
    resp = client.get(f"/api/v1/activities/{rid}", headers=headers)
    assert resp.status_code == 404 and resp.json["error"] == "not_found"


def test_rep_cannot_list_other_reps_records(app, api_client, rep, other_rep):
    _upload_as(app, api_client, other_rep)
    mine = _upload_as(app, api_client, rep, factories.CHAT + "客户：好的\n")
    client, headers = api_client(rep)
    body = client.get("/api/v1/activities", headers=headers).json
    assert [i["id"] for i in body["items"]] == [mine]
    body = client.get(f"/api/v1/activities?rep_id={other_rep.id}", headers=headers).json
    assert body["total"] == 0


def test_rep_cannot_open_other_reps_record_page(app, login, rep, other_rep, api_client):
    rid = _upload_as(app, api_client, other_rep)
    assert login(rep).get(f"/activities/{rid}").status_code == 404
    assert login(other_rep).get(f"/activities/{rid}").status_code == 200


def test_trainer_sees_own_team_only(app, api_client, session, rep, trainer):
    outsider = factories.make_user(session, "rep", factories.make_team(session))
    team_rid = _upload_as(app, api_client, rep)
    other_rid = _upload_as(app, api_client, outsider)
    client, headers = api_client(trainer)
    assert client.get(f"/api/v1/activities/{team_rid}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/activities/{other_rid}", headers=headers).status_code == 404
    assert [i["id"] for i in client.get("/api/v1/activities", headers=headers).json["items"]] == [team_rid]


def test_admin_sees_everything(app, api_client, rep, other_rep, admin):
    ids = {
        _upload_as(app, api_client, rep),
        _upload_as(app, api_client, other_rep, factories.CHAT + "客户：嗯\n"),
    }
    client, headers = api_client(admin)
    assert {i["id"] for i in client.get("/api/v1/activities", headers=headers).json["items"]} == ids


def test_api_requires_authentication(client):
    resp = client.get("/api/v1/activities")
    assert resp.status_code == 401 and resp.json["error"] == "unauthorized"
    resp = client.get("/api/v1/activities", headers={"Authorization": "Bearer cs_forged"})
    assert resp.status_code == 401


def test_pages_redirect_to_login(client):
    resp = client.get("/activities")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_token_exchange(client, rep):
    bad = client.post("/api/v1/tokens", json={"username": rep.username, "password": "wrong"})
    assert bad.status_code == 401 and bad.json["error"] == "invalid_credentials"
    good = client.post("/api/v1/tokens", json={"username": rep.username, "password": factories.PASSWORD})
    assert good.status_code == 201
    me = client.get("/api/v1/activities", headers={"Authorization": f"Bearer {good.json['token']}"})
    assert me.status_code == 200


def test_session_api_calls_need_the_csrf_token(app, login, rep):
    app.config["WTF_CSRF_ENABLED"] = True
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    c.post("/login", data={"username": rep.username, "password": factories.PASSWORD, "csrf_token": token})
    form = {"file": (io.BytesIO(factories.CHAT.encode()), "v.txt")}
    resp = c.post("/api/v1/activities", data=form)
    assert resp.status_code == 400 and resp.json["error"] == "csrf_failed"
    form = {"file": (io.BytesIO(factories.CHAT.encode()), "v.txt")}
    resp = c.post("/api/v1/activities", data=form, headers={"X-CSRFToken": token})
    assert resp.status_code == 202


def test_login_is_rate_limited(app, rep):
    from coachsvc import create_app

    limited = create_app({**app.config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "5 per minute"})
    client = limited.test_client()
    codes = [
        client.post("/login", data={"username": rep.username, "password": "x"}).status_code for _ in range(7)
    ]
    limited.extensions["coachsvc.db"].engine.dispose()  # its pooled connection must not outlive the test
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
