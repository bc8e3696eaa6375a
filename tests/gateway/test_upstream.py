"""The proxy's only data egress: `TARGET_HOST` parsing, the request on the wire, the response
size cap, redirects, timeouts, and what each transport failure becomes."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import orjson
import pytest

from proxy.errors import (
    ConfigurationError,
    ResponseTooLarge,
    UpstreamTimeout,
)
from proxy.gateway._outbound import OutboundRequest
from proxy.gateway._runtime import salt_sha256
from proxy.gateway._upstream import Upstream, UpstreamTarget, is_loopback_host, timeouts_for
from proxy.http._models import HttpRequest
from proxy.secret_value import Secret
from support.gateway_rig import build_gateway
from support.recording_upstream import ReceivedRequest, recording_upstream

SPACES = "/ex/confluence/c1/wiki/api/v2/spaces"


# --- TARGET_HOST --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("api.atlassian.com", UpstreamTarget("https", "api.atlassian.com", "")),
        ("  api.atlassian.com  ", UpstreamTarget("https", "api.atlassian.com", "")),
        ("https://api.atlassian.com/", UpstreamTarget("https", "api.atlassian.com", "")),
        (
            "https://gw.example.com:8443/base/",
            UpstreamTarget("https", "gw.example.com:8443", "/base"),
        ),
        ("https://gw.example.com/a/b//", UpstreamTarget("https", "gw.example.com", "/a/b")),
        ("https://gw.example.com/baseX/", UpstreamTarget("https", "gw.example.com", "/baseX")),
        ("http://localhost:8080", UpstreamTarget("http", "localhost:8080", "")),
        ("http://127.0.0.2:9", UpstreamTarget("http", "127.0.0.2:9", "")),
        ("http://[::1]:9000/sim", UpstreamTarget("http", "[::1]:9000", "/sim")),
    ],
)
def test_target_host_forms(value: str, expected: UpstreamTarget) -> None:
    assert UpstreamTarget.parse(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "UPSTREAM is not set"),
        ("", "UPSTREAM is not set"),
        ("   ", "UPSTREAM is not set"),
        ("ftp://files.example.com", "UPSTREAM must be a host name or an https:// URL"),
        ("https://", "UPSTREAM must be a host name or an https:// URL"),
        ("http://api.atlassian.com", "UPSTREAM must use https (http only for loopback hosts)"),
        ("http://10.0.0.1", "UPSTREAM must use https (http only for loopback hosts)"),
        ("https://api.atlassian.com/?x=1", "UPSTREAM must not carry a query, fragment or user"),
        ("https://api.atlassian.com/#top", "UPSTREAM must not carry a query, fragment or user"),
        ("https://me@api.atlassian.com", "UPSTREAM must not carry a query, fragment or user"),
    ],
)
def test_target_host_errors_name_the_setting(value: str | None, message: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        UpstreamTarget.parse(value, setting="UPSTREAM")
    assert error.value.message == message


def test_the_setting_named_by_default_is_target_host() -> None:
    with pytest.raises(ConfigurationError, match=r"^TARGET_HOST is not set$"):
        UpstreamTarget.parse(None)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("LocalHost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost.example.com", False),
        ("10.0.0.1", False),
        ("api.atlassian.com", False),
        ("[2001:db8::1]", False),
        ("X127.0.0.1X", False),
    ],
)
def test_only_loopback_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# --- timeouts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "connect", "read"),
    [(180, 30.0, 150.0), (100, 30.0, 70.0), (75, 30.0, 60.0), (45, 30.0, 45.0), (20, 20.0, 20.0)],
)
def test_the_request_timeout_is_split_as_the_reference_does(
    total: float, connect: float, read: float
) -> None:
    assert timeouts_for(total) == httpx.Timeout(read, connect=connect)


def test_without_a_setting_a_call_may_take_180_seconds() -> None:
    seen: list[dict[str, float]] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    client = httpx.Client(transport=httpx.MockTransport(upstream), timeout=1.0)
    Upstream(client, UpstreamTarget.parse("api.atlassian.com")).send(OutboundRequest("GET", SPACES))

    assert seen == [{"connect": 30.0, "read": 150.0, "write": 150.0, "pool": 150.0}]


class SilentServer:
    """Accepts connections and never answers; hangs up after 5 s (so a client without a
    timeout fails instead of waiting forever)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._connections: list[socket.socket] = []
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        self._socket.settimeout(0.05)
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self._connections.append(connection)
            hang_up = threading.Timer(5.0, connection.close)
            hang_up.daemon = True
            hang_up.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self._connections:
            connection.close()
        self._socket.close()


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_an_upstream_that_never_answers_is_a_read_timeout_of_the_configured_length(
    silent_server: SilentServer,
) -> None:
    # no client timeout: only the Upstream's own applies
    with httpx.Client(timeout=None) as client:  # noqa: S113
        upstream = Upstream(
            client, UpstreamTarget.parse(silent_server.url), timeout=httpx.Timeout(0.3)
        )
        with pytest.raises(UpstreamTimeout) as error:
            upstream.send(OutboundRequest("GET", SPACES))
    assert (error.value.status, error.value.code) == (504, "SOURCE_API_READ_TIMEOUT")
    assert error.value.message == "source API read timeout: no response within 0.3 seconds"


