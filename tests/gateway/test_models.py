"""Request and response values: case-insensitive multi-valued headers, and reprs that never show
a credential (a request logged by mistake must not leak a token)."""

from __future__ import annotations

from proxy.http._models import Headers, HttpRequest, HttpResponse


def test_headers_from_a_mapping_or_pairs_keep_order_and_case() -> None:
    from_mapping = Headers({"Accept": "a", "X-Two": "2"})
    from_pairs = Headers([("Accept", "a"), ("X-Two", "2")])

    assert list(from_mapping) == [("Accept", "a"), ("X-Two", "2")]
    assert from_mapping == from_pairs
    assert hash(from_mapping) == hash(from_pairs)
    assert len(from_mapping) == 2


def test_headers_compare_by_their_exact_items() -> None:
    assert Headers([("A", "1")]) != Headers([("a", "1")])
    assert Headers([("A", "1")]) != Headers([("A", "2")])
    assert Headers([("A", "1")]) != [("A", "1")]
    assert hash(Headers([("A", "1")])) != hash(Headers([("A", "2")]))


def test_lookups_ignore_case_and_see_every_value() -> None:
    headers = Headers([("Set-Cookie", "a=1"), ("X", "x"), ("set-cookie", "b=2")])

    assert headers.get("SET-COOKIE") == "a=1"
    assert headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    assert headers.get_all("missing") == []
    assert headers.get("missing", "default") == "default"
    assert "x" in headers and "y" not in headers and 1 not in headers


def test_the_repr_masks_credentials_in_any_case_and_shows_the_rest() -> None:
    headers = Headers(
        [
            ("Authorization", "Bearer secret-1"),
            ("PROXY-AUTHORIZATION", "Basic secret-2"),
            ("cookie", "session=secret-3"),
            ("Set-Cookie", "id=secret-4"),
            ("X-Trace-Id", "trace-7"),
        ]
    )

    assert repr(headers) == (
        "Headers([('Authorization', '[masked]'), ('PROXY-AUTHORIZATION', '[masked]'), "
        "('cookie', '[masked]'), ('Set-Cookie', '[masked]'), ('X-Trace-Id', 'trace-7')])"
    )
    request = HttpRequest("GET", "/x", None, headers, body=b"secret-body")
    assert "secret" not in repr(request)


def test_a_json_response_of_our_own_comes_first_with_its_content_type() -> None:
    response = HttpResponse.json(418, {"b": 1, "a": [True, None]}, [("X-Psoxy-Error", "E")])

    assert response.status == 418
    assert list(response.headers) == [("Content-Type", "application/json"), ("X-Psoxy-Error", "E")]
    assert response.body == b'{"b":1,"a":[true,null]}'
    extended = response.with_headers([("Retry-After", "3")])
    assert list(extended.headers)[-1] == ("Retry-After", "3")
    assert (extended.status, extended.body) == (418, response.body)
