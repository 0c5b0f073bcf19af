"""The Playground's HTTP server: routes, limits, the event stream's rate, and tabs kept apart."""
import http.client
import json
import threading
import time

import pytest

from neuroflow.playground.server import MAX_JSON_BYTES, MAX_UPLOAD_BYTES, make_server


@pytest.fixture(scope="module")
def server():
    srv = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def request(server, method, path, body=None, headers=None, raw=False):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    conn.request(method, path, body=data, headers=headers or {})
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    if raw:
        return resp, payload
    return resp.status, (json.loads(payload) if resp.getheader("Content-Type") == "application/json" else payload)


def new_session(server, config=None):
    status, body = request(server, "POST", "/api/sessions", {"config": config or {}})
    assert status == 200, body
    return body["id"]


class Stream:
    """Reads server-sent events from a session's stream."""

    def __init__(self, server, sid):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        self.conn.request("GET", f"/api/sessions/{sid}/events")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200 and self.resp.getheader("Content-Type") == "text/event-stream"

    def next(self):
        event, data = None, None
        while True:
            line = self.resp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and event:
                return event, data

    def close(self):
        self.conn.close()


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
        start, frames, epochs = time.perf_counter(), 0, []
        while time.perf_counter() - start < 1.0:
            event, msg = stream.next()
            if event == "frame":
                frames += 1
                epochs.append(msg["frame"]["epoch"])
        rate = frames / (time.perf_counter() - start)
        assert rate >= 10, f"only {rate:.1f} updates per second"
        assert epochs[-1] > epochs[0] and epochs == sorted(epochs)
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
    time.sleep(0.5)
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


def test_command_line_serves_and_stops(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import urllib.request
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-m", "neuroflow", "playground", "--no-browser", "--port", "0"],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("neuroflow Playground at http://127.0.0.1:"), line
        url = line.split()[3]
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200 and b"neuroflow Playground" in resp.read()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "Stopped." in out, err
