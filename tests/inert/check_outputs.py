#!/usr/bin/env python3
"""Every cancelflow command on a trace full of hostile strings (tests/inert/hostile).

    check_outputs.py CANCELFLOW TRACE OUTDIR

Runs analyze (text and --json), check (plain, --github, --junit, --sarif),
html, perfetto and pprof, plus an error message naming a hostile file, and
checks what reaches the user:
  * text streams (every stdout and stderr): valid UTF-8 with no C0 control but
    \\n (and \\t), no DEL, no C1 control, no bidi control, no U+2028/U+2029,
    and no line starting with "::" except the annotations cancelflow writes
    under --github (which must have the shape of the commands it writes);
  * JSON (analyze --json, SARIF) parses, is ASCII, and carries the strings
    exactly (the data is not escaped away); JUnit parses as XML; the HTML has
    exactly the <script> elements of the template and no payload markup;
  * binary outputs (Perfetto, pprof) hold none of the raw hostile sequences;
  * the payloads do reach each output (inert), so the test cannot pass by
    printing nothing.
Exit 0 when all hold; otherwise every failure is listed and the exit is 1.
"""
import gzip
import html.parser
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

cancelflow, trace, outdir = sys.argv[1:4]
os.makedirs(outdir, exist_ok=True)
failures = []


def fail(what, msg):
    failures.append(f"{what}: {msg}")


# Plain `check` must not print annotations because CI is detected.
ENV = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}


def run(what, args, ok=(0, 1)):
    p = subprocess.run([cancelflow] + args, capture_output=True, timeout=120, env=ENV)
    if p.returncode not in ok:
        fail(what, f"exit {p.returncode}, want one of {ok}; stderr: {p.stderr[:500]!r}")
    return p.stdout, p.stderr


# Bidi embeddings/overrides/isolates, marks, line and paragraph separators.
BANNED_RUNES = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C, 0x2028, 0x2029}
ANNOTATION = re.compile(r"^::(error|warning|notice) (file=[^:,]*,(line=\d+,)?)?title=[^:,]*::")
# The raw pieces of the payload (tests/inert/hostile/main.go) that must never be printed as they are.
RAW_SEQUENCES = [b"\n::error file=x.go", b"\n::add-mask::", b"\x1b[2J", b"\x1b]0;pwned\x07", b"nul\x00", b"del\x7f",
                 b"\xc2\x9b31m", "\u202e".encode(), "\u2028".encode(), b"bad\xff\xfe"]


