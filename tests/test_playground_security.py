"""The Playground against hostile input: uploaded text never becomes code in an exported script, and pages from
other web sites cannot change its sessions."""
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from neuroflow.playground import export
from neuroflow.playground.engine import Playground
from playground_http import new_session, request, running_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def server():
    with running_server() as srv:
        yield srv


def hostile_labels(mark):
    """Class names that would run code (creating the file `mark`) if pasted into a script's source."""
    touch = f'__import__("pathlib").Path("{mark}").touch()'    # no single quotes: repr() leaves it unescaped
    return [
        f'a"""+{touch}+"""',                          # closes a triple-quoted docstring
        f"b'''+{touch}+'''",
        f'c"\n{touch}\n"',                            # a newline inside a (quoted) CSV field
        f"d\\\\');{touch}#",
        "e {0} %s \U0001F600 \u00e9",                 # format fields and characters beyond ASCII
    ]


def csv_with(labels, header):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(60):
        writer.writerow([i % 10, i // 10 * (1 + i % 3), labels[i % len(labels)]])
    return out.getvalue().encode("utf-8")


# runs the exported file as a user would (its module code, then main), printing first the class names it holds
_RUN = ("import json, runpy, sys; ns = runpy.run_path(sys.argv[1]); print(json.dumps(ns['CLASS_NAMES'])); "
        "ns['main']([sys.argv[1]])")


@pytest.mark.parametrize("classes", [2, 5])
def test_exported_script_keeps_hostile_labels_as_data(server, tmp_path, classes):
    mark = tmp_path / "pwned"
    labels = hostile_labels(mark)[:classes] if classes > 2 else [hostile_labels(mark)[0], "plain"]
    header = ['x""" + __import__("os") + """', "y'''", 'label"); import os; ("']     # hostile feature names too
    sid = new_session(server, {"networkShape": "3"})
    status, body = request(server, "POST", f"/api/sessions/{sid}/upload", csv_with(labels, header))
    assert status == 200, body
    request(server, "POST", f"/api/sessions/{sid}/control", {"action": "step"})
    resp, source = request(server, "GET", f"/api/sessions/{sid}/export.py", raw=True)
    assert resp.status == 200
    script = tmp_path / "net.py"
    script.write_bytes(source)
    result = subprocess.run([sys.executable, "-c", _RUN, str(script)], capture_output=True, text=True,
                            encoding="utf-8", env=dict(os.environ, PYTHONPATH=ROOT, PYTHONIOENCODING="utf-8"),
                            timeout=120)
    assert not mark.exists(), "a class name from the CSV ran as code"
    assert result.returncode == 0, result.stderr
    names_line, _, predictions = result.stdout.partition("\n")
    assert json.loads(names_line) == sorted(labels)        # every name exactly as uploaded
    assert predictions.startswith("x1,x2,") and predictions.count("\n") >= 9


def test_script_refuses_specs_the_playground_does_not_make():
    spec = Playground({"networkShape": "2"}).export_spec()
    for key, bad in [("activation", "tanh(h); import os"), ("features", ["x", "__import__('os')"]),
                     ("output", 'binary"; import os; "')]:
        with pytest.raises(ValueError, match="Not a Playground network"):
            export.script(dict(spec, **{key: bad}))
    source = export.script(dict(spec, dataset='"""; import os; """', epoch=3))
    assert "import os" not in source and "dataset uploaded, epoch 3" in source


# --- cross-site requests ---------------------------------------------------------------------------------------------
def test_pages_from_other_sites_cannot_change_sessions(server):
    port = server.server_address[1]
    sid = new_session(server)
    before = len(server.sessions)
    foreign = [
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},     # a "simple" cross-site form post
        {"Origin": "null"},                                                 # a sandboxed frame or a file:// page
        {"Origin": f"http://localhost:{port + 1}"},                         # another local web site
        {"Origin": f"http://127.0.0.1:{port}.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},                                   # browsers that omit Origin
    ]
    for headers in foreign:
        status, body = request(server, "POST", "/api/sessions", b'{"config": {}}', headers)
        assert status == 403 and "own page" in body["error"], (headers, body)
        status, body = request(server, "POST", f"/api/sessions/{sid}/control", b'{"action": "play"}', headers)
        assert status == 403, headers
        status, body = request(server, "DELETE", f"/api/sessions/{sid}/close", None, headers)
        assert status == 403, headers
    assert len(server.sessions) == before and server.sessions.get(sid) is not None
    assert not server.sessions.get(sid).playing
    # the page itself (same origin) and tools that send no Origin (curl, scripts) still work
    for headers in ({"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"}, {}):
        status, body = request(server, "POST", "/api/sessions", {"config": {}}, headers)
        assert status == 200, body
        status, body = request(server, "POST", f"/api/sessions/{body['id']}/close", b"", headers)
        assert status == 200
    status, _ = request(server, "POST", "/api/sessions", {"config": {}},
                        {"Host": "evil.example", "Origin": "http://evil.example"})
    assert status == 403                                   # the Host check (DNS rebinding) still holds
