"""HTTP helpers shared by the Playground's server tests: a running server, requests, and an event-stream reader."""
import contextlib
import http.client
import json
import threading

from neuroflow.playground.server import make_server


@contextlib.contextmanager
def running_server(max_sessions=16):
    """A Playground server on a free port, served from a background thread, shut down afterwards."""
    srv = make_server("127.0.0.1", 0, max_sessions=max_sessions)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def request(server, method, path, body=None, headers=None, raw=False):
    """(status, parsed JSON or bytes); with raw=True, (response, bytes)."""
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


def strict_json(text):
    """json.loads that refuses NaN and Infinity, as a browser's JSON.parse does."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(text, parse_constant=refuse)


class Stream:
    """Reads server-sent events from a session's stream (each event's data parsed as strict JSON)."""

    def __init__(self, server, sid, timeout=30):
        self.conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=timeout)
        self.conn.request("GET", f"/api/sessions/{sid}/events")
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200 and self.resp.getheader("Content-Type") == "text/event-stream"

    def next(self):
        """The next (event name, data); raises EOFError when the server ends the stream."""
        event, data = None, None
        while True:
            raw = self.resp.readline()
            if not raw:
                raise EOFError("the event stream ended")
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = strict_json(line[6:])
            elif line == "" and event:
                return event, data

    def close(self):
        self.conn.close()
