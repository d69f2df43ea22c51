#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: harness/results.py KERNEL_TREE RESULT...

Count test results and print one closing line "N passed, N failed" (with
", N skipped" when any). Each RESULT is KIND:LABEL:FILE where KIND is
  kunit      a console log holding KUnit KTAP (parsed with the kernel's own
             tools/testing/kunit/kunit_parser.py),
  kselftest  the TAP that kselftest's run_kselftest.sh printed,
  tap        plain TAP written by the harness (boots, checkpatch, ...),
  reports    a console log that must hold no kernel error report (oops,
             BUG, WARNING, KASAN, UBSAN, lockdep, kmemleak, lockup and
             hung-task detectors, RCU stalls): one result per boot,
  reports-but-sysrq  the same, but for the one panic sysrq-c asks for (a
             boot that tests what follows a host panic).
Every failed test is named on its own line. Exit status 1 on any failure
or when nothing was counted at all.
"""
import os
import re
import sys

passed = failed = skipped = 0
failures = []

# The most diagnostic lines printed under a failed test's name: enough for
# the assertion and its log lines, little enough that the summary, the
# end of what CI shows, still holds every failure.
MAX_DIAG = 12


def count(status, name, diag=()):
    global passed, failed, skipped
    if status == 'ok':
        passed += 1
    elif status == 'skip':
        skipped += 1
    else:
        failed += 1
        failures.append((name, list(diag)[-MAX_DIAG:]))


# A console line that belongs to KTAP: after the printk time stamp, any
# indentation, then a KTAP header, plan, result or diagnostic.
KTAP_LINE = re.compile(r'^(\[\s*\d+\.\d+\] )?\s*'
                       r'(KTAP version |TAP version |1\.\.\d|ok |not ok |#)')


def ktap_only(lines):
    """Drop the other kernel messages from a console log.

    KUnit shares the console with the rest of the kernel; a message that
    lands between a subtest's header and its first line (the clocksource
    switch does at times) makes kunit_parser report the suite as crashed.
    """
    return [line for line in lines if KTAP_LINE.match(line)]


def kunit(label, path, tree):
    sys.path.insert(0, os.path.join(tree, 'tools/testing/kunit'))
    import kunit_parser  # pylint: disable=import-outside-toplevel
    with open(path, errors='replace') as f:
        test = kunit_parser.parse_run_tests(ktap_only(f.readlines()))

    def walk(t, prefix):
        name = f'{prefix}.{t.name}' if prefix else t.name
        if t.subtests:
            for sub in t.subtests:
                walk(sub, name)
            if t.counts.errors and not t.counts.failed and not t.counts.crashed:
                count('fail', f'{name} (KTAP errors)')
            return
        if t.status == kunit_parser.TestStatus.SUCCESS:
            count('ok', name)
        elif t.status == kunit_parser.TestStatus.SKIPPED:
            count('skip', name)
        else:
            count('fail', f'{name} ({t.status.name})')

    if test.status in (kunit_parser.TestStatus.FAILURE_TO_PARSE_TESTS,
                       kunit_parser.TestStatus.NO_TESTS) or not test.subtests:
        count('fail', f'{label}: no KUnit results in {path}')
        return
    for sub in test.subtests:
        walk(sub, label)


RESULT = re.compile(r'^(ok|not ok) \d+ ([^#]*?)\s*(?:#\s*(\w+)?.*)?$')


def parse_line(line):
    m = RESULT.match(line.strip())
    if not m:
        return None
    ok, name, directive = m.groups()
    if directive == 'SKIP':
        return 'skip', name
    if ok == 'ok' and directive != 'TIMEOUT':
        return 'ok', name
    return 'fail', name + (' (timeout)' if directive == 'TIMEOUT' else '')


# The line kselftest_harness.h prints when a test starts: its diagnostic
# lines follow, up to its result.
TEST_START = re.compile(r'^#\s+RUN\s')


def kselftest(label, path):
    inner = []
    diag = []
    seen = 0
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line.startswith('# '):
                r = parse_line(line[2:])
                if r:
                    inner.append(r + (diag,))
                    diag = []
                elif TEST_START.match(line[2:]):
                    diag = []
                else:
                    diag.append(line[2:])
                continue
            r = parse_line(line)
            if not r:
                continue
            seen += 1
            prog = r[1].split(': ')[-1]
            for status, name, lines in inner:
                count(status, f'{label}: {prog}: {name}', lines)
            if r[0] == 'fail' and not any(s == 'fail' for s, _, _ in inner):
                count('fail', f'{label}: {prog} (exited with failure)', diag)
            elif not inner:
                count(r[0], f'{label}: {prog}')
            inner = []
            diag = []
    if not seen:
        count('fail', f'{label}: no kselftest results in {path}')


def tap(label, path):
    seen = 0
    with open(path, errors='replace') as f:
        for line in f:
            r = parse_line(line)
            if r:
                seen += 1
                count(r[0], f'{label}: {r[1]}')
    if not seen:
        count('fail', f'{label}: no results in {path}')


# The first line of a kernel error report, right after the time stamp.
# Reports of an instance reach the host's log only quoted after a prefix
# ("mkln0: instance panicked: ..."), so they do not match.
REPORT = re.compile(
    r'^(\[\s*\d+\.\d+\] )?'
    r'(BUG: |WARNING: |Oops|Kernel panic|general protection fault|'
    r'UBSAN: |kmemleak: \d+ new suspected|INFO: task .* blocked|'
    r'INFO: rcu_\w+ (self-)?detected stall|watchdog: BUG: soft lockup|'
    r'Watchdog detected hard LOCKUP|ODEBUG: |list_(add|del) corruption|'
    r'======================================================$)')


# The panic that sysrq-c asks for, once, in a reports-but-sysrq log.
SYSRQ_PANIC = re.compile(r'^(\[\s*\d+\.\d+\] )?Kernel panic - not syncing: '
                         r'sysrq triggered crash$')


def reports(label, path, sysrq_ok=False):
    found = []
    with open(path, errors='replace') as f:
        for line in f:
            if sysrq_ok and SYSRQ_PANIC.match(line.rstrip()):
                sysrq_ok = False
                continue
            if REPORT.match(line):
                found.append(line.strip())
    for line in found[:5]:
        print(f'{label}: kernel report: {line}')
    count('fail' if found else 'ok', f'{label}: no kernel error reports')


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tree = sys.argv[1]
    for spec in sys.argv[2:]:
        kind, label, path = spec.split(':', 2)
        if not os.path.exists(path):
            count('fail', f'{label}: {path} missing')
        elif kind == 'kunit':
            kunit(label, path, tree)
        elif kind == 'kselftest':
            kselftest(label, path)
        elif kind == 'tap':
            tap(label, path)
        elif kind == 'reports':
            reports(label, path)
        elif kind == 'reports-but-sysrq':
            reports(label, path, sysrq_ok=True)
        else:
            print(f'results.py: unknown kind {kind}', file=sys.stderr)
            return 2
    for name, diag in failures:
        print(f'FAILED: {name}')
        for line in diag:
            print(f'    {line}')
    line = f'{passed} passed, {failed} failed'
    if skipped:
        line += f', {skipped} skipped'
    print(line)
    return 1 if failed or passed + skipped == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
