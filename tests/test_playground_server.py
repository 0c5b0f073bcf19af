"""The Playground's HTTP server: routes, limits, the event stream, tabs kept apart, and the command line."""
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from neuroflow.playground.server import MAX_JSON_BYTES, MAX_UPLOAD_BYTES
from playground_http import Stream, new_session, request, running_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


def wait_for_epoch(server, sid, epoch, timeout=60):
    """The session's epoch once it reaches `epoch` (polls its export; generous for a loaded machine)."""
    deadline = time.monotonic() + timeout
    while True:
        status, spec = request(server, "GET", f"/api/sessions/{sid}/export.json")
        assert status == 200, spec
        if spec["epoch"] >= epoch or time.monotonic() > deadline:
            return spec["epoch"]
        time.sleep(0.05)


def test_page_and_static_files(server):
    resp, body = request(server, "GET", "/", raw=True)
    assert resp.status == 200 and b"<title>neuroflow Playground</title>" in body
    assert "script-src 'self'" in resp.getheader("Content-Security-Policy")
    assert b"cdn" not in body.lower() and b"https://" not in body.replace(b"https://playground.tensorflow.org", b"")
    for name in ("app.js", "draw.js", "network.js", "style.css", "favicon.svg"):
        status, _ = request(server, "GET", f"/static/{name}")
        assert status == 200
    for bad in ("/static/../server.py", "/static/%2e%2e/server.py", "/static/missing.js", "/etc/passwd", "/api/x"):
        status, body = request(server, "GET", bad)
        assert status == 404, bad


def test_only_localhost_names_are_answered(server):
    status, body = request(server, "GET", "/", headers={"Host": "evil.example.com"})
    assert status == 403 and "localhost" in body["error"]
    status, _ = request(server, "GET", "/", headers={"Host": f"localhost:{server.server_address[1]}"})
    assert status == 200


