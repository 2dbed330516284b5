#!/usr/bin/env python3
"""A small round-robin HTTP proxy for tests and trials of two app servers behind one
address (scripts/two-servers). Standard library only; production uses nginx (README).

    python scripts/rr_proxy.py --listen 127.0.0.1:8080 127.0.0.1:8001 127.0.0.1:8002

Each request goes to the next backend in turn; the response says which one served it in
`X-Backend` (host:port). Bodies are passed through in blocks (uploads and downloads are
not held whole). Loopback only: it refuses to listen anywhere else.
"""

import argparse
import http.client
import itertools
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
BLOCK = 64 * 1024


def make_handler(backends: list[str], timeout: float):
    turn = itertools.cycle(backends)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: the body ends at close

        def _forward(self):
            with lock:
                backend = next(turn)
            host, port = backend.rsplit(":", 1)
            length = int(self.headers.get("Content-Length") or 0)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            client = self.client_address[0]
            forwarded = self.headers.get("X-Forwarded-For")
            headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
            headers["X-Forwarded-Proto"] = "http"
            upstream = http.client.HTTPConnection(host, int(port), timeout=timeout)
            try:
                upstream.putrequest(
                    self.command, self.path, skip_host=True, skip_accept_encoding=True
                )
                for name, value in headers.items():
                    upstream.putheader(name, value)
                upstream.endheaders()
                remaining = length
                while remaining > 0:
                    block = self.rfile.read(min(BLOCK, remaining))
                    if not block:
                        break
                    upstream.send(block)
                    remaining -= len(block)
                response = upstream.getresponse()
            except OSError as error:
                upstream.close()
                self.send_error(502, f"backend {backend}: {error}")
                return
            try:
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("X-Backend", backend)
                self.send_header("Connection", "close")
                self.end_headers()
                if self.command != "HEAD":
                    while block := response.read(BLOCK):
                        self.wfile.write(block)
            finally:
                upstream.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

        def log_message(self, format, *args):
            pass  # the app servers keep the access logs

    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", default="127.0.0.1:8080", help="host:port (loopback)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per backend call")
    parser.add_argument("backends", nargs="+", help="host:port of each app server")
    args = parser.parse_args(argv)
    host, port = args.listen.rsplit(":", 1)
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        parser.error("the proxy listens on loopback only")
    server = ThreadingHTTPServer((host, int(port)), make_handler(args.backends, args.timeout))
    server.daemon_threads = True
    print(f"proxy on http://{host}:{port} -> {', '.join(args.backends)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
