#!/usr/bin/env python3
"""Checks .pftrace files against the full upstream Perfetto proto, and what trace_processor enforces.

    perfetto_upstream.py [--cancelflow CF] PATH...   PATH: a .pftrace, or a .trace / directory of .trace
                                                      files (written to .pftrace with `CF perfetto` first)
    perfetto_upstream.py --self-test                  broken files must be rejected, a good one accepted

The upstream schema is the one the PyPI `perfetto` package ships as
perfetto/protos/perfetto/trace/perfetto_trace_pb2.py (scripts/setup.sh installs
it, without its protobuf runtime: only the serialized FileDescriptorProto in
that file is read, with `ast`, and handed to `protoc --decode` as a descriptor
set). Checks per file:
  * it decodes as perfetto.protos.Trace and no field is unknown to upstream
    (a field-number drift in src/report/perfetto_writer.cc shows as one);
  * every TrackEvent's track was described by an earlier TrackDescriptor,
    uuids are unique, every parent_uuid resolves;
  * slices balance per track (no end without a begin, none left open);
  * timestamps never decrease on a track;
  * every flow id starts once (flow_ids) and terminates once
    (terminating_flow_ids), not before it starts;
  * a sequence that uses interned data starts with SEQ_INCREMENTAL_STATE_CLEARED
    and flags its packets SEQ_NEEDS_INCREMENTAL_STATE; every packet has a
    trusted_packet_sequence_id;
  * pids are small (1..4194303, Linux's pid_max) and every process is named;
    no thread's tid is some process's pid;
  * goroutine (thread) tracks are ordered by start time: their processes ask
    for THREAD_ORDERING_EXPLICIT and sibling_order_rank grows with the
    thread's first timestamp.
"""
import ast
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

PID_MAX = 4194304
SEQ_INCREMENTAL_STATE_CLEARED, SEQ_NEEDS_INCREMENTAL_STATE = 1, 2
THREAD_ORDERING_EXPLICIT = "THREAD_ORDERING_EXPLICIT"


def varint(n):
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def upstream_descriptor_set(tmpdir):
    spec = importlib.util.find_spec("perfetto")  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        sys.exit("perfetto_upstream: the PyPI package `perfetto` is not installed: run scripts/setup.sh")
    pb2 = os.path.join(list(spec.submodule_search_locations)[0], "protos", "perfetto", "trace", "perfetto_trace_pb2.py")
    with open(pb2) as f:
        tree = ast.parse(f.read())
    blob = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "AddSerializedFile":
            blob = node.args[0].value
    if not isinstance(blob, bytes):
        sys.exit(f"perfetto_upstream: no serialized descriptor in {pb2}")
    path = os.path.join(tmpdir, "perfetto_trace.desc")
    with open(path, "wb") as f:  # FileDescriptorSet { repeated FileDescriptorProto file = 1; }
        f.write(b"\x0a" + varint(len(blob)) + blob)
    return path


def parse_text_format(text):
    """protoc's text output -> nested dicts of lists (field name -> [values])."""
    root, stack = {}, []
    cur = root
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line == "}":
            cur = stack.pop()
        elif line.endswith("{"):
            child = {}
            cur.setdefault(line[:-1].strip(), []).append(child)
            stack.append(cur)
            cur = child
        else:
            key, _, value = line.partition(": ")
            if value.startswith('"'):
                value = value[1:-1]
            cur.setdefault(key, []).append(value)
    return root


def one(msg, key, default=None):
    v = msg.get(key)
    return v[0] if v else default


