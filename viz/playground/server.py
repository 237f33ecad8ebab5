"""The playground's HTTP server: the standard library's ThreadingHTTPServer and the rules it keeps.

Every request must carry the token (the first path segment) and the server's own Host
(against DNS rebinding); state changes only by POST with a JSON body of at most 64 KiB;
a bad request gets a status and a JSON ``{"error": ...}`` naming what was wrong, never
a traceback, and the server goes on serving. No CORS header is ever sent.
"""

from __future__ import annotations

import hmac
import json
import secrets
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import urlsplit

from viz.playground import stepping
from viz.playground.fields import BadRequest, integer, only
from viz.playground.training import Session

MAX_BODY = 64 * 1024
DRAIN = 1024 * 1024  # a larger body is not read at all: the connection is closed on it
MAX_SESSIONS = 8  # one training thread each at most; the oldest session goes first
STATIC = {"playground.js": "text/javascript", "playground.css": "text/css"}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the token is in the address: never pass it on
    "Cache-Control": "no-store",
    # the page may talk to this server only: no other host, no inline script
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; base-uri 'none'; form-action 'none'",
}


def _static(name: str) -> bytes:
    return resources.files("viz.playground").joinpath(f"static/{name}").read_bytes()


class Sessions:
    """The pages' training sessions by id, at most MAX_SESSIONS (the oldest is stopped and dropped)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def new(self) -> str:
        """A new session's id; the oldest session is stopped and dropped beyond MAX_SESSIONS."""
        session = Session()
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._sessions[key] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)[1].stop()
        return key

    def get(self, body: Mapping[str, object]) -> Session:
        """The session a request names in its ``session`` field; BadRequest if there is none."""
        key = body.get("session")
        with self._lock:
            session = self._sessions.get(key) if isinstance(key, str) else None
        if session is None:
            raise BadRequest(f"session: unknown session {key!r}; reload the page")
        return session

    def close(self) -> None:
        """Stop every session's training and forget them all."""
        with self._lock:
            sessions = list(self._sessions.values())
            self._sessions.clear()
        for s in sessions:
            s.stop()


def _without_session(body: Mapping[str, object]) -> dict:
    return {k: v for k, v in body.items() if k != "session"}


def _control(sessions: Sessions, body: Mapping[str, object]) -> dict:
    only(body, ("session", "action"))
    action = body.get("action")
    if action not in ("start", "pause", "step", "epoch", "reset"):
        raise BadRequest(f"action: must be one of start, pause, step, epoch, reset, got {action!r}")
    session = sessions.get(body)
    session.control(str(action))
    return session.progress()


def _progress(sessions: Sessions, body: Mapping[str, object]) -> dict:
    only(body, ("session", "since"))
    since = integer(body.get("since", 0), "since", 0, 10**9)
    return sessions.get(body).progress(since)


def _configure(sessions: Sessions, body: Mapping[str, object]) -> dict:
    return sessions.get(body).configure(_without_session(body))


def _data(sessions: Sessions, body: Mapping[str, object]) -> dict:
    only(body, ("session",))
    return sessions.get(body).data()


def _to_step_through(sessions: Sessions, body: Mapping[str, object]) -> dict:
    only(body, ("session",))
    return stepping.step_answer(sessions.get(body).net_for_step_through())


def _new_session(sessions: Sessions, body: Mapping[str, object]) -> dict:
    only(body, ())
    return {"session": sessions.new()}


ROUTES: dict[str, Callable[[Sessions, Mapping[str, object]], dict]] = {
    "api/session": _new_session,
    "api/net": lambda sessions, body: stepping.step_answer(body),
    "api/train/config": _configure,
    "api/train/data": _data,
    "api/train/control": _control,
    "api/train/progress": _progress,
    "api/train/to-step-through": _to_step_through,
}


class PlaygroundServer(ThreadingHTTPServer):
    """The server with its token, the Host names it answers to, and its sessions."""

    daemon_threads = True  # close() does not wait for a browser's open connection
    block_on_close = False

    def __init__(self, host: str, port: int) -> None:
        super().__init__((host, port), Handler)
        self.token = secrets.token_urlsafe(24)
        self.sessions = Sessions()
        port = self.server_address[1]
        names = {"127.0.0.1", "localhost", host}
        self.hosts = {f"{name}:{port}" for name in names}


class Handler(BaseHTTPRequestHandler):
    """One request: the checks of the module docstring, then a page, a file or a JSON answer."""

    server: PlaygroundServer
    server_version = "playground"
    timeout = 10  # seconds a connection may stall (a body announced but not sent)
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass  # a local tool: no line per request on the user's terminal

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, data: object) -> None:
        body = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _route(self) -> str:
        """The path after the token; BadRequest (403) when the token or the Host is wrong."""
        if self.headers.get("Host", "") not in self.server.hosts:
            raise BadRequest("forbidden: the Host header must be this server's own address", 403)
        first, _, rest = urlsplit(self.path).path.lstrip("/").partition("/")
        if not hmac.compare_digest(first.encode(), self.server.token.encode()):
            raise BadRequest("forbidden: missing or wrong token (open the address printed)", 403)
        return rest

    def _answer(self, method: Callable[[], None]) -> None:
        try:
            method()
        except BadRequest as e:
            self.close_connection = True
            self._error(e.status, str(e))
        except Exception as e:  # never a traceback to the page; one line for the terminal
            print(
                f"playground: {self.path.split('?')[0][:40]}…: {type(e).__name__}: {e}",
                file=sys.stderr,
            )
            self._error(500, f"internal error: {type(e).__name__}")

    def do_GET(self) -> None:
        self._answer(self._get)

    def do_HEAD(self) -> None:
        self._answer(self._get)

    def do_POST(self) -> None:
        self._answer(self._post)

    def _other(self) -> None:
        self._answer(self._refuse)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _other

    def _refuse(self) -> None:
        self._route()
        raise BadRequest(f"method not allowed: {self.command}", 405)

    def _get(self) -> None:
        route = self._route()
        if route == "":
            self._send(200, _static("playground.html"), "text/html; charset=utf-8")
        elif route.startswith("static/") and route[7:] in STATIC:
            self._send(200, _static(route[7:]), STATIC[route[7:]] + "; charset=utf-8")
        elif route in ROUTES:
            raise BadRequest(f"method not allowed: {route} takes POST with a JSON body", 405)
        else:
            raise BadRequest(f"not found: /{route}", 404)

    def _post(self) -> None:
        route = self._route()
        if route not in ROUTES:
            raise BadRequest(
                f"not found: /{route}" if route else "method not allowed: POST",
                404 if route else 405,
            )
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise BadRequest(f"Content-Type must be application/json, got {kind or 'none'!r}", 415)
        if "Transfer-Encoding" in self.headers:
            raise BadRequest("Content-Length required: chunked bodies are not taken", 411)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise BadRequest("Content-Length required", 411) from None
        if length > MAX_BODY:
            if length <= DRAIN:  # read it, so the client is not cut off before it hears 413
                self.rfile.read(length)
            raise BadRequest(f"body too large: {length} bytes, at most {MAX_BODY}", 413)
        if length < 0:
            raise BadRequest("Content-Length must not be negative", 400)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
        except (UnicodeDecodeError, ValueError) as e:
            raise BadRequest(f"body: not valid JSON ({e})") from None
        except RecursionError:
            raise BadRequest("body: JSON nested too deeply") from None
        if not isinstance(body, dict):
            raise BadRequest(f"body: must be a JSON object, got {type(body).__name__}")
        self._json(200, ROUTES[route](self.server.sessions, body))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")