def check_text(what, data, annotations=False):
    """A stream printed to a terminal or a CI log."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(what, f"invalid UTF-8: {e}")
        return ""
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch not in "\n\t") or o == 0x7F or 0x80 <= o <= 0x9F or o in BANNED_RUNES:
            fail(what, f"raw U+{o:04X} at offset {i}: {text[max(0, i - 40):i + 10]!r}")
            break
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("::"):
            if not annotations:
                fail(what, f"line {n} starts with '::': {line[:120]!r}")
            elif not ANNOTATION.match(line):
                fail(what, f"line {n} is not an annotation cancelflow writes: {line[:120]!r}")
    return text


def check_raw_absent(what, data):
    for seq in RAW_SEQUENCES:
        if seq in data:
            fail(what, f"raw hostile sequence {seq!r} in the output")


def expect(what, text, needles):
    for needle in needles:
        if needle not in text:
            fail(what, f"does not show {needle!r} (the payload must reach the output, inert)")


# The inert form of the payload's start, as every text output shows it.
INERT_IGNORER = r"ignorer\n::error file=x.go,line=1::forged ignorer\n::add-mask::secret\r\x1b[2J\x1b]0;pwned\x07"
INERT_CAUSE = r"cause\n::error file=x.go,line=1::forged cause"
INERT_BIDI = r"\u202eevil\u202c ls\u2028ps\u2029 bad\xff\xfe"

out, err = run("analyze", ["analyze", trace])
expect("analyze", check_text("analyze stdout", out), [INERT_IGNORER, INERT_CAUSE, INERT_BIDI, "del\\x7f", "c1\\u009b"])
check_text("analyze stderr", err)

out, err = run("analyze --json", ["analyze", "--json", trace])
text = check_text("analyze --json stdout", out)
check_text("analyze --json stderr", err)
if any(ord(c) > 0x7E for c in text):
    fail("analyze --json", "not ASCII")
try:
    doc = json.loads(text)
    causes = [c.get("cause", "") for c in doc.get("cancellations", [])]
    # The data stays exact: the cause's control characters survive JSON, invalid bytes become U+FFFD.
    if not any(c.startswith("cause\n::error file=x.go,line=1::forged cause\n::add-mask::secret\r\x1b[2J") and
               "bad\ufffd\ufffd" in c for c in causes):
        fail("analyze --json", f"the cause is not carried exactly: {causes!r}")
except json.JSONDecodeError as e:
    fail("analyze --json", f"not JSON: {e}")

out, err = run("check", ["check", trace])
expect("check", check_text("check stdout", out), [INERT_IGNORER])
check_text("check stderr", err)

out, err = run("check --github", ["check", "--github", trace])
text = check_text("check --github stdout", out, annotations=True)
check_text("check --github stderr", err)
commands = [l for l in text.split("\n") if l.startswith("::")]
if not commands:
    fail("check --github", "no annotation written")
expect("check --github", text, [INERT_IGNORER, INERT_BIDI])

junit, sarif = os.path.join(outdir, "hostile.xml"), os.path.join(outdir, "hostile.sarif")
out, err = run("check --junit --sarif", ["check", "--junit", junit, "--sarif", sarif, trace])
check_text("check --junit --sarif stderr", err)
with open(junit, "rb") as f:
    data = f.read()
text = check_text("junit", data)
try:
    ET.fromstring(data)
except ET.ParseError as e:
    fail("junit", f"not well-formed XML: {e}")
expect("junit", text, [INERT_IGNORER])
with open(sarif, "rb") as f:
    data = f.read()
text = check_text("sarif", data)
try:
    s = json.loads(text)
    msgs = [r["message"]["text"] for run_ in s["runs"] for r in run_["results"]]
    expect("sarif", "\n".join(msgs), [INERT_IGNORER])
except (json.JSONDecodeError, KeyError, TypeError) as e:
    fail("sarif", f"not the expected JSON: {e}")


class ScriptCounter(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


html_out = os.path.join(outdir, "hostile.html")
out, err = run("html", ["html", trace, "-o", html_out], ok=(0,))
check_text("html stderr", err)
with open(html_out, "rb") as f:
    data = f.read()
text = check_text("html", data)
check_raw_absent("html", data)
if "window.cfPwned" in text.replace("window.cfPwned=1\\u003c", ""):
    fail("html", "payload markup present outside the escaped data")
p = ScriptCounter()
p.feed(text)
p.close()
if p.tags.count("script") != 2 or p.tags.count("img") or "<script>window" in text:
    fail("html", f"elements differ from the template: {p.tags.count('script')} <script>")
expect("html", text, ["forged ignorer"])

pftrace = os.path.join(outdir, "hostile.pftrace")
out, err = run("perfetto", ["perfetto", trace, "-o", pftrace], ok=(0,))
check_text("perfetto stderr", err)
with open(pftrace, "rb") as f:
    data = f.read()
check_raw_absent("perfetto", data)
# ... and the file is still one trace_processor accepts (tests/report/perfetto_upstream.py).
upstream = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "report", "perfetto_upstream.py")
p_ = subprocess.run([sys.executable, upstream, pftrace], capture_output=True, text=True)
if p_.returncode != 0:
    fail("perfetto", f"upstream check: {p_.stderr[-800:]}")
expect("perfetto", data.decode("utf-8", "replace"), [INERT_IGNORER[:60]])

pprof = os.path.join(outdir, "hostile.pb.gz")
out, err = run("pprof", ["pprof", trace, "-o", pprof], ok=(0,))
check_text("pprof stderr", err)
with open(pprof, "rb") as f:
    data = gzip.decompress(f.read())
check_raw_absent("pprof", data)

# Error messages name files: a hostile file name is printed inert.
bad = os.path.join(outdir, "missing\n::error file=x.go::forged\x1b[2J\u202e.trace")
out, err = run("error message", ["analyze", bad], ok=(2,))
text = check_text("error message stderr", err)
expect("error message", text, [r"missing\n::error file=x.go::forged\x1b[2J\u202e.trace"])
out, err = run("check error message", ["check", bad], ok=(2,))
check_text("check error message stderr", err)
check_text("check error message stdout", out)

if failures:
    print("FAIL hostile strings reach cancelflow's outputs:", file=sys.stderr)
    for f_ in failures:
        print("  " + f_, file=sys.stderr)
    sys.exit(1)
print(f"ok: analyze, analyze --json, check (plain, --github, --junit, --sarif), html, perfetto, pprof and error "
      f"messages keep {trace} inert")
