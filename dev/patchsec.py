#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The file sections of a patch of patches/ (one commit of the series).

A section is the diff of one file: "--- a/PATH" or "--- /dev/null", then
"+++ b/PATH", then hunks, whose lines are counted by their @@ headers (so
that a removed line which looks like a header is not taken for one).

  patchsec.py upstream PATCH PRISTINE   the sections of files that exist in
                                        PRISTINE (what dev/tree.sh applies)
  patchsec.py files PATCH               the path of each section
  patchsec.py section PATCH PATH        the section of PATH
  patchsec.py replace PATCH PATH NEW    put the diff in file NEW in place of
                                        the section of PATH, or add it
                                        before the signature
"""
import os
import re
import sys

HUNK = re.compile(r'^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@')


def parse(text):
    """Split TEXT into (head, [(path, lines)], tail)."""
    lines = text.split('\n')
    head, sections, tail = [], [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (line.startswith('--- ') and i + 1 < len(lines) and
                lines[i + 1].startswith('+++ ')):
            new = lines[i + 1][4:].split('\t')[0]
            old = line[4:].split('\t')[0]
            path = (new if new != '/dev/null' else old)[2:]
            sec = [line, lines[i + 1]]
            i += 2
            while i < len(lines):
                m = HUNK.match(lines[i])
                if not m:
                    break
                sec.append(lines[i])
                old_n = int(m.group(1) if m.group(1) is not None else 1)
                new_n = int(m.group(2) if m.group(2) is not None else 1)
                i += 1
                while (old_n or new_n) and i < len(lines):
                    c = lines[i][:1]
                    if c in (' ', ''):
                        old_n -= 1
                        new_n -= 1
                    elif c == '-':
                        old_n -= 1
                    elif c == '+':
                        new_n -= 1
                    sec.append(lines[i])
                    i += 1
                while i < len(lines) and lines[i].startswith('\\'):
                    sec.append(lines[i])
                    i += 1
            sections.append((path, sec))
            continue
        if sections and line == '-- ':
            tail = lines[i:]
            break
        if sections:
            # a stray line between sections stays with the one before
            sections[-1][1].append(line)
            i += 1
            continue
        head.append(line)
        i += 1
    return head, sections, tail


def join(head, sections, tail):
    out = list(head)
    for _, sec in sections:
        out += sec
    out += tail
    text = '\n'.join(out)
    return text if text.endswith('\n') else text + '\n'


def main():
    cmd, patch = sys.argv[1], sys.argv[2]
    head, sections, tail = parse(open(patch).read())
    if cmd == 'upstream':
        pristine = sys.argv[3]
        keep = [s for s in sections
                if os.path.isfile(os.path.join(pristine, s[0]))]
        if keep:
            sys.stdout.write(join(head, keep, tail))
    elif cmd == 'files':
        for path, _ in sections:
            print(path)
    elif cmd == 'section':
        for path, sec in sections:
            if path == sys.argv[3]:
                print('\n'.join(sec))
    elif cmd == 'replace':
        path, new = sys.argv[3], open(sys.argv[4]).read().rstrip('\n')
        new = new.split('\n') if new else []
        for k, (p, _) in enumerate(sections):
            if p == path:
                if new:
                    sections[k] = (path, new)
                else:
                    del sections[k]
                break
        else:
            if new:
                sections.append((path, new))
                if '---' not in head:
                    head = head + ['---']
        if not sections and tail and tail[0] != '-- ':
            head, tail = head + tail, []
        open(patch, 'w').write(join(head, sections, tail))
    else:
        sys.exit('usage: patchsec.py upstream|files|section|replace PATCH ...')


if __name__ == '__main__':
    main()
