"""A small HTTP client for the playground tests: raw requests, any method, header and body."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit


def request(url, path="", method="GET", body=None, content_type="application/json", headers=None):
    """(status, headers, decoded JSON or text) of one request to the playground at url."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    sent = dict(headers or {})
    if body is not None:
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        sent.setdefault("Content-Type", content_type)
    try:
        conn.request(method, parts.path + path, body=body, headers=sent)
        response = conn.getresponse()
        raw = response.read().decode("utf-8")
        kind = response.getheader("Content-Type", "")
        data = json.loads(raw) if kind.startswith("application/json") else raw
        return response.status, dict(response.getheaders()), data
    finally:
        conn.close()


def post(url, path, body):
    """The JSON answer of a POST that must succeed."""
    status, _, data = request(url, path, "POST", body)
    assert status == 200, data
    return data