# --- the request on the wire --------------------------------------------------------------------


def answer_ok(request: ReceivedRequest) -> tuple[int, bytes]:
    return 200, b'{"results":[]}'


def test_the_request_line_and_headers_on_the_wire() -> None:
    with recording_upstream(answer_ok) as server, httpx.Client() as client:
        upstream = Upstream(
            client, UpstreamTarget.parse(server.base_url + "/base"), user_agent="psoxy-test/1"
        )
        response = upstream.send(
            OutboundRequest(
                "POST",
                "/ex/confluence/c1/wiki/api/v2/users-bulk",
                "a=%2F&b",
                [("Authorization", "Bearer t"), ("Content-Type", "application/json")],
                b'{"accountIds":["x"]}',
            )
        )
        (received,) = server.received()

    assert (response.status, response.body) == (200, b'{"results":[]}')
    assert received.method == "POST"
    assert received.target == "/base/ex/confluence/c1/wiki/api/v2/users-bulk?a=%2F&b"
    host = server.base_url.removeprefix("http://")
    assert [(k, v) for k, v in received.headers if k.lower() != "connection"] == [
        ("Host", host),
        ("Accept", "application/json"),
        ("Accept-Encoding", "gzip"),
        ("User-Agent", "psoxy-test/1 (gzip)"),
        ("Authorization", "Bearer t"),
        ("Content-Type", "application/json"),
        ("Content-Length", "20"),
    ]


def test_the_raw_target_is_sent_byte_for_byte_and_a_missing_query_adds_no_question_mark() -> None:
    with recording_upstream(answer_ok) as server, httpx.Client() as client:
        upstream = Upstream(client, UpstreamTarget.parse(server.base_url))
        upstream.send(OutboundRequest("GET", "/a/%7Eb/c%3Ad"))
        upstream.send(OutboundRequest("GET", "/a", ""))
        first, second = server.received()

    assert first.target == "/a/%7Eb/c%3Ad"
    assert "content-length" not in first.names  # no body, no length
    assert second.target == "/a?"


def test_a_redirect_is_returned_not_followed() -> None:
    seen: list[str] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.host))
        return httpx.Response(302, headers={"Location": "https://evil.example/steal"})

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert (response.status, response.headers.get("X-Psoxy-Error")) == (302, "API_ERROR")
    assert seen == ["api.atlassian.com"]
    assert response.headers.get("location") is None


