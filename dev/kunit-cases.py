#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Hold a KUnit run to the cases its sources declare.

Usage: kunit-cases.py FILTER JSON SOURCE...

FILTER is the kunit.filter_glob the run was booted with, JSON what kunit.py
parse --json wrote, SOURCE the C files that declare the suites.  Prints one
line per declared case, "STATUS<TAB>suite.case", then one per case that ran
but is declared nowhere or was not selected, and exits 1 unless every declared case of the
suites the filter selects reported PASS, exactly once, and nothing else ran.
A parameterized case passes when it reported at least one parameter and
every parameter passed.  A suite that is declared but did not report, a log
with no KTAP (an empty JSON) or a "1..0" plan therefore all fail.
"""
import fnmatch
import json
import re
import sys


def declared(sources):
    """{suite name: [case names]} from the kunit_suite and kunit_case arrays."""
    arrays, suites = {}, {}
    for path in sources:
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"struct kunit_case\s+(\w+)\[\]\s*=\s*\{(.*?)\n\};",
                             text, re.S):
            arrays[m.group(1)] = re.findall(
                r"KUNIT_CASE(?:_PARAM|_SLOW|_PARAM_ATTR|_ATTR)?\(\s*(\w+)",
                m.group(2))
        for m in re.finditer(r"struct kunit_suite\s+\w+\s*=\s*\{(.*?)\n\};",
                             text, re.S):
            name = re.search(r'\.name\s*=\s*"([^"]+)"', m.group(1))
            cases = re.search(r"\.test_cases\s*=\s*(\w+)", m.group(1))
            if name and cases:
                suites[name.group(1)] = cases.group(1)
    return {s: arrays.get(a, []) for s, a in suites.items()}


def selected(suite, case, glob):
    """kunit.filter_glob semantics: "suite" or "suite.case" globs."""
    if "." in glob:
        sglob, cglob = glob.split(".", 1)
        return fnmatch.fnmatchcase(suite, sglob) and fnmatch.fnmatchcase(case, cglob)
    return fnmatch.fnmatchcase(suite, glob)


def reported(path):
    """{suite: {case: [statuses]}} from kunit.py's JSON (top group: the run)."""
    try:
        top = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for suite in top.get("sub_groups", []):
        cases = out.setdefault(suite["name"], {})
        for c in suite.get("test_cases", []):
            cases.setdefault(c["name"], []).append(c["status"])
        # a parameterized case: a group of its parameters
        for p in suite.get("sub_groups", []):
            st = [c["status"] for c in p.get("test_cases", [])] or ["NO PARAMETERS"]
            bad = [s for s in st if s != "PASS"]
            cases.setdefault(p["name"], []).append(bad[0] if bad else "PASS")
    return out


def main():
    glob, js, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    want = declared(sources)
    got = reported(js)
    ok = True
    if not any(selected(s, c, glob) for s, cs in want.items() for c in cs):
        print(f"FAIL\tno declared case matches {glob!r}")
        ok = False
    for suite, cases in sorted(want.items()):
        for case in cases:
            if not selected(suite, case, glob):
                continue
            st = got.get(suite, {}).get(case, [])
            status = st[0] if len(st) == 1 else ("MISSING" if not st else
                                                 f"REPORTED {len(st)} TIMES")
            ok &= status == "PASS"
            print(f"{status}\t{suite}.{case}")
    for suite, cases in sorted(got.items()):
        for case in cases:
            if case not in want.get(suite, []):
                print(f"UNDECLARED\t{suite}.{case}")
                ok = False
            elif not selected(suite, case, glob):
                print(f"NOT SELECTED, RAN\t{suite}.{case}")
                ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
