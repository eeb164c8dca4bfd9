"""What the live tests share (standard library only): building and starting
the Go test service (tests/live/liveserver), a fake pprof server for the
error cases, and a refusing port (tests/export/otlp_receiver.free_port).

The service is built twice into OUT_DIR/../liveserver-bin (cached while
main.go is unchanged): with GOEXPERIMENT=goroutineleakprofile (Go 1.26: the
server has /debug/pprof/goroutineleak) and without (a server with no leak
profile, like Go 1.25 or older).
"""
import http.server
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
from otlp_receiver import Expect, free_port  # noqa: E402,F401


def build_servers(bin_dir):
    """(with_profile, without_profile) executables, built when main.go is newer."""
    os.makedirs(bin_dir, exist_ok=True)
    src = os.path.join(HERE, "liveserver", "main.go")
    out = []
    for name, exp in (("liveserver", "goroutineleakprofile"), ("liveserver-noleakprofile", "")):
        exe = os.path.join(bin_dir, name)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            env = dict(os.environ, GOEXPERIMENT=exp, GOFLAGS="-mod=mod", CGO_ENABLED="0")
            t0 = time.monotonic()
            tmp = f"{exe}.tmp-{os.getpid()}"  # tests running at once build side by side
            subprocess.run(["go", "build", "-o", tmp, "./liveserver"], cwd=HERE, env=env, check=True)
            os.replace(tmp, exe)
            print(f"built {name} in {time.monotonic() - t0:.1f} s")
        out.append(exe)
    return out


class Server:
    """A running liveserver; .url is its http://127.0.0.1:PORT/debug/pprof/."""

    def __init__(self, exe, *flags):
        self.proc = subprocess.Popen([exe, *flags], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "listening":
            self.stop()
            raise RuntimeError(f"liveserver {flags}: unexpected first line {line}")
        self.url = line[1]
        self.hostport = self.url.split("/")[2]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class FakePprof:
    """A pprof look-alike on loopback answering by path prefix:
    /500/ -> HTTP 500; /404/ -> 404; /html/ -> 200 with an HTML page (not a trace);
    /slow/ -> sleeps 30 s before answering; /notrace-profile/ -> trace 404 too."""

    def __init__(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                kind = self.path.split("/")[1]
                if kind == "slow":
                    time.sleep(30)
                if kind == "500":
                    self.send_response(500)
                    body = b"internal error: something broke\n"
                elif kind == "html":
                    self.send_response(200)
                    body = b"<html><body>login required</body></html>\n"
                else:
                    self.send_response(404)
                    body = b"404 page not found\n"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, kind):
        return f"http://127.0.0.1:{self.port}/{kind}/debug/pprof/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
