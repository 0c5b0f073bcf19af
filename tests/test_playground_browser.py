"""The Playground page in headless Chromium (Playwright driving Debian's chromium): train, change settings, reset,
upload a CSV, export, share the URL, two tabs apart.

Needs `pip install playwright` and a Chromium (`apt-get install chromium`; set PLAYGROUND_CHROMIUM to use another
binary). Skipped with the reason when either is missing. Set PLAYGROUND_SCREENSHOTS=dir to keep screenshots.
"""
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

try:
    from playwright.sync_api import sync_playwright
except ImportError:
    pytest.skip("browser tests need Playwright: pip install playwright (it drives the system's chromium)",
                allow_module_level=True)
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium (or set PLAYGROUND_CHROMIUM)",
                allow_module_level=True)

from neuroflow.playground.server import make_server  # noqa: E402


@pytest.fixture(scope="module")
def server():
    srv = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        except Exception as e:  # a broken install is a skip with its reason, not a failure of the Playground
            pytest.skip(f"Chromium at {CHROMIUM} did not start: {e}")
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.problems = []
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    # a rejected upload (400) and an export of a diverged network (409) fail on purpose (the page shows the
    # message); anything else is a problem
    pg.on("console", lambda m: m.type == "error" and not any(f"status of {c}" in m.text for c in (400, 409))
          and pg.problems.append(f"console: {m.text}"))
    yield pg
    context.close()
    assert not pg.problems, pg.problems


def wait_js(page, expression, timeout=10.0):
    """Polls a JavaScript expression until it is true. (Playwright's wait_for_function evaluates strings with
    eval, which the page's Content-Security-Policy rightly forbids; page.evaluate is not subject to it.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {expression}")
        time.sleep(0.05)


def open_page(page, server, hash_=""):
    page.goto(server.url + hash_)
    wait_js(page, "!!(window.playgroundStats && window.playgroundStats.frames > 0)", timeout=15)


def stats(page):
    return page.evaluate("({...window.playgroundStats})")


def server_epoch(page):
    """The epoch of the page's session as the server has it (from its export)."""
    return page.evaluate("fetch(`/api/sessions/${window.playgroundStats.session}/export.json`)"
                         ".then(r => r.json()).then(s => s.epoch)")


def shot(page, name):
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_train_and_watch_it_learn(page, server):
    open_page(page, server)
    assert page.inner_text("#epoch-number") == "000,000"
    assert page.locator("#network .node.neuron").count() == 6
    assert page.locator("#network .node.feature.inactive").count() == 5
    loss0 = page.inner_text("#loss-train")
    page.click("#play-pause-button")
    wait_js(page, "window.playgroundStats.epoch >= 20", timeout=60)
    # pictures keep coming while it trains: counted with a generous deadline, not timed (CI machines are slow)
    before, epoch, start = stats(page)["frames"], stats(page)["epoch"], time.monotonic()
    wait_js(page, f"window.playgroundStats.frames >= {before + 20} && window.playgroundStats.epoch > {epoch}",
            timeout=60)
    rate = (stats(page)["frames"] - before) / (time.monotonic() - start)
    print(f"playground: {rate:.0f} pictures per second, epoch {stats(page)['epoch']}")  # shown with pytest -s
    assert page.inner_text("#loss-train") != loss0
    assert page.get_attribute("#play-pause-button", "aria-label") == "Pause"
    shot(page, "training.png")
    page.click("#play-pause-button")
    wait_js(page, "!window.playgroundStats.playing")
    # paused on the server: its epoch stays put (asked twice; a frame still in flight to the page cannot matter)
    epoch = server_epoch(page)
    time.sleep(0.3)
    assert server_epoch(page) == epoch
    assert "epoch" not in page.url and "activation=tanh" in page.url


def test_change_dataset_activation_step_and_reset(page, server):
    open_page(page, server)
    structures = stats(page)["structures"]
    page.click("#datasets button[data-dataset=xor]")
    wait_js(page, f"window.playgroundStats.structures > {structures}")
    assert "dataset=xor" in page.url
    # The page marks the button when it applies the server's answer, which may come just after the new frame.
    wait_js(page, "document.querySelector('#datasets button[data-dataset=xor]').className === 'selected'")
    page.select_option("#activation", "relu")
    wait_js(page, "location.hash.includes('activation=relu')")
    page.click("#next-step-button")
    wait_js(page, "window.playgroundStats.epoch === 1")
    page.click("#next-step-button")
    wait_js(page, "window.playgroundStats.epoch === 2")
    assert page.inner_text("#epoch-number") == "000,002"
    page.click("#reset-button")
    wait_js(page, "window.playgroundStats.epoch === 0")
    page.click("#add-layers")
    wait_js(page, "document.querySelector('#num-layers').textContent === '3'")
    page.click(".layer-controls[data-layer='0'] button[title='Add a neuron']")
    wait_js(page, "location.hash.includes('networkShape=5,2,2')")
    page.click("#network .node.feature[data-feature=xTimesY]")
    wait_js(page, "location.hash.includes('xTimesY=true')")
    page.wait_for_selector("#network .node.feature[data-feature=xTimesY]:not(.inactive)")
    assert page.locator("#network .node.neuron").count() == 9
    page.select_option("#problem", "regression")
    page.wait_for_selector("#datasets button[data-dataset=reg-gauss]")
    page.click("#datasets button[data-dataset=reg-gauss]")
    wait_js(page, "location.hash.includes('regDataset=reg-gauss')")
    shot(page, "changed.png")


