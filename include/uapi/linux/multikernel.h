/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Multikernel user ABI.
 *
 * Userspace controls multikernel instances through /dev/multikernel and
 * reads their state under /sys/kernel/multikernel/. This header carries
 * the constants and structures both sides agree on. Structures here only
 * grow at their end; every one starts with its size so that old and new
 * binaries keep working together.
 */
#ifndef _UAPI_LINUX_MULTIKERNEL_H
#define _UAPI_LINUX_MULTIKERNEL_H

#include <linux/types.h>

/**
 * define MULTIKERNEL_POOL_ALIGN - granule of the instance memory pool
 *
 * The pool given with multikernel=<size>[@<addr>] must start and end on
 * this boundary, and instance memory is carved from it in multiples of it.
 */
#define MULTIKERNEL_POOL_ALIGN		(2ULL << 20)

/**
 * define MULTIKERNEL_NAME_MAX - longest instance name, without the NUL
 *
 * Instance names use only the characters [a-z0-9_-].
 */
#define MULTIKERNEL_NAME_MAX		32

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