def test_request_limits_and_bad_requests(server):
    sid = new_session(server)
    status, body = request(server, "POST", f"/api/sessions/{sid}/config", b"{" + b" " * MAX_JSON_BYTES + b"}")
    assert status == 413 and "too large" in body["error"]
    status, body = request(server, "POST", f"/api/sessions/{sid}/upload", b"1,2,3\n" * (MAX_UPLOAD_BYTES // 6 + 10))
    assert status == 413 and "limit" in body["error"]
    status, body = request(server, "POST", f"/api/sessions/{sid}/config", b"{not json")
    assert status == 400 and "not valid JSON" in body["error"]
    status, body = request(server, "POST", f"/api/sessions/{sid}/config", b"[1, 2]")
    assert status == 400
    status, body = request(server, "POST", f"/api/sessions/{sid}/control", {"action": "fly"})
    assert status == 400 and "Unknown action 'fly'" in body["error"]
    status, body = request(server, "POST", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/config", {"config": {}})
    assert status == 404 and "reload" in body["error"]
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    conn.putrequest("POST", f"/api/sessions/{sid}/config")
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 411
    conn.close()
    status, body = request(server, "POST", f"/api/sessions/{sid}/config", {"config": {"activation": "relu"}})
    assert status == 200 and body["config"]["activation"] == "relu"     # still fine after all that


def test_csv_upload(server):
    sid = new_session(server)
    status, body = request(server, "POST", f"/api/sessions/{sid}/upload", b"x,y,label\n\x00\x01")
    assert status == 400 and "binary" in body["error"]
    status, body = request(server, "POST", f"/api/sessions/{sid}/upload", b"1,2\n")
    assert status == 400 and "at least 4" in body["error"]
    csv = "\n".join(f"{i % 10},{i // 10},{'ab'[(i % 10) > (i // 10)]}" for i in range(100)).encode()
    status, body = request(server, "POST", f"/api/sessions/{sid}/upload", csv)
    assert status == 200 and "2 classes (a, b)" in body["message"] and body["config"]["dataset"] == "csv"


def test_stream_rate_and_training(server):
    sid = new_session(server, {"networkShape": "4,2"})
    stream = Stream(server, sid)
    try:
        event, structure = stream.next()
        assert event == "structure" and structure["layers"] == [2, 4, 2, 1]
        event, first = stream.next()
        assert event == "frame" and first["frame"]["epoch"] == 0 and first["history"][0][0] == 0
        status, body = request(server, "POST", f"/api/sessions/{sid}/control", {"action": "play"})
        assert status == 200 and body["playing"]
        while not stream.next()[1]["frame"]["playing"]:
            pass
        # frames keep coming while it trains, with the epoch rising; counted, not timed (a loaded machine is slow)
        start, epochs = time.perf_counter(), []
        while len(epochs) < 20 or epochs[-1] <= epochs[0]:
            event, msg = stream.next()                  # the stream's own timeout bounds the wait
            if event == "frame":
                epochs.append(msg["frame"]["epoch"])
        print(f"playground stream: {len(epochs) / (time.perf_counter() - start):.1f} frames per second")
        assert epochs == sorted(epochs)
        request(server, "POST", f"/api/sessions/{sid}/control", {"action": "pause"})
        status, body = request(server, "POST", f"/api/sessions/{sid}/control", {"action": "reset"})
        assert body["epoch"] == 0
        event, msg = stream.next()
        while event != "structure":                     # a reset redraws from scratch
            event, msg = stream.next()
    finally:
        stream.close()


def test_tabs_do_not_mix(server):
    a = new_session(server, {"dataset": "xor"})
    b = new_session(server, {"dataset": "spiral", "networkShape": "3"})
    assert a != b
    request(server, "POST", f"/api/sessions/{a}/control", {"action": "play"})
    request(server, "POST", f"/api/sessions/{b}/control", {"action": "step"})
    assert wait_for_epoch(server, a, 4) >= 4
    request(server, "POST", f"/api/sessions/{a}/control", {"action": "pause"})
    _, spec_a = request(server, "GET", f"/api/sessions/{a}/export.json")
    _, spec_b = request(server, "GET", f"/api/sessions/{b}/export.json")
    assert spec_a["dataset"] == "xor" and spec_a["epoch"] > 3 and spec_a["layers"] == [2, 4, 2, 1]
    assert spec_b["dataset"] == "spiral" and spec_b["epoch"] == 1 and spec_b["layers"] == [2, 3, 1]
    status, _ = request(server, "POST", f"/api/sessions/{b}/close", b"")
    assert status == 200
    status, _ = request(server, "GET", f"/api/sessions/{b}/export.json")
    assert status == 404


def test_exports_and_thumbnails(server):
    sid = new_session(server)
    resp, body = request(server, "GET", f"/api/sessions/{sid}/export.py", raw=True)
    assert resp.status == 200 and "playground_network.py" in resp.getheader("Content-Disposition")
    compile(body.decode(), "playground_network.py", "exec")
    status, thumbs = request(server, "GET", "/api/datasets")
    assert status == 200 and set(thumbs) == {"circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"}


# --- the command line ------------------------------------------------------------------------------------------------
# The child gets SIGINT's default handling back (Python then raises KeyboardInterrupt), whatever this process
# inherited: a shell starts background jobs (`pytest ... &`, nohup) with SIGINT ignored, and children keep that.
_CLI = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.{handler}); "
        "sys.argv = ['neuroflow', 'playground', '--no-browser', '--port', '0']; "
        "runpy.run_module('neuroflow', run_name='__main__')")


def start_cli(sigint="default_int_handler"):
    """`python -m neuroflow playground` in its own process group (a signal for it reaches nothing else)."""
    return subprocess.Popen([sys.executable, "-c", _CLI.format(handler=sigint)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def stop_cli(proc, grace=20):
    """Stops the server: SIGINT (Ctrl+C), then SIGTERM, then SIGKILL, each given `grace` seconds.
    Returns the signal that stopped it and its (stdout, stderr); never leaves the process running."""
    out = err = ""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            out, err = proc.communicate(timeout=grace)
            return sig, out, err
        except subprocess.TimeoutExpired:
            continue
    out, err = proc.communicate(timeout=grace)
    return None, out, err


def test_command_line_serves_and_stops():
    proc = start_cli()
    try:
        line = proc.stdout.readline()
        assert line.startswith("neuroflow Playground at http://127.0.0.1:"), line
        with urllib.request.urlopen(line.split()[3], timeout=10) as resp:
            assert resp.status == 200 and b"neuroflow Playground" in resp.read()
    finally:
        sig, out, err = stop_cli(proc)
    assert proc.returncode == 0 and sig == signal.SIGINT and "Stopped." in out, err


def test_a_server_that_ignores_ctrl_c_is_still_stopped():
    proc = start_cli(sigint="SIG_IGN")              # as when the tests run in the background
    try:
        assert proc.stdout.readline().startswith("neuroflow Playground at ")
    finally:
        sig, _, _ = stop_cli(proc, grace=3)
    assert sig == signal.SIGTERM and proc.returncode == -signal.SIGTERM
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)                      # nothing of it is left running
