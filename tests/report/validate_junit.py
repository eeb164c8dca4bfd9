#!/usr/bin/env python3
"""Checks JUnit XML files: well-formed XML, the structure CI reporters read
(testsuites > testsuite > testcase, failure/skipped/system-out children), and
that the counts in the attributes match the elements.

usage: validate_junit.py FILE.xml...
"""
import sys
import xml.etree.ElementTree as ET


def check(path):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites", f"root is <{root.tag}>"
    total = fails = 0
    for suite in root:
        assert suite.tag == "testsuite", f"<{suite.tag}> under testsuites"
        cases = [c for c in suite if c.tag == "testcase"]
        for c in suite:
            assert c.tag in ("testcase", "properties"), f"<{c.tag}> in testsuite"
        failed = sum(1 for c in cases if c.find("failure") is not None)
        skipped = sum(1 for c in cases if c.find("skipped") is not None)
        for c in cases:
            assert c.get("name") and c.get("classname"), "testcase without name/classname"
            float(c.get("time"))
            for child in c:
                assert child.tag in ("failure", "skipped", "system-out", "error"), f"<{child.tag}> in testcase"
            f = c.find("failure")
            if f is not None:
                assert f.get("message") and f.get("type"), "failure without message/type"
        assert int(suite.get("tests")) == len(cases), "testsuite tests= mismatch"
        assert int(suite.get("failures")) == failed, "testsuite failures= mismatch"
        assert int(suite.get("skipped")) == skipped, "testsuite skipped= mismatch"
        total += len(cases)
        fails += failed
    assert int(root.get("tests")) == total, "testsuites tests= mismatch"
    assert int(root.get("failures")) == fails, "testsuites failures= mismatch"
    print(f"{path}: valid JUnit ({total} testcases, {fails} failures)")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for path in argv[1:]:
        try:
            check(path)
        except (AssertionError, ET.ParseError, TypeError, ValueError) as e:
            print(f"{path}: invalid JUnit: {e}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
