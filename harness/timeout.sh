#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /usr/bin/timeout in the guest: kselftest's runner passes --foreground,
# which busybox's timeout does not know; it changes nothing for us (the
# tests do not read the terminal), so drop it.
[ "$1" = "--foreground" ] && shift
exec /bin/busybox timeout "$@"
