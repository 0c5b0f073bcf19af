"""The `neuroflow` command: `neuroflow playground [--host H] [--port P] [--no-browser]`, `neuroflow --version`
(also `python -m neuroflow`)."""
import argparse
import sys

from .version import VERSION


def main(argv=None):
    """Parses the command line and runs the chosen tool. Returns the exit status."""
    parser = argparse.ArgumentParser(prog="neuroflow", description="neuroflow's command-line tools.")
    parser.add_argument("--version", action="version", version=f"neuroflow {VERSION}")
    tools = parser.add_subparsers(dest="tool", metavar="TOOL")
    pg = tools.add_parser("playground", help="tinker with a neural network in your browser, trained by neuroflow",
                          description="Starts the neuroflow Playground: a local web page whose network is "
                                      "trained by neuroflow.")
    pg.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: only this machine can connect)")
    pg.add_argument("--port", type=int, default=None,
                    help="port to listen on (default 8000, or the next free port above it)")
    pg.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    args = parser.parse_args(argv)
    if args.tool != "playground":
        parser.print_help()
        return 2
    if args.port is not None and not 0 <= args.port <= 65535:
        parser.error(f"--port must be between 0 and 65535, got {args.port}")
    from .playground.server import serve
    try:
        serve(args.host, args.port, open_browser=not args.no_browser)
    except OSError as e:
        print(f"neuroflow playground: cannot listen on {args.host}:{args.port or 8000}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
