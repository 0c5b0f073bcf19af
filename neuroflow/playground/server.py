"""The Playground's web server: the standard library's ThreadingHTTPServer, a small JSON API, server-sent events.

Listens on 127.0.0.1 unless told otherwise, answers only to localhost names when it does (so another web site
cannot reach it through DNS rebinding), accepts changes (POST, DELETE) only from its own page (so another web site
cannot drive it from the user's browser), caps every request body, and serves the page's static files from this
package (nothing is fetched from the network).
"""
import json
import math
import os
import re
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from . import datasets, export
from .session import SessionRegistry, history_after

__all__ = ["PlaygroundServer", "make_server", "serve"]

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
DEFAULT_PORT = 8000
MAX_JSON_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = datasets.MAX_CSV_BYTES
KEEPALIVE_SECONDS = 10
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
_STATIC_NAME = re.compile(r"^[a-z0-9_-]+\.(html|js|css|svg|png)$")
_SESSION_PATH = re.compile(r"^/api/sessions/([A-Za-z0-9_-]{8,64})/([a-z.]+)$")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
_CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'")



def _first_non_finite(value, path=""):
    """The path (e.g. `config.networkShape[1]`) of the first NaN/Infinity in parsed JSON, or None. Python's json
    accepts the non-standard `NaN`/`Infinity` literals and turns `1e400` into inf; none is a usable number."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "(the body)"
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
    return None

class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server that owns the sessions of every open tab."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128          # the listen backlog: with socketserver's 5, a burst of clients is refused

    def __init__(self, address, max_sessions=16):
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.sessions = SessionRegistry(max_sessions)
        self.stopping = threading.Event()
        self.loopback = host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")

    @property
    def url(self):
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}/"

    def shutdown(self):
        self.stopping.set()
        self.sessions.close_all()
        super().shutdown()


def make_server(host="127.0.0.1", port=DEFAULT_PORT, max_sessions=16):
    """A PlaygroundServer bound to (host, port); port 0 picks a free one. Call serve_forever() to run it."""
    return PlaygroundServer((host, port), max_sessions)


def _first_free(host, start, tries=20):
    for port in range(start, start + tries):
        try:
            return make_server(host, port)
        except OSError as e:
            last = e
    raise OSError(f"Ports {start}..{start + tries - 1} on {host} are all taken ({last}); pick one with --port.")


def serve(host="127.0.0.1", port=None, open_browser=True, quiet=False):
    """Runs the Playground until Ctrl+C.

    Args:
        host: the address to listen on (127.0.0.1: this machine only).
        port: the port; None means 8000, or the next free one above it when 8000 is taken.
        open_browser: open the page in the default web browser.
        quiet: print nothing but errors.
    """
    if port is None:
        server = _first_free(host, DEFAULT_PORT)
    else:
        server = make_server(host, port)
    if not quiet:
        print(f"neuroflow Playground at {server.url}  (Ctrl+C to stop)", flush=True)
        if not server.loopback:
            print(f"Listening on {host}: anyone who can reach this machine on port {server.server_address[1]} "
                  "can use it.", flush=True)
    if open_browser:
        import webbrowser
        threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        if not quiet:
            print("\nStopped.", flush=True)
    finally:
        server.stopping.set()
        server.sessions.close_all()
        server.server_close()


_THUMBS = []


def _thumbnails():
    """A sample of each built-in dataset, for the page's dataset buttons (computed once)."""
    if not _THUMBS:
        out = {}
        for name in datasets.CLASSIFICATION + datasets.REGRESSION:
            d = datasets.generate(name, noise=0, seed=0)
            out[name] = [[round(float(a), 2), round(float(b), 2), float(round(float(c), 2)) if
                          d.problem == "regression" else int(c)] for (a, b), c in zip(d.points[:200], d.labels[:200])]
        _THUMBS.append(out)
    return _THUMBS[0]


def _config_of(body):
    """The "config" object of a request's JSON body ({} when absent)."""
    config = body.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise _HTTPError(HTTPStatus.BAD_REQUEST, f'"config" must be a JSON object of settings; got '
                                                 f"{json.dumps(config)[:60]}.")
    return config