def test_a_redirect_is_not_followed_even_by_a_client_configured_to_follow() -> None:
    seen: list[str] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(307, headers={"Location": "https://evil.example/steal"})

    client = httpx.Client(transport=httpx.MockTransport(upstream), follow_redirects=True)
    response = Upstream(client, UpstreamTarget.parse("api.atlassian.com")).send(
        OutboundRequest("GET", SPACES, None, [("Authorization", "Bearer t")])
    )

    assert response.status == 307
    assert seen == ["https://api.atlassian.com/"]


# --- response size cap --------------------------------------------------------------------------


def chunked(*chunks: bytes) -> Upstream:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter(chunks))

    client = httpx.Client(transport=httpx.MockTransport(upstream))
    return Upstream(client, UpstreamTarget.parse("api.atlassian.com"), max_body_bytes=10)


def test_a_body_of_exactly_the_cap_is_read_whole_across_chunks() -> None:
    response = chunked(b"1234", b"5678", b"90").send(OutboundRequest("GET", SPACES))
    assert response.body == b"1234567890"


@pytest.mark.parametrize("chunks", [(b"12345678901",), (b"123456", b"78901"), (b"1",) * 11])
def test_one_byte_over_the_cap_is_refused(chunks: tuple[bytes, ...]) -> None:
    with pytest.raises(ResponseTooLarge) as error:
        chunked(*chunks).send(OutboundRequest("GET", SPACES))
    assert error.value.message == (
        "the source API response is larger than the 10 bytes this function's memory allows; "
        "request fewer items per page: lower the `limit` query parameter "
        "(or give the function more memory)"
    )


# --- transport failures, as the caller sees them ------------------------------------------------


@pytest.mark.parametrize(
    ("error", "status", "code", "body"),
    [
        (
            httpx.ConnectError("refused"),
            503,
            "CONNECTION_TO_SOURCE",
            b"could not connect to the source API",
        ),
        (
            httpx.ConnectTimeout("slow"),
            503,
            "CONNECTION_TO_SOURCE",
            b"timed out connecting to the source API",
        ),
        (
            httpx.ReadTimeout("slow"),
            504,
            "SOURCE_API_READ_TIMEOUT",
            b"source API read timeout: no response within 150 seconds",
        ),
        (
            httpx.DecodingError("bad gzip"),
            502,
            "SOURCE_API_RESPONSE_INVALID",
            b"source API response could not be decoded",
        ),
        (
            httpx.RemoteProtocolError("bad"),
            502,
            "CONNECTION_TO_SOURCE",
            b"error communicating with the source API",
        ),
    ],
)
def test_each_transport_failure_has_its_status_code_and_message(
    error: Exception, status: int, code: str, body: bytes
) -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        raise error

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
        status,
        code,
        body,
    )


class _CutOff(httpx.SyncByteStream):
    """A body whose connection is lost after its first bytes."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"results": ['
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def test_a_connection_lost_in_the_middle_of_the_body_is_a_502_not_a_timeout() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "application/json"}, stream=_CutOff())

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert (response.status, response.headers.get("X-Psoxy-Error"), response.body) == (
        502,
        "CONNECTION_TO_SOURCE",
        b"error communicating with the source API",
    )


# --- the salt hash the responses and the health check carry -------------------------------------


def test_the_salt_hash_is_url_safe_base64_without_padding() -> None:
    # sha256 of this salt + the constant is `oEAwjHqTnZMLOY+n6cARYkOcF0V3ekb+9/BuPKUtaIk=`
    assert salt_sha256(Secret("salt-1")) == "oEAwjHqTnZMLOY.n6cARYkOcF0V3ekb.9_BuPKUtaIk"


def test_an_upstream_error_body_never_reaches_the_caller() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"message": "internal error for alice@example.com"})

    response = build_gateway(upstream).handle(HttpRequest("GET", SPACES))

    assert orjson.loads(response.body) == {
        "error": "API_ERROR",
        "status": 500,
        "hint": "Atlassian had an error; retry later.",
    }