def test_upload_csv(page, server, tmp_path):
    open_page(page, server)
    rows = ["x,y,species"] + [f"{(i % 20) - 10},{(i // 20) - 5},{['setosa', 'virginica', 'versicolor'][i % 3]}"
                              for i in range(200)]
    good = tmp_path / "three.csv"
    good.write_text("\n".join(rows))
    page.set_input_files("#csv-file", str(good))
    wait_js(page, "document.querySelector('#data-message').textContent.includes('Loaded')")
    assert "3 classes" in page.inner_text("#data-message")
    wait_js(page, "document.querySelectorAll('#color-legend .dot').length === 3")
    assert "versicolor" in page.inner_text("#color-legend")
    assert page.locator("#network .node.output").count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2\n3,4\n5,6\n7,8\n")
    page.set_input_files("#csv-file", str(bad))
    wait_js(page, "document.querySelector('#data-message').classList.contains('error')")
    assert "expected 3 columns" in page.inner_text("#data-message")
    page.click("#next-step-button")                          # the bad file broke nothing
    wait_js(page, "window.playgroundStats.epoch === 1")
    shot(page, "csv.png")


def test_export_script_and_weights(page, server, tmp_path):
    open_page(page, server, "#networkShape=3&xSquared=true")
    page.click("#next-step-button")
    wait_js(page, "window.playgroundStats.epoch === 1")
    with page.expect_download() as info:
        page.click("#export-py")
    script = tmp_path / "net.py"
    info.value.save_as(script)
    assert info.value.suggested_filename == "playground_network.py"
    with page.expect_download() as info:
        page.click("#export-json")
    weights = tmp_path / "net.json"
    info.value.save_as(weights)
    import json
    spec = json.loads(weights.read_text())
    assert spec["layers"] == [3, 3, 1] and spec["epoch"] == 1
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=ROOT))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "x1,x2,output,class"


def test_unusable_values_in_the_url_are_explained(page, server):
    open_page(page, server, "#learningRate=NaN&batchSize=1e400&noise=99")
    message = page.inner_text("#error-message")
    assert "learningRate='NaN'" in message and "batchSize='1e400'" in message and "noise must be between" in message
    assert page.input_value("#learningRate") == "0.03" and "noise=50" in page.url


def test_export_of_a_diverged_network_explains_instead_of_downloading(page, server):
    open_page(page, server, "#problem=regression&activation=linear&networkShape=8,8,8&xSquared=true"
                            "&learningRate=10&batchSize=30")
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.click("#next-step-button")
    wait_js(page, "window.playgroundStats.epoch === 1")
    page.click("#export-json")
    wait_js(page, "document.querySelector('#error-message').textContent.includes('not finite')")
    assert not downloads
    shot(page, "diverged.png")


def test_url_state_and_separate_tabs(page, server, browser):
    open_page(page, server, "#dataset=spiral&numClasses=3&loss=crossentropy&activation=sigmoid"
                            "&networkShape=3,3,3&learningRate=0.1&optimizer=adam&dropout=0.1&showTestData=true")
    assert page.input_value("#activation") == "sigmoid" and page.input_value("#learningRate") == "0.1"
    assert page.input_value("#optimizer") == "adam" and page.input_value("#dropout") == "0.1"
    assert page.inner_text("#num-layers") == "3" and page.is_checked("#showTestData")
    wait_js(page, "document.querySelectorAll('#color-legend .dot').length === 3")
    other = page.context.new_page()
    other.goto(server.url + "#dataset=gauss")
    wait_js(other, "!!(window.playgroundStats && window.playgroundStats.frames > 0)", timeout=15)
    assert stats(other)["session"] != stats(page)["session"]
    page.click("#play-pause-button")
    wait_js(page, "window.playgroundStats.epoch >= 30", timeout=15)
    shot(page, "multiclass.png")
    page.click("#play-pause-button")
    assert stats(other)["epoch"] == 0 and "dataset=gauss" in other.url
    assert other.input_value("#activation") == "tanh"
    other.close()


def test_an_evicted_tab_says_so_and_carries_on(page, server):
    open_page(page, server, "#dataset=xor&networkShape=3")
    old = stats(page)["session"]
    server.sessions.evict(old)                   # as when another tab needed the slot of this idle one
    wait_js(page, "window.playgroundStats.evicted === 1 && window.playgroundStats.session !== "
                  f"'{old}' && window.playgroundStats.frames > 0", timeout=30)
    assert "make room for another tab" in page.inner_text("#error-message")
    assert "new session was started with the same settings" in page.inner_text("#error-message")
    assert "dataset=xor" in page.url and page.locator("#network .node.neuron").count() == 3
    page.click("#next-step-button")              # the new session works
    wait_js(page, "window.playgroundStats.epoch === 1")
    shot(page, "evicted.png")