def check_file(path, desc):
    errors = []
    with open(path, "rb") as f:
        data = f.read()
    p = subprocess.run(["protoc", "--decode=perfetto.protos.Trace", f"--descriptor_set_in={desc}"], input=data,
                       capture_output=True)
    if p.returncode != 0:
        return [f"does not decode with the upstream proto: {p.stderr.decode(errors='replace')[:300]}"]
    text = p.stdout.decode("utf-8", errors="replace")
    unknown = re.findall(r"^\s*(\d+)(?:: | \{)", text, re.M)
    if unknown:
        errors.append(f"fields unknown to the upstream proto: {sorted(set(unknown))[:10]}")
    packets = parse_text_format(text).get("packet", [])
    tracks = {}          # uuid -> descriptor
    pids = {}            # pid -> process name
    thread_tracks = []   # (uuid, pid, tid, rank)
    open_slices = {}     # uuid -> depth
    last_ts = {}         # uuid -> last timestamp
    first_ts = {}        # uuid -> first event timestamp
    flow_begin, flow_end = {}, {}
    seq_state = {}       # sequence id -> incremental state valid
    for i, pk in enumerate(packets):
        seq = one(pk, "trusted_packet_sequence_id")
        if seq is None:
            errors.append(f"packet {i}: no trusted_packet_sequence_id")
            continue
        flags = int(one(pk, "sequence_flags", "0"))
        if flags & SEQ_INCREMENTAL_STATE_CLEARED or one(pk, "incremental_state_cleared") == "true":
            seq_state[seq] = True
        uses_interning = "interned_data" in pk or any(k.endswith("_iid") or k.endswith("_iids")
                                                      for te in pk.get("track_event", []) for k in te)
        if uses_interning and not seq_state.get(seq):
            errors.append(f"packet {i}: interned data on sequence {seq} before SEQ_INCREMENTAL_STATE_CLEARED")
        if uses_interning and not flags & SEQ_NEEDS_INCREMENTAL_STATE and "interned_data" not in pk:
            errors.append(f"packet {i}: uses interned data without SEQ_NEEDS_INCREMENTAL_STATE")
        for td in pk.get("track_descriptor", []):
            uuid = one(td, "uuid")
            if uuid is None or uuid in tracks:
                errors.append(f"packet {i}: track uuid {uuid} missing or described twice")
                continue
            parent = one(td, "parent_uuid")
            if parent is not None and parent not in tracks:
                errors.append(f"packet {i}: track {uuid} has parent {parent} not described before it")
            tracks[uuid] = td
            for proc in td.get("process", []):
                pid = int(one(proc, "pid", "0"))
                name = one(proc, "process_name", "") or one(td, "name", "")
                if not 0 < pid < PID_MAX:
                    errors.append(f"track {uuid}: pid {pid} is not a small pid (1..{PID_MAX - 1})")
                if not name:
                    errors.append(f"track {uuid}: process {pid} has no name")
                if pid in pids:
                    errors.append(f"track {uuid}: pid {pid} described twice")
                pids[pid] = (name, one(td, "thread_ordering"))
            for th in td.get("thread", []):
                rank = one(td, "sibling_order_rank")
                thread_tracks.append((uuid, int(one(th, "pid", "0")), int(one(th, "tid", "0")),
                                      None if rank is None else int(rank)))
        for te in pk.get("track_event", []):
            uuid = one(te, "track_uuid")
            ts = int(one(pk, "timestamp", "-1"))
            if uuid not in tracks:
                errors.append(f"packet {i}: event on track {uuid} before (or without) its descriptor")
                continue
            if ts < last_ts.get(uuid, -1):
                errors.append(f"packet {i}: timestamp {ts} goes back on track {uuid} (last {last_ts[uuid]})")
            last_ts[uuid] = ts
            first_ts.setdefault(uuid, ts)
            kind = one(te, "type")
            if kind == "TYPE_SLICE_BEGIN":
                open_slices[uuid] = open_slices.get(uuid, 0) + 1
            elif kind == "TYPE_SLICE_END":
                if open_slices.get(uuid, 0) == 0:
                    errors.append(f"packet {i}: slice end without a begin on track {uuid}")
                else:
                    open_slices[uuid] -= 1
            for fid in te.get("flow_ids", []):
                if fid in flow_begin:
                    errors.append(f"packet {i}: flow {fid} starts twice")
                flow_begin[fid] = ts
            for fid in te.get("terminating_flow_ids", []):
                if fid in flow_end:
                    errors.append(f"packet {i}: flow {fid} terminates twice")
                if fid not in flow_begin:
                    errors.append(f"packet {i}: flow {fid} terminates before it starts")
                flow_end[fid] = ts
    for uuid, depth in open_slices.items():
        if depth:
            errors.append(f"track {uuid}: {depth} slice(s) never end")
    for fid in flow_begin:
        if fid not in flow_end:
            errors.append(f"flow {fid} never terminates")
    by_pid = {}
    for uuid, pid, tid, rank in thread_tracks:
        if pid not in pids:
            errors.append(f"thread track {uuid}: pid {pid} has no process descriptor")
        if tid in pids:
            errors.append(f"thread track {uuid}: tid {tid} is also a process's pid")
        by_pid.setdefault(pid, []).append((uuid, rank))
    for pid, threads in by_pid.items():
        if len(threads) < 2:
            continue
        if pids.get(pid, ("", None))[1] != THREAD_ORDERING_EXPLICIT:
            errors.append(f"process {pid}: {len(threads)} goroutine tracks but no THREAD_ORDERING_EXPLICIT")
            continue
        ranked = sorted(threads, key=lambda t: (t[1] is None, t[1]))
        starts = [first_ts.get(uuid, 1 << 62) for uuid, _ in ranked]
        if any(r is None for _, r in threads) or starts != sorted(starts):
            errors.append(f"process {pid}: goroutine tracks are not ranked by start time")
    return errors


