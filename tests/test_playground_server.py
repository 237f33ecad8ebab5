"""The playground's server and its safety rules, over real HTTP: status and message for each rule."""

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ROOT
from playground_client import post, request

from viz import playground
from viz.playground import server


@pytest.fixture(scope="module")
def pg():
    with playground.serve() as p:
        yield p


def _error(response):
    status, _, data = response
    return status, data["error"]


def test_url_is_loopback_with_a_token_and_the_page_loads(pg):
    parts = urlsplit(pg.url)
    assert parts.hostname == "127.0.0.1" and parts.port == pg.port
    assert len(parts.path.strip("/")) >= 32  # the token: a path segment
    status, headers, page = request(pg.url)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<link rel="icon"' in page
    assert 'src="static/playground.js"' in page and 'href="static/playground.css"' in page
    assert "http" not in page  # no CDN: every file comes from this server
    for name, kind in server.STATIC.items():
        status, headers, text = request(pg.url, f"static/{name}")
        assert status == 200 and headers["Content-Type"].startswith(kind) and text


def test_no_cors_headers_and_no_token_leak_by_referrer(pg):
    for response in (request(pg.url), request(pg.url, "api/session", "POST", {})):
        headers = {k.lower(): v for k, v in response[1].items()}
        assert not any(k.startswith("access-control-") for k in headers)
        assert headers["referrer-policy"] == "no-referrer"
    status, headers, _ = request(
        pg.url, "api/session", "OPTIONS", headers={"Origin": "http://evil.example"}
    )
    assert status == 405 and not any(k.lower().startswith("access-control-") for k in headers)


@pytest.mark.parametrize("token", ["", "wrong-token", "x" * 32])
def test_a_missing_or_wrong_token_is_403_not_a_redirect(pg, token):
    base = pg.url.rsplit("/", 2)[0] + "/"
    for path, method, body in ((token + "/", "GET", None), (token + "/api/net", "POST", {})):
        status, headers, data = request(base, path, method, body)
        assert status == 403 and "Location" not in headers
        assert data["error"] == "forbidden: missing or wrong token (open the address printed)"


def test_the_token_in_a_query_string_is_not_enough(pg):
    base, token = pg.url.rsplit("/", 2)[0] + "/", pg.url.rsplit("/", 2)[1]
    assert _error(request(base, f"?token={token}"))[0] == 403


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", ""])
def test_a_foreign_host_header_is_403(pg, host):
    status, message = _error(request(pg.url, headers={"Host": host.format(port=pg.port)}))
    assert status == 403
    assert message == "forbidden: the Host header must be this server's own address"


def test_localhost_is_the_servers_own_host(pg):
    assert request(pg.url, headers={"Host": f"localhost:{pg.port}"})[0] == 200


