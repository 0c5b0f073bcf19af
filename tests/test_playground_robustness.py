"""The Playground server under load and bad input: bursts of clients, full session slots, malformed requests and
data whose numbers JSON cannot carry. Every failure is a 4xx with a message that says what was wrong."""
import http.client
import json
import socket
import threading
import time

import pytest

from neuroflow.playground import datasets
from neuroflow.playground import session as S
from neuroflow.playground.session import SessionRegistry
from playground_http import Stream, new_session, request, running_server, strict_json

BURST = 40


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


# --- many clients at once --------------------------------------------------------------------------------------------
def test_a_burst_of_clients_waits_in_the_backlog():
    """Clients that connect while the server is busy queue up (the listen backlog) instead of being refused."""
    from neuroflow.playground.server import make_server
    srv = make_server("127.0.0.1", 0)                  # listening, but not accepting yet: as if every thread were busy
    clients = []
    try:
        for _ in range(BURST):
            clients.append(socket.create_connection(srv.server_address[:2], timeout=5))
        for c in clients:
            c.sendall(b"GET /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        answers = [b"".join(iter(lambda c=c: c.recv(65536), b"")) for c in clients]
        assert all(a.startswith(b"HTTP/1.0 200") for a in answers), [a[:40] for a in answers if b" 200" not in a[:20]]
        srv.shutdown()
        thread.join(5)
    finally:
        for c in clients:
            c.close()
        srv.server_close()


def test_simultaneous_posts_are_all_served(server):
    sid = new_session(server)
    start = threading.Barrier(BURST)
    results = [None] * BURST

    def client(i):
        start.wait()
        results[i] = request(server, "POST", f"/api/sessions/{sid}/control", {"action": "pause"})[0]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(BURST)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [200] * BURST
    print(f"playground: {BURST} simultaneous POSTs, all answered 200")      # shown with pytest -s


# --- session slots ---------------------------------------------------------------------------------------------------
def test_new_sessions_are_not_evicted_before_their_page_connects():
    reg = SessionRegistry(max_sessions=2)
    try:
        a, b = reg.create({}), reg.create({})          # neither page has opened its stream yet
        with pytest.raises(RuntimeError, match="Too many open Playground tabs .* in use"):
            reg.create({})
        assert reg.get(a.id) is a and reg.get(b.id) is b
    finally:
        reg.close_all()


def test_the_least_recently_active_session_makes_room(monkeypatch):
    monkeypatch.setattr(S, "EVICTABLE_SECONDS", 0.2, raising=False)
    reg = SessionRegistry(max_sessions=2)
    try:
        a, b = reg.create({}), reg.create({})
        time.sleep(0.3)                                # both may now be evicted ...
        a.control("step")                              # ... but a's page is using it: b has been idle longer
        c = reg.create({})
        assert reg.get(b.id) is None and reg.get(a.id) is a and reg.get(c.id) is c
        assert "make room for another tab" in reg.eviction(b.id) and reg.eviction(a.id) is None
    finally:
        reg.close_all()


def test_an_evicted_page_is_told_why(monkeypatch):
    monkeypatch.setattr(S, "EVICTABLE_SECONDS", 0.0, raising=False)
    with running_server(max_sessions=1) as srv:
        old = new_session(srv)
        new_session(srv)                               # takes the only slot
        status, body = request(srv, "POST", f"/api/sessions/{old}/control", {"action": "step"})
        assert status == 410 and "make room for another tab" in body["error"] and "at most 1" in body["error"]
        stream = Stream(srv, old)                      # the page's EventSource reconnecting
        try:
            event, data = stream.next()
            assert event == "ended" and "make room" in data["reason"]
        finally:
            stream.close()
        status, body = request(srv, "POST", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/control", {"action": "step"})
        assert status == 404                           # never existed (or the server restarted): not "evicted"


# --- bad requests get 4xx, never 500 -----------------------------------------------------------------------------
def _post(server, path, data, length=None):
    """POSTs raw bytes; `length` overrides Content-Length (the body then ends early: the client stops writing)."""
    with socket.create_connection(server.server_address[:2], timeout=30) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length or len(data)}\r\n"
                  "Content-Type: application/json\r\n\r\n".encode() + data)
        s.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: s.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_malformed_requests_get_clear_4xx(server):
    sid = new_session(server)
    config = f"/api/sessions/{sid}/config"
    cases = [
        ("/api/sessions", b'{"config": [1, 2]}', None, 400, '"config" must be a JSON object'),
        (config, b'{"config": "relu"}', None, 400, '"config" must be a JSON object'),
        (config, b"[" * 20000 + b"]" * 20000, None, 400, "nested too deeply"),
        (config, b'{"config": {"activation": "relu"}}', 200, 400,
         "incomplete: the connection ended after 34 of the 200 bytes"),
        (f"/api/sessions/{sid}/upload", b"1,2,0\n2,3,1\n3,4,0\n4,5,1\n", 500, 400, "incomplete"),
    ]
    for path, data, length, status, message in cases:
        got, body = _post(server, path, data, length)
        assert got == status and message in body["error"], (path, data[:40], got, body)
    status, body = request(server, "POST", config, {"config": {"activation": "relu"}})
    assert status == 200 and body["config"]["activation"] == "relu"          # the session survived it all


@pytest.mark.parametrize("text, where", [
    ('{"batchSize": Infinity}', "config.batchSize"), ('{"seed": 1e400}', "config.seed"),
    ('{"noise": -Infinity}', "config.noise"), ('{"networkShape": [3, 1e400]}', "config.networkShape[1]"),
    ('{"learningRate": NaN}', "config.learningRate"), ('{"regularizationRate": Infinity}', "config.regularizationRate"),
])
def test_non_finite_json_numbers_are_refused_naming_the_field(server, text, where):
    status, body = request(server, "POST", "/api/sessions", b'{"config": ' + text.encode() + b"}")
    assert status == 400 and f"field {where} is not a finite number" in body["error"], body


