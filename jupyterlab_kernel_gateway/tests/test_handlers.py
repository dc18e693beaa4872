"""The session store's REST API, on a real Jupyter Server."""

import asyncio
import json
from urllib.parse import quote

import pytest
from tornado.httpclient import HTTPClientError

GATEWAY = "http://gateway.example.org:8889/"


def session(path="a.ipynb", session_id="s-1", kernel_id="k-1"):
    return {
        "id": session_id,
        "backend": GATEWAY,
        "path": path,
        "name": path.split("/")[-1],
        "type": "notebook",
        "kernel": {"id": kernel_id, "name": "python3"},
    }


@pytest.fixture
def api(jp_fetch):
    async def call(method, *parts, body=None, **params):
        kwargs = {"method": method, "params": params}
        if body is not None:
            kwargs["body"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        elif method in ("POST", "PUT", "PATCH"):
            kwargs["body"] = ""
        response = await jp_fetch("kernel-gateway", *parts, **kwargs)
        text = response.body.decode()
        return response.code, json.loads(text) if text else None

    return call


async def refused(call):
    with pytest.raises(HTTPClientError) as error:
        await call
    body = json.loads(error.value.response.body)
    return error.value.code, body["message"]


async def test_store_info(api, database_path):
    status, info = await api("GET", "store")
    assert status == 200
    assert info == {"kind": "server", "location": str(database_path), "problem": None}


async def test_page_config_names_the_server_store(jp_serverapp):
    page_config = jp_serverapp.web_app.settings["page_config_data"]
    assert page_config["kernelGatewaySessionStore"] == "server"
    assert "kernelGatewaySessionStoreProblem" not in page_config


async def test_sessions_create_find_rename_delete(api):
    assert await api("POST", "sessions", body=session()) == (201, session())
    assert await api("GET", "sessions", backend=GATEWAY) == (200, [session()])
    assert await api("GET", "sessions", backend="local") == (200, [])
    assert await api("GET", "sessions", "s-1") == (200, session())

    status, renamed = await api(
        "PATCH", "sessions", "s-1", body={"path": "dir/b.ipynb", "name": "b.ipynb"}
    )
    assert status == 200
    assert renamed == {**session(), "path": "dir/b.ipynb", "name": "b.ipynb"}

    assert await api("DELETE", "sessions", "s-1") == (204, None)
    assert await refused(api("GET", "sessions", "s-1")) == (404, 'No session "s-1".')
    assert await refused(api("DELETE", "sessions", "s-1")) == (404, 'No session "s-1".')


async def test_a_notebook_gets_one_session_even_when_two_devices_race(api):
    """Creation is atomic: of many simultaneous creations for one notebook,
    one wins and every other device is answered with the winner."""

    async def create(index):
        try:
            return await api(
                "POST", "sessions", body=session(session_id=f"s-{index}", kernel_id=f"k-{index}")
            )
        except HTTPClientError as error:
            return error.code, json.loads(error.response.body)

    answers = await asyncio.gather(*(create(index) for index in range(6)))
    winners = [body for status, body in answers if status == 201]
    assert len(winners) == 1
    for status, body in answers:
        if status != 201:
            assert status == 409
            assert body["session"] == winners[0]
    assert (await api("GET", "sessions", backend=GATEWAY))[1] == winners


async def test_a_session_is_removed_for_a_gone_kernel_only_while_it_uses_it(api):
    await api("POST", "sessions", body=session())
    await api("PATCH", "sessions", "s-1", body={"kernel": {"id": "k-2", "name": "python3"}})
    # A device that saw k-1 gone must not remove the session now on k-2.
    with pytest.raises(HTTPClientError) as error:
        await api("DELETE", "sessions", "s-1", kernel="k-1")
    assert error.value.code == 409
    assert json.loads(error.value.response.body)["session"]["kernel"]["id"] == "k-2"
    assert await api("DELETE", "sessions", "s-1", kernel="k-2") == (204, None)


async def test_kernels_are_remembered_per_backend(api):
    body = {"backend": GATEWAY, "name": "python3", "started": 1700000000000}
    assert await api("PUT", "kernels", "k-1", body=body) == (201, {"id": "k-1", **body})
    assert (await api("PUT", "kernels", "k-1", body=body))[0] == 200
    assert await api("GET", "kernels", backend=GATEWAY) == (200, [{"id": "k-1", **body}])
    assert await api("GET", "kernels", backend="local") == (200, [])
    assert await refused(api("DELETE", "kernels", "k-1", backend="local")) == (
        404,
        'No kernel "k-1" on that backend.',
    )
    assert await api("DELETE", "kernels", "k-1", backend=GATEWAY) == (204, None)


@pytest.mark.parametrize(
    "body, reason",
    [
        ("{not json", "The body is not JSON"),
        ([1, 2], "The body must be a JSON object."),
        ({**session(), "token": "secret"}, 'Unknown field "token"'),
        ({k: v for k, v in session().items() if k != "path"}, 'Missing field "path".'),
        ({**session(), "path": "x" * 4097}, '"path" is longer than 4096 characters.'),
        ({**session(), "path": ""}, '"path" must not be empty.'),
        ({**session(), "name": 7}, '"name" must be text.'),
        ({**session(), "id": "../etc"}, '"id" must be an id'),
        ({**session(), "type": "note book"}, '"type" must be a short word'),
        ({**session(), "kernel": {"id": "k"}}, 'Missing field "name".'),
        (
            {**session(), "backend": "javascript:alert(1)"},
            '"backend" must be "local" or an http(s) URL.',
        ),
        ({**session(), "backend": GATEWAY + "?token=secret"}, "no token is ever stored"),
        ({**session(), "backend": "http://user:pw@gateway/"}, "no token is ever stored"),
    ],
)
async def test_malformed_sessions_are_refused_with_a_reason(api, body, reason):
    status, message = await refused(api("POST", "sessions", body=body))
    assert status == 400
    assert reason in message
    assert "\n" not in message
    assert (await api("GET", "sessions", backend=GATEWAY))[1] == []


async def test_other_refusals(api):
    assert (await refused(api("GET", "sessions")))[0] == 400  # no backend
    assert (await refused(api("PATCH", "sessions", "s-1", body={})))[1].startswith(
        "Nothing to change"
    )
    assert (await refused(api("PATCH", "sessions", "s-1", body={"path": "a"})))[0] == 404
    status, message = await refused(api("POST", "sessions", body={"id": "x" * 70000}))
    assert status == 413
    assert "larger than" in message
    bad_kernel = {"backend": GATEWAY, "name": "python3", "started": "yesterday"}
    assert (await refused(api("PUT", "kernels", "k-1", body=bad_kernel)))[0] == 400


async def test_a_rename_onto_a_notebook_with_another_kernel_is_refused(api):
    await api("POST", "sessions", body=session())
    await api("POST", "sessions", body=session(path="b.ipynb", session_id="s-2", kernel_id="k-2"))
    with pytest.raises(HTTPClientError) as error:
        await api("PATCH", "sessions", "s-1", body={"path": "b.ipynb"})
    assert error.value.code == 409
    assert json.loads(error.value.response.body)["session"]["id"] == "s-2"


async def test_requests_without_credentials_are_refused(
    jp_http_port, jp_base_url, http_server_client
):
    for method, path, body in [
        ("GET", "sessions?backend=local", None),
        ("POST", "sessions", json.dumps(session())),
        ("GET", "store", None),
    ]:
        with pytest.raises(HTTPClientError) as error:
            await http_server_client.fetch(
                f"{jp_base_url}kernel-gateway/{path}", method=method, body=body
            )
        assert error.value.code == 403


async def test_cookie_logins_need_the_xsrf_value(jp_serverapp, jp_base_url, http_server_client):
    """A browser logged in by cookie (not by token header) must send XSRF."""
    token = jp_serverapp.identity_provider.token
    login = await http_server_client.fetch(
        f"{jp_base_url}api/status?token={quote(token)}", method="GET"
    )
    cookies = "; ".join(value.split(";")[0] for value in login.headers.get_list("Set-Cookie"))
    assert "username-" in cookies
    # The cookie alone reads…
    listed = await http_server_client.fetch(
        f"{jp_base_url}kernel-gateway/sessions?backend=local", headers={"Cookie": cookies}
    )
    assert listed.code == 200
    # …but does not write without the XSRF value.
    with pytest.raises(HTTPClientError) as error:
        await http_server_client.fetch(
            f"{jp_base_url}kernel-gateway/sessions",
            method="POST",
            body=json.dumps(session()),
            headers={"Cookie": cookies},
        )
    assert error.value.code == 403


async def test_a_corrupt_store_is_reported_to_the_page(jp_configurable_serverapp, tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"garbage" * 200)
    app = jp_configurable_serverapp(
        config={
            "ServerApp": {"jpserver_extensions": {"jupyterlab_kernel_gateway": True}},
            "KernelGatewaySessionStore": {"database_path": str(path)},
        }
    )
    problem = app.web_app.settings["page_config_data"]["kernelGatewaySessionStoreProblem"]
    assert "set aside" in problem
    assert len(list(tmp_path.glob("broken.db.unreadable-*"))) == 1
