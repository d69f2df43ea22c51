#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: harness/qemu-requests.py RUN_DIR QEMU_PID

Carry out what a guest test asks of the emulated machine: a line
"MK-QEMU: <command>" on the guest's ttyS1 (RUN_DIR/ttyS1.log) sends
<command> to QEMU's human monitor (RUN_DIR/monitor.sock). Only machine
check injection ("mce ...") is allowed: a test must not be able to stop
or reconfigure the machine that judges it. Each request and QEMU's
answer are logged in RUN_DIR/requests.log. Ends when QEMU does.
"""

import os
import re
import socket
import sys
import time

REQUEST = re.compile(r'MK-QEMU: (mce( -b)?( [0-9a-fx]+){5,6})\s*$')


def monitor(path, command):
    """Send one command to the monitor at path; return its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(path)
        time.sleep(0.2)
        s.recv(65536)  # the banner and the first prompt
        s.sendall(command.encode() + b'\n')
        time.sleep(0.5)
        try:
            return s.recv(65536).decode(errors='replace')
        except socket.timeout:
            return ''


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
                m = REQUEST.search(line.decode(errors='replace'))
                if not m:
                    continue
                try:
                    answer = monitor(sock, m.group(1))
                except OSError as e:
                    answer = 'error: %s' % e
                out.write('%s -> %r\n' % (m.group(1), answer))
                out.flush()
            time.sleep(0.2)


if __name__ == '__main__':
    main()
