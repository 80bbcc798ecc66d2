#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where the kernel spent its time: the "kprofile: WHAT: bucket:count ...
step S" lines a scenario reports from /proc/profile (profile=<shift>),
mapped to functions with the System.map of the kernel that ran.

Usage: kprofile.py SYSTEM_MAP LOG [TOP]
Prints, for each profile in LOG, the TOP (default 12) functions with the
most samples, as a Markdown list."""
import bisect
import re
import sys


def load_map(path):
    addrs, names, stext = [], [], None
    with open(path) as f:
        for line in f:
            a, t, name = line.split()[:3]
            if t not in 'tTwW':
                continue
            if name == '_stext':
                stext = int(a, 16)
            addrs.append(int(a, 16))
            names.append(name)
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    return [addrs[i] for i in order], [names[i] for i in order], stext


def main():
    addrs, names, stext = load_map(sys.argv[1])
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 12
    pat = re.compile(r'kprofile: ([^:]+): (.*) step (\d+)')
    with open(sys.argv[2], errors='replace') as f:
        for line in f:
            m = pat.search(line)
            if not m:
                continue
            step = int(m.group(3))
            per = {}
            total = 0
            for pair in m.group(2).split():
                b, c = (int(x) for x in pair.split(':'))
                i = bisect.bisect_right(addrs, stext + b * step) - 1
                name = names[i] if i >= 0 else '?'
                per[name] = per.get(name, 0) + c
                total += c
            print('- %s: %d samples (%d CPU ms at HZ=250)' %
                  (m.group(1), total, total * 4))
            for name, c in sorted(per.items(), key=lambda x: -x[1])[:top]:
                print('  - %s: %d (%.0f%%)' % (name, c, 100.0 * c / total))


if __name__ == '__main__':
    main()