@pytest.mark.parametrize("text, key", [
    ('{"percTrainData": "1e400"}', "percTrainData"), ('{"learningRate": null}', "learningRate"),
    ('{"batchSize": "lots"}', "batchSize"), ('{"networkShape": [3, "1e400"]}', "networkShape"),
    ('{"learningRate": 0.02}', "learningRate"),
])
def test_unusable_values_from_a_shared_link_are_reported_not_crashed_on(server, text, key):
    """What a page sends for a bad value in its URL (a string, or null where JavaScript's JSON has no Infinity)
    falls back to a valid choice, and the response says so."""
    status, body = request(server, "POST", "/api/sessions", b'{"config": ' + text.encode() + b"}")
    assert status == 200, body
    assert any(key in note for note in body["notes"]), body["notes"]         # the page shows these notes
    strict_json(json.dumps(body["config"]))
    request(server, "POST", f"/api/sessions/{body['id']}/close", b"")


@pytest.mark.parametrize("data, status, message", [
    (b"x,y,label\r1,2,a\r2,3,b\r3,4,a\r4,5,b\r", 200, "4 points in 2 classes"),   # old Mac line ends
    (b"1,2,0\n2,3," + b"a" * 200_000 + b"\n3,4,0\n4,5,1\n", 400, "Line 2: a value is longer than"),
    (b"1,2,0\n2,3,1\n3,4,0\n4,5,1\n5,6," + b"b" * 300 + b"\n", 400, "Line 5: the label is 300 characters"),
])
def test_csv_edge_cases_get_an_answer(server, data, status, message):
    sid = new_session(server)
    got, body = request(server, "POST", f"/api/sessions/{sid}/upload", data)
    assert got == status and message in (body.get("message") or body.get("error")), body


# --- numbers JSON cannot carry ---------------------------------------------------------------------------------------
def test_huge_csv_values_stay_finite_everywhere(server):
    rows = [(1.7e308, -1.7e308, 1.5e308), (-1.7e308, 1.7e308, -1.6e308), (1e308, 1e308, 1.7e308),
            (-1e308, -1e308, 2.0), (0.0, 0.0, -1.7e308), (5e307, -5e307, 3.5)]
    sid = new_session(server)
    status, body = request(server, "POST", f"/api/sessions/{sid}/upload",
                           "\n".join(f"{a!r},{b!r},{c!r}" for a, b, c in rows).encode())
    assert status == 200 and "regression" in body["message"], body
    request(server, "POST", f"/api/sessions/{sid}/control", {"action": "step"})
    stream = Stream(server, sid)
    try:
        event, structure = stream.next()                  # strict JSON: Infinity would raise here
        assert event == "structure" and all(abs(v) <= 5 + 1e-9 for p in structure["train"] for v in p[:2])
        stream.next()
    finally:
        stream.close()
    resp, payload = request(server, "GET", f"/api/sessions/{sid}/export.json", raw=True)
    spec = strict_json(payload)
    assert resp.status == 200 and spec["input_scale"][0] > 0 and spec["output_scale"] > 0


def test_diverged_weights_are_not_exported_as_invalid_json(server):
    sid = new_session(server, {"learningRate": 10, "activation": "linear", "problem": "regression",
                               "networkShape": "8,8,8", "xSquared": True, "batchSize": 30})
    for _ in range(3):
        request(server, "POST", f"/api/sessions/{sid}/control", {"action": "step"})
    status, body = request(server, "GET", f"/api/sessions/{sid}/export.json")
    assert status == 409 and "not finite" in body["error"] and "reset" in body["error"]
    resp, source = request(server, "GET", f"/api/sessions/{sid}/export.py", raw=True)
    assert resp.status == 200 and 'float("nan")' in source.decode()   # Python can say nan; JSON cannot


@pytest.mark.parametrize("data, message", [
    (b"nan,1,0\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n", "Line 1: the features must be finite"),   # not a header
    (b"inf,-inf,label\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n", "Line 1: the features must be finite"),
    (b"x,y,label\n1,2,0\n2,3,1\n3,4,nan\n4,5,1\n", "Line 4: the label must be a finite number"),
    (b"x,y,label\n1,2,0\n2,3,1\n3,4,-Infinity\n4,5,1\n", "Line 4: the label must be a finite number"),
    (b"x,y,label\n1,2,0\n2,3,1\n3,4,1e999\n4,5,1\n", "Line 4: the label must be a finite number"),
    (b"1,x,label\n1,2,0\n2,3,1\n3,4,0\n4,5,1\n", "Line 1: the features must be numbers"),  # half a header
])
def test_nan_and_inf_are_rejected_everywhere(data, message):
    with pytest.raises(datasets.CSVError, match=message):
        datasets.parse_csv(data)


def test_a_header_is_a_row_with_no_numbers():
    d = datasets.parse_csv(b"x1,x2,kind\n1,2,a\n2,3,b\n3,4,a\n4,5,b\n")
    assert len(d) == 4 and d.class_names == ["a", "b"]
    assert len(datasets.parse_csv(b"1,2,a\n2,3,b\n3,4,a\n4,5,b\n")) == 4


@pytest.mark.parametrize("length", ["-5", "5x"])
def test_a_bad_content_length_is_named(server, length):
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    conn.putrequest("POST", "/api/sessions")
    conn.putheader("Content-Length", length)
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 400 and f"Bad Content-Length header '{length}'" in json.loads(resp.read())["error"]
    conn.close()
