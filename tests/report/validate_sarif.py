#!/usr/bin/env python3
"""Validates SARIF files against the official OASIS SARIF 2.1.0 schema.

usage: validate_sarif.py SCHEMA FILE.sarif...

Needs Debian's python3-jsonschema (scripts/setup.sh installs it). Exits 1 on
the first invalid file, printing every schema error of it; 2 on bad usage or
a missing validator.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate_sarif: python3-jsonschema is missing (apt-get install python3-jsonschema)", file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=jsonschema.FormatChecker())
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errors:
            for e in errors:
                print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}", file=sys.stderr)
            return 1
        if doc.get("version") != "2.1.0" or not doc.get("runs"):
            print(f"{path}: not a SARIF 2.1.0 log with runs", file=sys.stderr)
            return 1
        print(f"{path}: valid SARIF 2.1.0 ({cls.__name__}, {sum(len(r.get('results', [])) for r in doc['runs'])} results)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