def self_test(desc, tmpdir):
    """Hand-encoded traces: each broken one must be rejected for its reason."""
    def field(num, wire, payload):
        key = varint(num << 3 | wire)
        if wire == 1:
            return key + payload.to_bytes(8, "little")
        return key + (varint(payload) if wire == 0 else varint(len(payload)) + payload)

    def packet(*parts, seq=1):
        return field(1, 2, field(10, 0, seq) + b"".join(parts))

    def track(uuid, parent=None, name=b"t"):
        return field(60, 2, field(1, 0, uuid) + (field(5, 0, parent) if parent else b"") + field(2, 2, name))

    def process(uuid, pid, name=b"p", ordering=True):
        return field(60, 2, field(1, 0, uuid) + field(3, 2, field(1, 0, pid) + field(6, 2, name)) +
                     (field(20, 0, 1) if ordering else b""))

    def thread(uuid, pid, tid, rank):
        return field(60, 2, field(1, 0, uuid) + field(4, 2, field(1, 0, pid) + field(2, 0, tid)) + field(12, 0, rank))

    def event(ts, uuid, kind, extra=b""):
        return field(8, 0, ts) + field(11, 2, field(9, 0, kind) + field(11, 0, uuid) + extra)

    good = [packet(track(8)), packet(process(16, 3)), packet(thread(24, 3, 100, 0)), packet(thread(32, 3, 101, 1)),
            packet(event(10, 24, 1)), packet(event(12, 32, 3, field(47, 1, 7))), packet(event(15, 24, 3, field(48, 1, 7))),
            packet(event(20, 24, 2))]
    cases = {
        "good": (good, None),
        "unknown field": ([packet(track(8)), packet(field(1999, 0, 1))], "unknown to the upstream"),
        "event before descriptor": ([packet(event(1, 8, 3)), packet(track(8))], "before (or without)"),
        "unresolved parent": ([packet(track(8, parent=99))], "not described before"),
        "unbalanced": ([packet(track(8)), packet(event(1, 8, 1))], "never end"),
        "end without begin": ([packet(track(8)), packet(event(1, 8, 2))], "without a begin"),
        "time goes back": ([packet(track(8)), packet(event(5, 8, 3)), packet(event(4, 8, 3))], "goes back"),
        "flow twice": ([packet(track(8)), packet(event(1, 8, 3, field(47, 1, 5))), packet(event(2, 8, 3, field(47, 1, 5))),
                        packet(event(3, 8, 3, field(48, 1, 5)))], "starts twice"),
        "flow open": ([packet(track(8)), packet(event(1, 8, 3, field(47, 1, 5)))], "never terminates"),
        "interning without flags": ([packet(track(8)), packet(field(12, 2, b""))], "SEQ_INCREMENTAL_STATE_CLEARED"),
        "big pid": ([packet(process(16, 1 << 30))], "not a small pid"),
        "unnamed process": ([packet(process(16, 3, name=b""))], "has no name"),
        "tid is a pid": ([packet(process(16, 3)), packet(process(24, 4)), packet(thread(32, 3, 4, 0))], "also a process"),
        "threads out of order": ([packet(process(16, 3)), packet(thread(24, 3, 100, 0)), packet(thread(32, 3, 101, 1)),
                                  packet(event(5, 32, 3)), packet(event(9, 24, 3))], "not ranked by start"),
        "no thread ordering": ([packet(process(16, 3, ordering=False)), packet(thread(24, 3, 100, 0)),
                                packet(thread(32, 3, 101, 1))], "THREAD_ORDERING_EXPLICIT"),
    }
    failed = False
    for name, (pkts, want) in cases.items():
        path = os.path.join(tmpdir, "case.pftrace")
        with open(path, "wb") as f:
            f.write(b"".join(pkts))
        errors = check_file(path, desc)
        ok = not errors if want is None else any(want in e for e in errors)
        if not ok:
            failed = True
            print(f"FAIL self-test {name!r}: want {want or 'no error'}, got {errors}", file=sys.stderr)
    if failed:
        sys.exit(1)
    print(f"ok: {len(cases)} self-test traces")


def main(argv):
    with tempfile.TemporaryDirectory() as tmp:
        desc = upstream_descriptor_set(tmp)
        if argv[:1] == ["--self-test"]:
            self_test(desc, tmp)
            return
        cf = None
        if argv[:1] == ["--cancelflow"]:
            cf, argv = argv[1], argv[2:]
        files = []
        for path in argv:
            if os.path.isdir(path):
                files += sorted(os.path.join(d, n) for d, _, ns in os.walk(path) for n in ns if n.endswith(".trace"))
            else:
                files.append(path)
        failed, checked = False, 0
        for i, path in enumerate(files):
            if path.endswith(".trace"):
                out = os.path.join(tmp, f"{i}.pftrace")
                p = subprocess.run([cf, "perfetto", path, "-o", out], capture_output=True)
                if p.returncode == 2:  # unusable input (the corpus has some on purpose): no file to check
                    continue
                if p.returncode not in (0, 3):
                    print(f"FAIL {path}: cancelflow perfetto exit {p.returncode}", file=sys.stderr)
                    failed = True
                    continue
                target = out
            else:
                target = path
            errors = check_file(target, desc)
            checked += 1
            if errors:
                failed = True
                print(f"FAIL {path}:", file=sys.stderr)
                for e in errors[:20]:
                    print("  " + e, file=sys.stderr)
        if failed:
            sys.exit(1)
        print(f"ok: {checked} Perfetto files decode with the upstream proto and pass trace_processor's rules")


if __name__ == "__main__":
    main(sys.argv[1:])
