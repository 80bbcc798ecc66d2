#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write inputs of the PKRAM handover fuzzer (see pkram_fuzz.c).

Each command writes inputs into OUTDIR and, in OUTDIR/verdicts, a line
"NAME: VERDICT" for each, the verdict pkram_replay must print for it.

  mkinput.py dump OUTDIR LOG...  one input per handover dumped in a serial
                                 log (echo 1 > /sys/kernel/debug/pkram_test/dump
                                 in the kernel that hands over), named after
                                 the log, with the verdict the next kernel
                                 logged
  mkinput.py synth OUTDIR        handovers built here, valid ones and one of
                                 each kind of damage, with the verdicts the
                                 format requires
  mkinput.py regress OUTDIR FILE...
                                 the regression inputs (regressions/*.hex:
                                 what the fuzzer once found, and the verdict
                                 now expected)
  mkinput.py fixcrc OUTDIR INPUT...
                                 copies with the checksums made right by the
                                 harness, for the fuzzer to start from (no
                                 verdicts)
  mkinput.py hex INPUT           print an input in the form of regressions/
"""
import os
import re
import struct
import sys
import zlib

MAGIC = b'PKRAMFZ2'
PKRAM_MAGIC = 0x706B726D
PAGE = 4096


def crc32_le(data):
    """The kernel's crc32_le(~0, data): zlib's CRC without the final xor."""
    return zlib.crc32(data) ^ 0xffffffff


FLAG_IMAGE = 0x1
FLAG_FIX_CRC = 0x2


def fuzz_input(mem, reserved, cmdline, pages, image_pfn=None, fail_nth=0,
               fix_crc=False, late=()):
    """The bytes of an input: RAM and reserved regions, the command line,
    and pages as {pfn: bytes} (trailing zeroes dropped); @late, regions
    kept for good after pkram_reserve() (EFI tables).  With @fix_crc, the
    harness makes the checksums right before the boot."""
    cmd = cmdline.encode()
    flags = (FLAG_IMAGE if image_pfn is not None else 0) | \
        (FLAG_FIX_CRC if fix_crc else 0)
    out = [MAGIC, struct.pack('<QIIHHHHHH', image_pfn or 0, flags, fail_nth,
                              len(mem), len(reserved), len(cmd), len(pages),
                              len(late), 0)]
    for base, size in list(mem) + list(reserved) + list(late):
        out.append(struct.pack('<QQ', base, size))
    out.append(cmd)
    for pfn in sorted(pages):
        data = pages[pfn].rstrip(b'\0')
        out.append(struct.pack('<QH', pfn, len(data)) + data)
    return b''.join(out)


# --- handovers built here ---------------------------------------------------

MAX_ORDER_PAGES = 1024


def covers_of(ranges):
    """The covers the kernel hands over for @ranges: the runs of MAX_ORDER
    blocks that hold them (fewer than the super block holds here)."""
    covers = []
    for pfn, nr in sorted(ranges):
        start = pfn - pfn % MAX_ORDER_PAGES
        end = -(-(pfn + nr) // MAX_ORDER_PAGES) * MAX_ORDER_PAGES
        if covers and start <= covers[-1][1]:
            covers[-1][1] = max(covers[-1][1], end)
        else:
            covers.append([start, end])
    return [(a, b - a) for a, b in covers]


def sb_bytes(node_pfn, nr_nodes, range_pfn, nr_range_pages, nr_ranges,
             nr_pages, covers, scratch_pfn=0, nr_scratch=0, low_pfn=0,
             nr_low=0, version=3, reserved=0, fix=True, magic=PKRAM_MAGIC):
    body = b''.join(struct.pack('<QQ', p, n) for p, n in covers)

    def pack(crc):
        return struct.pack('<IHHII10QII', magic, version, 12, crc, reserved,
                           node_pfn, nr_nodes, range_pfn, nr_range_pages,
                           nr_ranges, nr_pages, scratch_pfn, nr_scratch,
                           low_pfn, nr_low, len(covers), crc32_le(body))
    return pack(crc32_le(pack(0)) if fix else 0) + body


def range_page(ranges, next_pfn=0):
    body = b''.join(struct.pack('<QQ', p, n) for p, n in ranges)
    return struct.pack('<QII', next_pfn, len(ranges), crc32_le(body)) + body


def node_page(name, nr_objs, obj_pfn, node_pfn=0, flags=0):
    return struct.pack('<IIQQ', flags, nr_objs, obj_pfn, node_pfn) + \
        name.encode().ljust(256, b'\0')


def obj_page(obj_pfn, data_len, folios, data, flags=3, reserved=0):
    return struct.pack('<IIQQQQQQ', flags, reserved, obj_pfn, data_len,
                       folios[0], folios[1], data[0], data[1])


def link_page(entries, link_pfn=0, index=0):
    return struct.pack('<QQ', link_pfn, index) + \
        b''.join(struct.pack('<Q', e) for e in entries)


MEM = [(0x1000, 0x9e000), (0x100000, 0x3fee0000)]
RESERVED = [(0x1000000, 0x2000000)]     # the next kernel's image


def synth_handover(base=0x20000, damage=None):
    """Two nodes in one range at @base: node a with a folio stream (three
    folios, one of order 4, and an index entry) and two data pages, node b
    empty.  @damage changes one thing, as a crafted handover would."""
    sb, rp, na, oa, lf, lb, nb = (base + i for i in range(7))
    d0, d1, f0, f1, f2 = base + 8, base + 9, base + 10, base + 16, base + 32
    end = base + 48
    ranges = [(base, end - base)]
    pages = {
        sb: None,
        na: node_page('a', 1, oa, nb),
        oa: obj_page(0, 5000, (lf, lf), (lb, lb)),
        lf: link_page([f0 << 12, ((f1 << 12) | (4 << 7)),
                       (100 << 12) | 1, f2 << 12]),
        lb: link_page([d0 << 12, d1 << 12]),
        nb: node_page('b', 0, 0),
    }
    sbargs = dict(node_pfn=na, nr_nodes=2, range_pfn=rp, nr_range_pages=1,
                  nr_ranges=1, nr_pages=end - base)
    cmdline = 'console=ttyS0 pkram=%x' % sb
    if damage == 'loop':
        pages[nb] = node_page('b', 0, 0, na)
    elif damage == 'dupname':
        pages[nb] = node_page('a', 0, 0)
    elif damage == 'twice':
        pages[lf] = link_page([f0 << 12, f0 << 12])
    elif damage == 'outside':
        pages[lb] = link_page([d0 << 12, (end + 5) << 12])
    elif damage == 'order':
        pages[lf] = link_page([(f1 << 12) | (11 << 7)])
    elif damage == 'unaligned':
        pages[lf] = link_page([((f0 + 1) << 12) | (4 << 7)])
    elif damage == 'nrobjs':
        pages[na] = node_page('a', 2, oa, nb)
    elif damage == 'tail':
        pages[oa] = obj_page(0, 5000, (lf, lb), (lb, lb))
    elif damage == 'datalen':
        pages[oa] = obj_page(0, 3 * PAGE, (lf, lf), (lb, lb))
    elif damage == 'noname':
        pages[nb] = node_page('', 0, 0)
    elif damage == 'counts':
        sbargs['nr_pages'] += 1
    elif damage == 'unsorted':
        ranges = [(base + 24, 24), (base, 24)]
        sbargs['nr_ranges'] = 2
    elif damage == 'scratch':
        # a second range, in the scratch region (2 MiB, aligned)
        ranges.append((0x30000, 16))
        sbargs.update(scratch_pfn=0x30000, nr_scratch=0x200, nr_ranges=2,
                      nr_pages=end - base + 16)
    elif damage == 'lowscratch':
        # both regions, valid: 2 MiB each, clear of the range at @base
        sbargs.update(scratch_pfn=0x30000, nr_scratch=0x200,
                      low_pfn=0x30400, nr_low=0x200)
    elif damage == 'lowscratch-new':
        # a low region alone, at the top of memory: the new scratch region
        # set aside at boot must not take it in
        sbargs.update(low_pfn=0x3f000, nr_low=0x200)
    elif damage == 'lowscratch-range':
        sbargs.update(low_pfn=base - 0x200, nr_low=0x400)
    elif damage == 'lowscratch-unaligned':
        sbargs.update(low_pfn=0x30400, nr_low=0x100)
    elif damage == 'lowscratch-overlap':
        sbargs.update(scratch_pfn=0x30000, nr_scratch=0x400,
                      low_pfn=0x30200, nr_low=0x200)
    elif damage == 'version1':
        sbargs.update(version=1)
    elif damage == 'kdump':
        cmdline += ' elfcorehdr=0x1000000'
    elif damage == 'image':
        cmdline = cmdline.replace('pkram=%x' % sb, 'pkram=%x' % (sb + 1))
    elif damage == 'top':
        # a second range at the top of memory, whose end is not 4 MiB
        # aligned: its cover goes past the end of memory
        ranges.append((0x3ffd0, 0x10))
        sbargs.update(nr_ranges=2, nr_pages=end - base + 0x10)
    elif damage == 'reserved':
        ranges = [(0x1000000 >> 12, 0x10)] + [(base, end - base)]
        sbargs.update(nr_ranges=2, nr_pages=end - base + 0x10)
    late = []
    if damage == 'efi':
        late = [(f0 << 12, 0x800)]
    elif damage == 'efi-sb':
        late = [((sb << 12) + 0x100, 0x40)]
    elif damage == 'efi-clear':
        late = [(end << 12, 0x3000)]
    pages[rp] = range_page(ranges)
    pages[sb] = sb_bytes(covers=covers_of(ranges), **sbargs)
    image = sb if damage == 'image' else None
    return fuzz_input(MEM, RESERVED, cmdline, pages, image_pfn=image,
                      late=late)


# Each damage, and the verdict of the next kernel.
GOOD = 'PKRAM: 2 nodes handed over, 25 pages'
NODES = 'PKRAM: inconsistent nodes handed over: nothing preserved'
NOMEM = 'PKRAM: no memory to check the nodes handed over: nothing preserved'
EFI = 'PKRAM: a range is in an EFI table kept for good: nothing preserved'
SYNTH = {
    'valid': GOOD,
    'loop': NODES,
    'dupname': NODES,
    'twice': NODES,
    'outside': NODES,
    'order': NODES,
    'unaligned': NODES,
    'nrobjs': NODES,
    'tail': NODES,
    'datalen': NODES,
    'noname': NODES,
    'counts': 'PKRAM: the range list does not match the counts of the super '
              'block at pfn 0x20000: nothing preserved',
    'unsorted': 'PKRAM: a range is unsorted, overlaps or is not usable RAM '
                'at pfn 0x20000: nothing preserved',
    'scratch': 'PKRAM: a range is in the scratch region at pfn 0x20000: '
               'nothing preserved',
    'lowscratch': GOOD,
    'lowscratch-new': GOOD,
    'lowscratch-range': 'PKRAM: a range is in the scratch region at pfn '
                        '0x20000: nothing preserved',
    'lowscratch-unaligned': 'PKRAM: the low scratch region is not aligned '
                            'RAM below 4 GiB at pfn 0x20000: nothing '
                            'preserved',
    'lowscratch-overlap': 'PKRAM: the scratch regions overlap at pfn '
                          '0x20000: nothing preserved',
    # The format before the low scratch region and the covers
    'version1': 'PKRAM: super block of another format version at pfn '
                '0x20000: nothing preserved',
    'kdump': 'PKRAM: nothing handed over',
    'image': GOOD,
    'top': GOOD,
    'reserved': 'PKRAM: a range is unsorted, overlaps or is not usable RAM '
                'at pfn 0x20000: nothing preserved',
    # An EFI table kept for good (efi_mem_reserve()) over a data page, over
    # the super block, or clear of the ranges.
    'efi': EFI,
    'efi-sb': EFI,
    'efi-clear': GOOD,
}
# The nth allocation of the valid one failing: the first three are the room
# for the pieces of the late regions and those of the check of the range
# list before anything of them is freed (then all of what was handed over
# stays reserved, for a later kernel), the next six are bitmaps, the index
# of the link pages of folio streams and the sort of the names.
KEPT = ('PKRAM: no memory to take back what was handed over: 48 preserved '
        'pages stay reserved, nothing preserved')
ENOMEM = [KEPT] * 3 + [NOMEM] * 6 + [GOOD]


def write_inputs(outdir, inputs):
    """Write {name: (bytes, verdict)} into @outdir, verdicts appended."""
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, 'verdicts'), 'a') as v:
        for name in sorted(inputs):
            data, verdict = inputs[name]
            with open(os.path.join(outdir, name), 'wb') as f:
                f.write(data)
            v.write('%s: %s\n' % (name, verdict))
    return len(inputs)


def synth(outdir):
    inputs = {}
    for name, verdict in SYNTH.items():
        data = synth_handover(damage=None if name == 'valid' else name)
        inputs['synth-' + name] = (data, verdict)
    for n, verdict in enumerate(ENOMEM, 1):
        data = bytearray(synth_handover())
        struct.pack_into('<I', data, 20, n)
        inputs['synth-enomem-%d' % n] = (bytes(data), verdict)
    return write_inputs(outdir, inputs)


# --- regression inputs -------------------------------------------------------

def regress(outdir, files):
    """regressions/NAME.hex: lines "# ..." (the first, "# verdict: V"),
    then the input in hex."""
    inputs = {}
    for path in files:
        verdict, hexdata = None, []
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith('# verdict: ') and verdict is None:
                    verdict = line[len('# verdict: '):]
                elif line and not line.startswith('#'):
                    hexdata.append(line)
        if verdict is None:
            sys.exit('%s: no "# verdict:" line' % path)
        name = 'regress-' + re.sub(r'\.hex$', '', os.path.basename(path))
        inputs[name] = (bytes.fromhex(''.join(hexdata)), verdict)
    return write_inputs(outdir, inputs)


def fixcrc(outdir, files):
    """Copies of the inputs for the fuzzer to start from, with the flag
    that has the harness make their checksums right: mutations of the
    super block and the range list then reach the checks behind them."""
    os.makedirs(outdir, exist_ok=True)
    for path in files:
        with open(path, 'rb') as f:
            data = bytearray(f.read())
        if len(data) < 24 or data[:8] != MAGIC:
            continue
        struct.pack_into('<I', data, 16,
                         struct.unpack_from('<I', data, 16)[0] | FLAG_FIX_CRC)
        with open(os.path.join(outdir, os.path.basename(path) + '-crc'),
                  'wb') as f:
            f.write(data)


def to_hex(path):
    with open(path, 'rb') as f:
        data = f.read().hex()
    for i in range(0, len(data), 64):
        print(data[i:i + 64])


# --- handovers dumped from a VM run ---------------------------------------

DUMP = re.compile(r'pkram-dump: (\w+)(?: (.*))?$')
E820 = re.compile(r'BIOS-e820: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\] usable')
VERDICT = re.compile(r'(PKRAM: .*nothing preserved|PKRAM: \d+ nodes handed '
                     r'over, \d+ pages)')


def dump(outdir, logs):
    return sum(dump_log(outdir, log) for log in logs)


def dump_log(outdir, log):
    """Each handover dumped in @log, with what the next kernel, whose boot
    follows in the log, made of it."""
    name = os.path.basename(log)
    name = re.sub(r'\.log$', '', name)
    found = []
    cur = None
    with open(log, errors='replace') as f:
        lines = f.read().split('\n')
    for line in lines:
        line = re.sub(r'^.*?\] ', '', line.rstrip('\r'))
        m = DUMP.search(line)
        if m:
            what, rest = m.group(1), (m.group(2) or '').split()
            if what == 'begin':
                cur = dict(reserved=[], pages={}, image=None, mem=[],
                           cmdline=None, verdict=None, done=False)
                found.append(cur)
            elif cur is None or cur['done']:
                continue
            elif what == 'reserved':
                cur['reserved'].append((int(rest[0], 16), int(rest[1], 16)))
            elif what == 'image':
                cur['image'] = int(rest[0], 16)
            elif what == 'page':
                pfn, off = int(rest[0], 16), int(rest[1], 16)
                page = cur['pages'].setdefault(pfn, bytearray(PAGE))
                data = bytes.fromhex(rest[2])
                page[off:off + len(data)] = data
            elif what == 'end':
                cur['done'] = True
            continue
        if cur is None or not cur['done'] or cur['verdict']:
            continue
        # The next kernel's boot: its memory map, command line, verdict.
        m = E820.search(line)
        if m:
            lo, hi = int(m.group(1), 16), int(m.group(2), 16)
            cur['mem'].append((lo, hi + 1 - lo))
        elif line.startswith('Command line: ') and cur['cmdline'] is None:
            cur['cmdline'] = line[len('Command line: '):]
        else:
            m = VERDICT.search(line)
            if m and cur['cmdline'] is not None:
                cur['verdict'] = m.group(1)
    inputs = {}
    for i, d in enumerate(found):
        if not d['done'] or d['cmdline'] is None or not d['mem']:
            continue
        # What x86 reserves before pkram_reserve(): the first 64 KiB, and
        # the next kernel's image and initrd, where the kexec segments go.
        reserved = [(0, 0x10000)] + d['reserved']
        pages = {p: bytes(b) for p, b in d['pages'].items()}
        data = fuzz_input(d['mem'], reserved, d['cmdline'], pages,
                          image_pfn=d['image'])
        inputs['%s-%d' % (name, i + 1)] = \
            (data, d['verdict'] or 'PKRAM: nothing handed over')
    return write_inputs(outdir, inputs)


def main():
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ('', [])
    if cmd == 'synth' and len(args) == 1:
        print(synth(args[0]))
    elif cmd == 'dump' and len(args) >= 1:
        print(dump(args[0], args[1:]))
    elif cmd == 'regress' and len(args) >= 1:
        print(regress(args[0], args[1:]))
    elif cmd == 'fixcrc' and len(args) >= 1:
        fixcrc(args[0], args[1:])
    elif cmd == 'hex' and len(args) == 1:
        to_hex(args[0])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
