#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-hog.sh HOG
# The stress-ng arguments of the noisy-neighbour hog HOG of the comparison
# suite, the same in every leg: cpu (one CPU stressor), vm (one stressor
# that keeps 90% of the MemAvailable it sees mapped and dirties it: a
# container sees the host's, an instance its own) or fork (one stressor
# forking and reaping children).
case "$1" in
cpu) echo "--cpu 1" ;;
vm) echo "--vm 1 --vm-keep --vm-bytes $(awk '/^MemAvailable:/ { print int($2 * 0.9) }' /proc/meminfo)k" ;;
fork) echo "--fork 1" ;;
*) echo "compare-hog.sh: unknown hog '$1'" >&2; exit 1 ;;
esac
