#!/usr/bin/env python3
"""Compares the strings and scalars of two Perfetto traces written by
cancelflow, after rewriting the old trace's short sites ("func file.go:42")
to the one site form ("func (file.go:42)") that every report uses since the
site formatter was shared. Prints "same after site format" and exits 0 when
that is the only difference.

Usage: tools/perfetto_strings_diff.py OLD.pftrace NEW.pftrace
(A rough protobuf walk: a length-delimited field is a string when it is
printable UTF-8, else a nested message; good enough for our own writer.)"""
import sys, re
def varint(b, i):
    r = 0; s = 0
    while True:
        c = b[i]; i += 1; r |= (c & 0x7f) << s; s += 7
        if c < 0x80: return r, i
def walk(b, out, depth=0):
    i = 0; items = []
    while i < len(b):
        key, i = varint(b, i); wt = key & 7
        if wt == 0: v, i = varint(b, i); items.append(('v', key >> 3, v))
        elif wt == 1: items.append(('f', key >> 3, b[i:i+8])); i += 8
        elif wt == 5: items.append(('f', key >> 3, b[i:i+4])); i += 4
        elif wt == 2:
            n, i = varint(b, i); items.append(('s', key >> 3, b[i:i+n])); i += n
        else: raise ValueError
        if i > len(b): raise ValueError
    return items
def leaves(b, out):
    for kind, field, v in walk(b, out):
        if kind == 's':
            try:
                t = v.decode('utf-8')
                if t.isprintable() and t:
                    out.append(t); continue
            except UnicodeDecodeError: pass
            try: leaves(v, out)
            except Exception: out.append(repr(v))
        else:
            out.append((field, v if kind == 'v' else bytes(v)))
old = []; new = []
leaves(open(sys.argv[1], 'rb').read(), old)
leaves(open(sys.argv[2], 'rb').read(), new)
fix = lambda x: re.sub(r' ([^ ()/]+\.(go|s):[0-9]+)($|\))', r' (\1)\3', x) if isinstance(x, str) else x
old2 = [fix(x) for x in old]
if old2 == new: print('same after site format'); sys.exit(0)
print(len(old2), len(new))
k = 0
for a, b in zip(old2, new):
    if a != b:
        print(repr(a), '!=', repr(b)); k += 1
        if k > 5: break
sys.exit(1)
