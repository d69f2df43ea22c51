# SPDX-License-Identifier: GPL-2.0
# The lines guest scripts print for others to wait for, defined once: the
# harness sources this file through lib.sh, and both initramfs images carry
# it as /etc/mk-markers.sh for init.sh and instance-init.sh. POSIX sh.
# shellcheck shell=sh disable=SC2034 # the names are for the sourcing script

# The guest's init finished its job (last line on ttyS1 before power-off).
MK_INIT_DONE="MK-INIT: done"
# An instance's init runs; the line goes on with its kernel, CPUs and uptime.
MK_INSTANCE_UP="MK-INSTANCE: init running"
# An instance's init got the host's shutdown request.
MK_INSTANCE_STOPPING="MK-INSTANCE: shutdown requested"
