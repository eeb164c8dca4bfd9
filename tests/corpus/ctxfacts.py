#!/usr/bin/env python3
"""ctxfacts.py PARSED_DUMP — summarise context-cancellation events.

Input: the output of `go tool trace -d=parsed FILE` (or `goref parsed FILE`)
for a trace of the `ctxcancel` program. Prints, per GoUnblock and GoCreate
that involves package context (or a ctxwork waiter), the waiter's wait site,
the block reason, the emitting goroutine and the event stack. Used to write
FINDINGS.md; it is a reading aid, not a test.
"""
import re
import sys

HEAD = re.compile(r'^M=(-?\d+) P=(-?\d+) G=(-?\d+) (\w+) Time=(\d+) ?(.*)$')


def events(lines):
    ev = None
    section = None
    for line in lines:
        line = line.rstrip('\n')
        m = HEAD.match(line)
        if m:
            if ev:
                yield ev
            ev = {'m': m[1], 'p': m[2], 'g': m[3], 'kind': m[4], 'rest': m[6],
                  'Stack': [], 'TransitionStack': []}
            section = None
        elif line in ('Stack=', 'TransitionStack='):
            section = line[:-1]
        elif line.startswith('\t') and not line.startswith('\t\t') and ev and section:
            ev[section].append(line.strip().split(' @ ')[0])
    if ev:
        yield ev


def site(stack):
    for fn in stack:
        if not fn.startswith(('runtime.', 'sync.', 'internal/')):
            return fn
    return stack[0] if stack else '(no stack)'


def main():
    blocked = {}  # goid -> (reason, wait-site stack)
    for ev in events(open(sys.argv[1], errors='replace')):
        if ev['kind'] != 'StateTransition':
            continue
        t = re.search(r'GoID=(\d+) (\w+)->(\w+) Reason="([^"]*)"', ev['rest'])
        if not t:
            continue
        goid, frm, to, reason = t.groups()
        stack = ev['Stack']
        ctxy = any('context.' in f for f in stack + ev['TransitionStack'])
        if frm == 'Running' and to == 'Waiting':
            blocked[goid] = (reason, stack)
        elif frm == 'Waiting' and to == 'Runnable':
            reason, bstack = blocked.pop(goid, ('?', []))
            if ctxy or 'ctxwork' in site(bstack):
                print(f'UNBLOCK g={goid} waiting-in={site(bstack)} reason="{reason}" by G={ev["g"]} P={ev["p"]}')
                print('    stack: ' + (' <- '.join(stack) if stack else '(empty)'))
        elif frm == 'NotExist' and to == 'Runnable':
            if ctxy:
                print(f'CREATE g={goid} by G={ev["g"]} P={ev["p"]} start={ev["TransitionStack"]}')
                print('    stack: ' + (' <- '.join(stack) if stack else '(empty)'))
    for goid, (reason, bstack) in sorted(blocked.items(), key=lambda kv: int(kv[0])):
        if 'ctxwork' in ' '.join(bstack) or any('context.' in f for f in bstack):
            print(f'STILL-BLOCKED g={goid} reason="{reason}" stack: ' + ' <- '.join(bstack))


main()
