#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: harness/qemu-requests.py RUN_DIR QEMU_PID

Carry out what a guest test asks of the emulated machine: a line
"MK-QEMU: <request>" on the guest's ttyS1 (RUN_DIR/ttyS1.log) becomes
commands to QEMU's human monitor (RUN_DIR/monitor.sock). Two requests
exist, and nothing else passes: a test must not be able to stop or
reconfigure the machine that judges it.

  mce CPU BANK STATUS MCG_STATUS ADDR MISC   inject a machine check
  cpu-state LABEL CPULIST                    record the registers and
                                             local APIC of those CPUs

Each request and a summary of QEMU's answer go to RUN_DIR/requests.log;
a cpu-state answer in full goes to RUN_DIR/cpu-state.txt. That is how a
test that finds an instance stuck shows where its CPUs were. Ends when
QEMU does.
"""

import os
import re
import socket
import sys
import time

MCE = re.compile(r'MK-QEMU: (mce( -b)?( [0-9a-fx]+){5,6})\s*$')
ESCAPES = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
CPU_STATE = re.compile(r'MK-QEMU: cpu-state ([A-Za-z0-9_.-]{1,64}) '
                       r'([0-9]{1,4}(-[0-9]{1,4})?(,[0-9]{1,4}(-[0-9]{1,4})?)*)\s*$')


def session(path, commands):
    """Send commands to the monitor at path in one session; return the
    answers, one string each."""
    answers = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        time.sleep(0.2)
        s.recv(65536)  # the banner and the first prompt
        for command in commands:
            s.sendall(command.encode() + b'\n')
            got = b''
            # The answer ends with the next prompt.
            end = time.time() + 10
            while not got.rstrip().endswith(b'(qemu)') and time.time() < end:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                if not chunk:
                    break
                got += chunk
            # Drop the monitor's echo of the command line and its
            # cursor movements, and the prompt.
            text = ESCAPES.sub('', got.decode(errors='replace'))
            text = text.partition('\n')[2]
            answers.append(text.rsplit('(qemu)', 1)[0].rstrip() + '\n')
    return answers


def cpulist(text):
    """'2-3,5' -> [2, 3, 5]; at most 64 CPUs."""
    cpus = []
    for part in text.split(','):
        lo, _, hi = part.partition('-')
        cpus.extend(range(int(lo), int(hi or lo) + 1))
    return cpus[:64]


def rip_of(registers):
    m = re.search(r'RIP=([0-9a-f]+)', registers)
    halted = re.search(r'HLT=([01])', registers)
    return '%s%s' % (m.group(1) if m else '?',
                     ' (halted)' if halted and halted.group(1) == '1' else '')


def cpu_state(run, sock, label, cpus):
    """Record the registers and local APIC of cpus; return a summary."""
    commands = []
    for cpu in cpus:
        commands += ['cpu %d' % cpu, 'info registers', 'info lapic']
    answers = session(sock, commands)
    summary = []
    with open(os.path.join(run, 'cpu-state.txt'), 'a') as out:
        out.write('=== %s: CPUs %s at %s\n' % (label, cpus, time.ctime()))
        for i, cpu in enumerate(cpus):
            regs = answers[3 * i + 1] if 3 * i + 1 < len(answers) else ''
            lapic = answers[3 * i + 2] if 3 * i + 2 < len(answers) else ''
            out.write('--- CPU %d\n%s\n%s\n' % (cpu, regs, lapic))
            summary.append('CPU %d RIP %s' % (cpu, rip_of(regs)))
    return '; '.join(summary)


def main():
    run, pid = sys.argv[1], int(sys.argv[2])
    log_path = os.path.join(run, 'ttyS1.log')
    sock = os.path.join(run, 'monitor.sock')
    offset = 0
    partial = b''
    with open(os.path.join(run, 'requests.log'), 'a') as out:
        while True:
            try:
                os.kill(pid, 0)
            except OSError:
                return
            try:
                with open(log_path, 'rb') as f:
                    f.seek(offset)
                    data = f.read()
            except OSError:
                data = b''
            offset += len(data)
            # What follows the last newline may still be being written.
            lines = (partial + data).split(b'\n')
            partial = lines.pop()
            for line in lines:
                text = line.decode(errors='replace')
                mce, state = MCE.search(text), CPU_STATE.search(text)
                if not mce and not state:
                    continue
                request = (mce or state).group(0)
                try:
                    if mce:
                        answer = repr(session(sock, [mce.group(1)])[0])
                    else:
                        answer = cpu_state(run, sock, state.group(1),
                                           cpulist(state.group(2)))
                except (OSError, ValueError) as e:
                    answer = 'error: %s' % e
                out.write('%s -> %s\n' % (request, answer))
                out.flush()
            time.sleep(0.2)


if __name__ == '__main__':
    main()
