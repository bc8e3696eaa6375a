from __future__ import annotations

import httpx

from proxy.simulator import AtlassianSimulator, RouteTable, SimRequest, SimResponse, SimulatorServer


def echo(request: SimRequest) -> SimResponse:
    return SimResponse.json(
        200,
        {"path": request.path, "query": request.query, "params": dict(request.params)},
        headers={"X-Echo": "1"},
    )


def test_routes_get_the_raw_path_query_and_named_groups(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    simulator.routes.add("GET", r"/ex/confluence/(?P<cloud_id>[^/]+)/wiki/.*", echo)

    response = http.send(
        http.build_request(
            "GET", "/", extensions={"target": b"/ex/confluence/c%2F1/wiki/a/../b?cql=a%3Db;x"}
        )
    )

    assert response.status_code == 200
    assert response.headers["x-echo"] == "1"
    assert response.json() == {
        "path": "/ex/confluence/c%2F1/wiki/a/../b",
        "query": "cql=a%3Db;x",
        "params": {"cloud_id": "c%2F1"},
    }


def test_every_request_is_recorded_and_served_as_state(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    simulator.routes.add("GET", r"/ping", echo)
    http.get("/ping?a=1")
    http.post("/nowhere")

    state = http.get("/_simulator/state").json()

    assert state == {
        "token_exchanges": 0,
        "revoked_families": 0,
        "requests": [
            {"method": "GET", "path": "/ping", "query": "a=1"},
            {"method": "POST", "path": "/nowhere", "query": ""},
        ],
    }


def test_unknown_path_is_404_and_wrong_method_is_405(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    simulator.routes.add("GET", r"/ping", echo)

    assert http.get("/missing").status_code == 404
    assert http.delete("/ping").status_code == 405
    assert http.get("/_simulator/nothing").status_code == 404


def test_a_route_added_first_overrides_and_can_be_removed(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    fault = simulator.routes.add(
        "*", r"/oauth/token", lambda request: SimResponse.json(503, {"fault": True}), first=True
    )
    assert http.post("/oauth/token").status_code == 503

    simulator.routes.remove(fault)

    assert http.post("/oauth/token", data={}).status_code == 401


def test_handlers_may_return_plain_tuples(
    simulator: AtlassianSimulator, http: httpx.Client
) -> None:
    simulator.routes.add("GET", r"/plain", lambda request: (204, {}, b""))

    assert http.get("/plain").status_code == 204


def test_a_failing_handler_answers_500(simulator: AtlassianSimulator, http: httpx.Client) -> None:
    def broken(request: SimRequest) -> SimResponse:
        raise ValueError("boom")

    simulator.routes.add("GET", r"/broken", broken)

    response = http.get("/broken")

    assert (response.status_code, response.json()) == (500, {"error": "simulator handler failed"})


def test_plain_server_binds_loopback_on_a_free_port() -> None:
    routes = RouteTable()
    routes.add("GET", r"/", lambda request: SimResponse.json(200, {"ok": True}))

    with SimulatorServer(routes) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert httpx.get(server.base_url + "/").json() == {"ok": True}
        assert server.requests()[0].path == "/"
        server.clear_requests()
        assert server.requests() == []
