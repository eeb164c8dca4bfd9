"""What the Jaeger tests share (standard library only): the Jaeger binary that
scripts/setup.sh builds (github.com/jaegertracing/jaeger/cmd/jaeger v1.75.0),
started on loopback ports with jaeger.yaml, and its query API.

    with Jaeger(src, out, env) as j:   # j is None when there is no binary (the test skips: 77)
        ... j.otlp_url ... j.get("/services") ...
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "export"))
from otlp_receiver import free_port  # noqa: E402


def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)


def tags(items):
    return {t["key"]: t["value"] for t in items}


def default_jaeger():
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.environ.get("CANCELFLOW_JAEGER") or os.path.join(cache, "cancelflow", "jaeger-v1.75.0", "jaeger")


class Jaeger:
    """Jaeger all-in-one on free loopback ports; .otlp_url (OTLP/HTTP base), .api (query API base)."""

    def __init__(self, src, out, env, binary=None):
        self.binary = binary or default_jaeger()
        self.src, self.out, self.env = src, out, env
        self.proc = None

    def __enter__(self):
        if not os.access(self.binary, os.X_OK):
            print(f"skipped: no Jaeger binary at {self.binary} (scripts/setup.sh builds it)")
            return None
        otlp_port, query_port = free_port(), free_port()
        # Jaeger's own gRPC exporter dials localhost:4317 unless told otherwise (another Jaeger may
        # listen there; telemetry.traces.level and OTEL_SDK_DISABLED do not stop it): a refusing port.
        sink = f"http://127.0.0.1:{free_port()}"
        jenv = dict(self.env, OTEL_EXPORTER_OTLP_ENDPOINT=sink, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=sink,
                    CF_JAEGER_OTLP_PORT=str(otlp_port), CF_JAEGER_QUERY_PORT=str(query_port),
                    CF_JAEGER_QUERY_GRPC_PORT=str(free_port()))
        self.log_path = os.path.join(self.out, "jaeger.log")
        log = open(self.log_path, "w")
        t0 = time.monotonic()
        self.proc = subprocess.Popen([self.binary, "--config", "file:" + os.path.join(self.src, "tests", "jaeger", "jaeger.yaml")],
                                     env=jenv, stdout=log, stderr=subprocess.STDOUT)
        self.otlp_url = f"http://127.0.0.1:{otlp_port}"
        self.api = f"http://127.0.0.1:{query_port}/api"
        for _ in range(600):
            try:
                get(self.api + "/services")
                break
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.1)
        if self.proc.poll() is not None:
            print(open(self.log_path).read())
            raise RuntimeError(f"jaeger exited with {self.proc.returncode}")
        print(f"Jaeger ready in {time.monotonic() - t0:.2f} s")
        return self

    def get(self, path):
        return get(self.api + path)

    def __exit__(self, *exc):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
