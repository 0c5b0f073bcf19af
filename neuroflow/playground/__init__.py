"""neuroflow Playground: tinker with a neural network in the browser, trained by neuroflow.

Run it with `neuroflow playground` or `python -m neuroflow playground` (options: --host, --port, --no-browser).
The server is the standard library's; the page is plain HTML, CSS and JavaScript served from this package.

    >>> from neuroflow.playground import serve
    >>> serve(port=8000, open_browser=False)          # until Ctrl+C
"""

__all__ = ["serve", "make_server", "Playground"]


def __getattr__(name):
    # the server and the engine load on first use, so `import neuroflow.playground` stays cheap
    if name in ("serve", "make_server"):
        from . import server
        return getattr(server, name)
    if name == "Playground":
        from .engine import Playground
        return Playground
    raise AttributeError(f"module 'neuroflow.playground' has no attribute {name!r}")
