"""What the OTLP tests share (standard library only): a tiny OTLP/HTTP receiver
that stores every request (path, headers, body) and answers as told, a
refusing port, and the expect/finish pair of a test script.

Modes: "ok" (200 with an empty ExportTraceServiceResponse), "500" (a server
error), "partial" (200 with partial_success: 2 spans rejected), "slow" (waits
`delay` seconds before answering 200).
"""
import http.server
import os
import socket
import sys
import threading
import time

# ExportTraceServiceResponse{partial_success{rejected_spans: 2, error_message: "quota"}}
PARTIAL = bytes([0x0A, 0x09, 0x08, 0x02, 0x12, 0x05]) + b"quota"


class Receiver:
    def __init__(self, mode="ok", delay=0.0):
        self.mode, self.delay = mode, delay
        self.requests = []  # (path, headers dict, body bytes)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if receiver.mode == "slow":
                    time.sleep(receiver.delay)
                if receiver.mode == "500":
                    self.send_response(500)
                    payload, ctype = b"internal error", "text/plain"
                else:
                    self.send_response(200)
                    payload, ctype = (PARTIAL if receiver.mode == "partial" else b""), "application/x-protobuf"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def free_port():
    """A loopback port nothing listens on (bound, then closed): connections are refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# The gate scripts' list of failed expectations (tests/gate/checks.py), called as expect(cond, what).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gate"))
from checks import Checks as Expect  # noqa: E402