class _HTTPError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    server_version = "neuroflow-playground"
    timeout = 60                      # a client that stops sending mid-request frees its thread

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if os.environ.get("NEUROFLOW_PLAYGROUND_LOG"):
            super().log_message(format, *args)

    # --- dispatch ----------------------------------------------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        try:
            self._check_host()
            if method != "GET":
                self._check_origin()
            path = urlsplit(self.path).path
            if method == "GET" and path in ("/", "/index.html"):
                return self._static("index.html")
            if method == "GET" and path.startswith("/static/"):
                return self._static(path[len("/static/"):])
            if method == "GET" and path == "/favicon.ico":
                return self._static("favicon.svg")
            if method == "GET" and path == "/api/datasets":
                return self._json(_thumbnails())
            if method == "POST" and path == "/api/sessions":
                return self._create_session()
            m = _SESSION_PATH.match(path)
            if m:
                return self._session_call(method, m.group(1), m.group(2))
            raise _HTTPError(HTTPStatus.NOT_FOUND, f"No such page: {path}")
        except _HTTPError as e:
            self._json({"error": str(e)}, e.status)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as e:  # a bug must not take the server down; the page shows the message
            try:
                self._json({"error": f"Internal error: {type(e).__name__}: {e}"}, HTTPStatus.INTERNAL_SERVER_ERROR)
            except OSError:
                pass

    def _check_host(self):
        if not self.server.loopback:
            return
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in _LOCAL_HOSTS:
            raise _HTTPError(HTTPStatus.FORBIDDEN, "This Playground only answers to localhost addresses.")

    def _check_origin(self):
        """Refuses a state-changing request sent by a page from another origin.

        A web page may POST a "simple" (text/plain) request to any address, this one included; the browser names
        the page's origin in the Origin header (or, in older browsers, says Sec-Fetch-Site: cross-site). Tools
        such as curl send neither and are let through: they are not a web page acting for someone else.
        """
        origin = self.headers.get("Origin")
        if origin is None:
            site = (self.headers.get("Sec-Fetch-Site") or "").strip().lower()
            if site in ("cross-site", "same-site"):
                raise _HTTPError(HTTPStatus.FORBIDDEN, f"Refused a {site} request: only the Playground's own page "
                                                       "may change its sessions.")
            return
        own = "http://" + (self.headers.get("Host") or "").strip().lower()
        if origin.strip().lower() != own:
            raise _HTTPError(HTTPStatus.FORBIDDEN, f"Refused a request from the page at {origin[:100]!r}: only the "
                                                   "Playground's own page may change its sessions.")

    # --- API ---------------------------------------------------------------------------------------------------
    def _create_session(self):
        body = self._read_json()
        try:
            session = self.server.sessions.create(_config_of(body))
        except RuntimeError as e:
            raise _HTTPError(HTTPStatus.SERVICE_UNAVAILABLE, str(e))
        config = session.call(lambda pg: dict(pg.cfg))
        self._json({"id": session.id, "config": config, "notes": session.notes})

    def _session_call(self, method, sid, action):
        session = self.server.sessions.get(sid)
        if session is None:
            evicted = self.server.sessions.eviction(sid)
            if evicted and method == "GET" and action == "events":
                return self._stream_ended(evicted)          # an EventSource cannot read an error's body
            if evicted:
                raise _HTTPError(HTTPStatus.GONE, evicted)
            raise _HTTPError(HTTPStatus.NOT_FOUND, "This session has ended; reload the page.")
        if method == "GET" and action == "events":
            return self._stream(session)
        if method == "GET" and action == "export.py":
            source = session.call(lambda pg: export.script(pg.export_spec()))
            return self._send(source.encode("utf-8"), "text/x-python; charset=utf-8",
                              attachment="playground_network.py")
        if method == "GET" and action == "export.json":
            spec = session.call(lambda pg: pg.export_spec())
            try:
                text = json.dumps(spec, indent=1, allow_nan=False)
            except ValueError:                                 # JSON has no NaN or Infinity
                raise _HTTPError(HTTPStatus.CONFLICT, "The network's weights are not finite numbers (training "
                                                      "diverged), so JSON cannot hold them; reset and train again.")
            return self._send(text.encode("utf-8"), "application/json", attachment="playground_network.json")
        if method == "POST" and action == "config":
            body = self._read_json()
            return self._json(session.configure(_config_of(body)))
        if method == "POST" and action == "control":
            body = self._read_json()
            try:
                return self._json(session.control(str(body.get("action"))))
            except ValueError as e:
                raise _HTTPError(HTTPStatus.BAD_REQUEST, str(e))
        if method == "POST" and action == "upload":
            data = self._read_body(MAX_UPLOAD_BYTES, "The CSV file")
            try:
                return self._json(session.upload(data))
            except datasets.CSVError as e:
                raise _HTTPError(HTTPStatus.BAD_REQUEST, str(e))
        if method in ("POST", "DELETE") and action == "close":
            self.server.sessions.remove(sid)
            return self._json({"closed": True})
        raise _HTTPError(HTTPStatus.NOT_FOUND, f"No such action: {method} {action}")

    def _stream(self, session):
        """Server-sent events: 'structure' when the data or network change, then 'frame' with each picture."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        session.attach()
        seen, generation, last_epoch = 0, None, -1
        stopping = self.server.stopping
        try:
            self.wfile.write(b"retry: 1000\n\n")
            deadline = time.monotonic() + KEEPALIVE_SECONDS
            while not stopping.is_set() and not session.closed:
                snap = session.wait_snapshot(seen, timeout=0.5)
                if snap is None:
                    if time.monotonic() > deadline:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
                        deadline = time.monotonic() + KEEPALIVE_SECONDS
                    continue
                seen, gen, structure_json, frame_json, history = snap
                parts = []
                if gen != generation:
                    generation, last_epoch = gen, -1
                    parts.append(f"event: structure\ndata: {structure_json}\n\n")
                new = history_after(history, last_epoch)
                if new:
                    last_epoch = new[-1][0]
                points = json.dumps(new, separators=(",", ":"))
                parts.append(f'event: frame\ndata: {{"frame":{frame_json},"history":{points}}}\n\n')
                self.wfile.write("".join(parts).encode("utf-8"))
                self.wfile.flush()
                deadline = time.monotonic() + KEEPALIVE_SECONDS
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            pass
        finally:
            session.detach()
            self.close_connection = True

    def _stream_ended(self, reason):
        """An event stream that says at once why its session is gone, then ends."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(f"event: ended\ndata: {json.dumps({'reason': reason})}\n\n".encode("utf-8"))
        self.close_connection = True

    # --- plumbing ----------------------------------------------------------------------------------------------
    def _read_body(self, limit, what):
        length = self.headers.get("Content-Length")
        if length is None:
            raise _HTTPError(HTTPStatus.LENGTH_REQUIRED, "Send a Content-Length header.")
        try:
            n = int(length)
        except ValueError:
            n = -1
        if n < 0:
            raise _HTTPError(HTTPStatus.BAD_REQUEST, f"Bad Content-Length header {length[:40]!r}: expected a "
                                                     "byte count.")
        if n > limit:
            self.close_connection = True          # the unread body must not be parsed as the next request
            if 0 < n <= 8 * limit:
                # Read (and drop) a moderately oversized body first: closing while the client is still sending
                # would reset the connection before it could read our answer.
                remaining = n
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 65536))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            raise _HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                             f"{what} is too large ({n:,} bytes); the limit is {limit:,} bytes.")
        try:
            data = self.rfile.read(n)
        except TimeoutError:
            self.close_connection = True
            raise _HTTPError(HTTPStatus.REQUEST_TIMEOUT, f"{what} did not arrive: the client sent part of its "
                                                         f"{n:,} bytes, then stopped for {self.timeout} s.")
        if len(data) < n:
            self.close_connection = True
            raise _HTTPError(HTTPStatus.BAD_REQUEST, f"{what} is incomplete: the connection ended after "
                                                     f"{len(data):,} of the {n:,} bytes its Content-Length promised.")
        return data

    def _read_json(self):
        data = self._read_body(MAX_JSON_BYTES, "The request")
        if not data:
            return {}
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise _HTTPError(HTTPStatus.BAD_REQUEST, f"The request is not valid JSON: {e}")
        except RecursionError:
            raise _HTTPError(HTTPStatus.BAD_REQUEST, "The request's JSON is nested too deeply.")
        if not isinstance(body, dict):
            raise _HTTPError(HTTPStatus.BAD_REQUEST, "The request must be a JSON object.")
        where = _first_non_finite(body)
        if where is not None:
            raise _HTTPError(HTTPStatus.BAD_REQUEST, f"The request's field {where} is not a finite number "
                             "(NaN, Infinity and numbers beyond 1.8e308 cannot be used).")
        return body

    def _static(self, name):
        if not _STATIC_NAME.match(name):
            raise _HTTPError(HTTPStatus.NOT_FOUND, f"No such file: {name}")
        path = os.path.join(STATIC_DIR, name)
        if not os.path.isfile(path):
            raise _HTTPError(HTTPStatus.NOT_FOUND, f"No such file: {name}")
        with open(path, "rb") as f:
            data = f.read()
        self._send(data, _TYPES[os.path.splitext(name)[1]])

    def _json(self, obj, status=HTTPStatus.OK):
        self._send(json.dumps(obj, separators=(",", ":")).encode("utf-8"), "application/json", status)

    def _send(self, data, content_type, status=HTTPStatus.OK, attachment=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", _CSP)
        if attachment:
            self.send_header("Content-Disposition", f'attachment; filename="{attachment}"')
        self.end_headers()
        self.wfile.write(data)
