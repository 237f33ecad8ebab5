"""The playground: a local page where every number is editable and the engine answers.

``serve()`` starts the server (``python -m viz.playground`` does it from the command
line); Tab 1 steps through backpropagation in a small net with every input, target,
weight and bias editable, Tab 2 trains a net on a toy data set live.
"""

from __future__ import annotations

import ipaddress
import threading
import warnings
import webbrowser
from types import TracebackType

from engine import checks
from viz.playground.server import PlaygroundServer

LOOPBACK = "127.0.0.1"


class Playground:
    """A running playground: ``.url`` (token included) and ``.close()``; a context manager."""

    def __init__(self, server: PlaygroundServer, host: str) -> None:
        self._server = server
        shown = LOOPBACK if host in ("", "0.0.0.0") else host
        shown = f"[{shown}]" if ":" in shown else shown
        self.port: int = server.server_address[1]
        self.url = f"http://{shown}:{self.port}/{server.token}/"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop every training thread and the server; returns within about a second."""
        self._server.sessions.close()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(1.0)

    def _repr_html_(self) -> str:
        style = "width: 100%; height: 760px; border: 1px solid #ccc"
        return f'<iframe src="{self.url}" style="{style}"></iframe>'

    def __enter__(self) -> Playground:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Playground({self.url!r})"


def serve(host: str = LOOPBACK, port: int = 0, open_browser: bool = False) -> Playground:
    """Start the playground on host:port (0: a free port) and return it; the browser opens if asked."""
    if not isinstance(host, str) or not host:
        raise ValueError(f"serve: host must be a host name or address, got {host!r}")
    port = checks.count(port, "serve: port", least=0, most=65535)
    if not _loopback(host):
        warnings.warn(
            f"serve: listening on {host}, not only this machine: anyone who can reach it and "
            f"learns the token can use the playground",
            stacklevel=2,
        )
    playground = Playground(PlaygroundServer(host, port), host)
    if open_browser:
        webbrowser.open(playground.url)
    return playground


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


__all__ = ["Playground", "serve"]