@pytest.mark.parametrize(
    "kind", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_cross_site_form_post_is_415(pg, kind):
    status, message = _error(request(pg.url, "api/net", "POST", "{}", content_type=kind))
    assert status == 415
    assert message == f"Content-Type must be application/json, got {kind!r}"


def test_state_changes_only_by_post(pg):
    for method in ("GET", "PUT", "DELETE"):
        status, message = _error(request(pg.url, "api/session", method))
        assert status == 405 and message.startswith("method not allowed")


def test_a_body_over_64_kib_is_413(pg):
    body = json.dumps({"x": [0.5] * 20000})
    assert len(body) > 64 * 1024
    status, message = _error(request(pg.url, "api/net", "POST", body))
    assert status == 413
    assert message == f"body too large: {len(body)} bytes, at most 65536"


@pytest.mark.parametrize(
    "path, body, message",
    [
        ("api/net", "{", "body: not valid JSON"),
        ("api/net", '{"x": NaN}', "body: not valid JSON (NaN is not a number JSON allows"),
        ("api/net", "[1, 2]", "body: must be a JSON object, got list"),
        ("api/net", "[" * 30000, "body: JSON nested too deeply"),
        ("api/net", '{"seed": 1' + "0" * 5000 + "}", "body: not valid JSON (Exceeds the limit"),
        ("api/net", '{"colour": 1}', "colour: unknown field"),
        ("api/net", '{"sizes": [2, 9, 2]}', "sizes[1]: must be an integer from 1 to 8, got 9"),
        ("api/net", '{"sizes": [2, 3, 3, 3, 2]}', "sizes: must be a list of 2 to 4 entries"),
        ("api/net", '{"x": [1e400, 0]}', "x[0]: must be a number in [-1000, 1000], got inf"),
        ("api/net", '{"x": [1e9, 0]}', "x[0]: must be a number in [-1000, 1000], got 1000000000.0"),
        ("api/net", '{"y": [1, 0, 0]}', "y: must be a list of 2 entries"),
        ("api/net", '{"seed": -1}', "seed: must be an integer from 0 to"),
        ("api/net", '{"activations": ["softmax", "sigmoid"]}', "activations[0]: must be one of"),
        ("api/net", '{"cost": "hinge"}', "cost: must be one of quadratic, cross_entropy"),
        ("api/net", '{"cost": "log_likelihood"}', "cost: the log_likelihood cost needs"),
        (
            "api/net",
            '{"weights": [[[0, 0], [2000, 0], [0, 0]], [[0, 0, 0], [0, 0, 0]]]}',
            "w^2_10: must be a number in [-1000, 1000], got 2000",
        ),
        ("api/net", '{"biases": [[0, 0, "1"], [0, 0]]}', "b^2_2: must be a number"),
        ("api/train/progress", '{"session": "nope"}', "session: unknown session 'nope'"),
        ("api/train/control", '{"session": "nope", "action": "fly"}', "action: must be one of"),
        ("api/train/data", '{"session": "nope", "page": 2}', "page: unknown field"),
        ("api/session", '{"user": "me"}', "user: unknown field; none are taken"),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_bad_requests_are_400_naming_the_field(pg, path, body, message):
    status, error = _error(request(pg.url, path, "POST", body))
    assert status == 400 and error.startswith(message), error
    assert "Traceback" not in error
    assert request(pg.url)[0] == 200  # and the server keeps serving


@pytest.mark.parametrize(
    "body, message",
    [
        ({"points": 100000}, "points: must be an integer from 10 to 1000, got 100000"),
        ({"hidden": [8, 8, 8]}, "hidden: must be a list of 0 to 2 entries"),
        ({"hidden": [20]}, "hidden[0]: must be an integer from 1 to 8, got 20"),
        ({"noise": -1}, "noise: must be a number in [0, 1], got -1"),
        ({"lr": 0}, "lr: must be a number in (0, 100], got 0"),
        ({"dataset": "mnist"}, "dataset: must be one of moons, circles, xor, spiral"),
        ({"batch_size": 0}, "batch_size: must be an integer from 1 to 300, got 0"),
        ({"l2": 100, "lr": 3}, "l2: η·λ/n = 3.0·100.0/225 ≥ 1 would flip"),
        ({"activations": ["tanh", "tanh", "softmax"]}, "activations: softmax needs 2 outputs"),
    ],
)
def test_bad_training_settings_are_400_naming_the_field(pg, body, message):
    session = post(pg.url, "api/session", {})["session"]
    status, error = _error(
        request(pg.url, "api/train/config", "POST", {"session": session, **body})
    )
    assert status == 400 and error.startswith(message), error
    # the session is as it was: a refused configuration changes nothing
    assert post(pg.url, "api/train/data", {"session": session})["config"]["dataset"] == "moons"


def test_an_internal_error_is_500_without_a_traceback_and_serving_goes_on(pg, monkeypatch, capsys):
    def broken(sessions, body):
        raise RuntimeError("something deep went wrong")

    monkeypatch.setitem(server.ROUTES, "api/net", broken)
    status, error = _error(request(pg.url, "api/net", "POST", {}))
    assert (status, error) == (500, "internal error: RuntimeError")
    assert "Traceback" not in capsys.readouterr().err
    assert request(pg.url)[0] == 200


def test_close_stops_training_threads_and_the_server_within_a_second():
    pg = playground.serve()
    sessions = [post(pg.url, "api/session", {})["session"] for _ in range(3)]
    for s in sessions:
        post(pg.url, "api/train/control", {"session": s, "action": "start"})
    assert threading.active_count() >= 4
    start = time.perf_counter()
    pg.close()
    assert time.perf_counter() - start < 1.0
    time.sleep(0.05)
    assert not [t for t in threading.enumerate() if t.name.startswith("playground")]
    with pytest.raises(OSError):
        request(pg.url)


def test_sessions_are_bounded_and_the_oldest_is_stopped(pg):
    first = post(pg.url, "api/session", {})["session"]
    post(pg.url, "api/train/control", {"session": first, "action": "start"})
    for _ in range(server.MAX_SESSIONS):
        post(pg.url, "api/session", {})
    status, error = _error(request(pg.url, "api/train/progress", "POST", {"session": first}))
    assert status == 400 and error.startswith("session: unknown session")
    assert len([t for t in threading.enumerate() if t.name.startswith("playground")]) == 0


def test_serving_another_host_warns():
    with pytest.warns(UserWarning, match="listening on 0.0.0.0, not only this machine"):
        p = playground.serve(host="0.0.0.0")
    p.close()
    assert p.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "port, error, message",
    [
        (-1, ValueError, "serve: port must be from 0 to 65535, got -1"),
        (70000, ValueError, "serve: port must be from 0 to 65535, got 70000"),
        ("80", TypeError, "serve: port must be an integer, got str"),
        (True, TypeError, "serve: port must be an integer, got bool"),
    ],
)
def test_serve_refuses_a_bad_port(port, error, message):
    with pytest.raises(error, match=message):
        playground.serve(port=port)


def test_no_eval_or_exec_in_the_playground():
    for path in Path(playground.__file__).parent.rglob("*.py"):
        text = path.read_text()
        assert "eval(" not in text and "exec(" not in text, path
    js = (Path(playground.__file__).parent / "static" / "playground.js").read_text()
    assert "eval(" not in js and "new Function" not in js and "innerHTML" not in js


@pytest.mark.slow  # starts another Python
@pytest.mark.parametrize(
    "command", [["-m", "viz.playground"], [str(ROOT / "examples" / "playground.py")]]
)
def test_the_command_line_flushes_its_address_to_a_pipe_and_ctrl_c_ends_cleanly(
    project_on_pythonpath, tmp_path, command
):
    proc = subprocess.Popen(
        [sys.executable, *command, "--no-browser"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # returns only because the line was flushed at once
        url = line.split()[2]
        assert line.startswith("playground at http://127.0.0.1:") and url.endswith("/")
        assert request(url)[0] == 200
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)  # a loaded machine is slow to stop
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and err == ""
    assert out.strip() == "stopped"


@pytest.mark.slow  # starts another Python
def test_the_command_line_refuses_a_port_in_use_with_a_message(project_on_pythonpath, pg):
    done = subprocess.run(
        [sys.executable, "-m", "viz.playground", "--no-browser", "--port", str(pg.port)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"playground: cannot serve on 127.0.0.1:{pg.port}: ")


def test_two_pages_do_not_share_a_net(pg):
    one, two = (post(pg.url, "api/session", {})["session"] for _ in range(2))
    post(pg.url, "api/train/config", {"session": one, "dataset": "xor", "points": 50})
    post(pg.url, "api/train/control", {"session": one, "action": "epoch"})
    first = post(pg.url, "api/train/progress", {"session": one})
    second = post(pg.url, "api/train/progress", {"session": two})
    assert first["epoch"] == 1 and second["epoch"] == 0
    assert post(pg.url, "api/train/data", {"session": two})["config"]["dataset"] == "moons"


def test_starting_twice_at_once_makes_one_training_thread(pg):
    session = post(pg.url, "api/session", {})["session"]
    starts = [
        threading.Thread(
            target=post, args=(pg.url, "api/train/control", {"session": session, "action": "start"})
        )
        for _ in range(6)
    ]
    for t in starts:
        t.start()
    for t in starts:
        t.join()
    assert len([t for t in threading.enumerate() if t.name == "playground-training"]) == 1
    post(pg.url, "api/train/control", {"session": session, "action": "reset"})
    assert not [t for t in threading.enumerate() if t.name == "playground-training"]


@pytest.mark.slow  # starts another Python
def test_viz_playground_is_there_after_import_viz(project_on_pythonpath):
    code = (
        "import sys, viz; assert 'viz.playground' not in sys.modules; print(viz.playground.serve)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "function serve" in done.stdout, done.stderr


def test_a_notebook_shows_the_page_in_an_iframe(pg):
    assert pg._repr_html_().startswith(f'<iframe src="{pg.url}"')
