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

/*
 * ---------------------------------------------------------------------
 * Cross-kernel ABI: what a host and an instance kernel exchange
 * ---------------------------------------------------------------------
 *
 * The host and an instance may be different kernel builds. Every
 * structure below starts with a magic, a version and its size, only
 * grows at its end, and is checked by its reader. A new version number
 * is for incompatible changes only; compatible additions grow @size.
 */

/**
 * define MULTIKERNEL_SETUP_TYPE - x86 setup_data type of the handoff
 *
 * The next free type after SETUP_KEXEC_KHO (10), which newer kernels use.
 * A kernel boots as a multikernel instance when boot_params carry a
 * setup_data entry of this type holding a &struct multikernel_handoff.
 */
#define MULTIKERNEL_SETUP_TYPE		11

/** define MULTIKERNEL_HANDOFF_MAGIC - &struct multikernel_handoff.magic, "MKHO" */
#define MULTIKERNEL_HANDOFF_MAGIC	0x4f484b4d
/** define MULTIKERNEL_HANDOFF_VERSION - handoff version this header describes */
#define MULTIKERNEL_HANDOFF_VERSION	1
/** define MULTIKERNEL_MAX_CPUS - most CPUs one instance can own */
#define MULTIKERNEL_MAX_CPUS		256

/**
 * struct multikernel_handoff - how the host describes an instance to it
 * @magic:	%MULTIKERNEL_HANDOFF_MAGIC
 * @version:	%MULTIKERNEL_HANDOFF_VERSION
 * @size:	bytes of this structure as the host wrote it
 * @flags:	none defined, 0
 * @instance_id: the instance's id in the host
 * @nr_cpus:	entries used in @apic_ids, 1 to %MULTIKERNEL_MAX_CPUS
 * @name:	the instance's name, NUL-terminated
 * @tsc_khz:	TSC frequency measured by the host
 * @apic_timer_khz: local APIC timer input clock (before the divider) as
 *		measured by the host, 0 when the host did not calibrate it
 * @host_apic_id: APIC ID of the host CPU that takes the instance's
 *		doorbells
 * @bsp_apic_id: APIC ID of the machine's boot processor; never one of
 *		the instance's, which must never send it INIT
 * @doorbell_vector: interrupt vector of the doorbell, 0 for none
 * @__pad:	0
 * @shared_phys: physical address of the shared region, which starts with
 *		a &struct multikernel_shared
 * @shared_size: bytes of the shared region
 * @host_realtime_ns: the host's CLOCK_REALTIME when it started the
 *		instance, to seed the instance's wall clock
 * @apic_ids:	APIC IDs of the instance's CPUs; the first is the CPU the
 *		host starts, the others the instance starts itself
 *
 * Placed by the host in the shared region after a struct setup_data
 * header of type %MULTIKERNEL_SETUP_TYPE. An instance accepts version
 * %MULTIKERNEL_HANDOFF_VERSION with a @size of at least this layout.
 */
struct multikernel_handoff {
	__u32 magic;
	__u32 version;
	__u32 size;
	__u32 flags;
	__u32 instance_id;
	__u32 nr_cpus;
	__u8 name[40];
	__u32 tsc_khz;
	__u32 apic_timer_khz;
	__u32 host_apic_id;
	__u32 bsp_apic_id;
	__u32 doorbell_vector;
	__u32 __pad;
	__u64 shared_phys;
	__u64 shared_size;
	__u64 host_realtime_ns;
	__u32 apic_ids[MULTIKERNEL_MAX_CPUS];
};

/** define MULTIKERNEL_SHARED_MAGIC - &struct multikernel_shared.magic, "MKSH" */
#define MULTIKERNEL_SHARED_MAGIC	0x48534b4d
/** define MULTIKERNEL_SHARED_VERSION - shared region layout version */
#define MULTIKERNEL_SHARED_VERSION	1

/**
 * enum multikernel_status - what an instance reports in &struct multikernel_shared
 * @MULTIKERNEL_STATUS_BOOTING:	set by the host before the start
 * @MULTIKERNEL_STATUS_RUNNING:	the instance kernel finished its boot
 * @MULTIKERNEL_STATUS_POWER_OFF: it powered off; its CPUs are parked
 * @MULTIKERNEL_STATUS_HALT:	it halted; its CPUs are parked
 * @MULTIKERNEL_STATUS_REBOOT:	it asked for a restart; its CPUs are parked
 * @MULTIKERNEL_STATUS_PANIC:	it panicked, see &multikernel_shared.reason
 *
 * Every status after %MULTIKERNEL_STATUS_RUNNING is final: the instance
 * writes one of them once and stops executing.
 */
enum multikernel_status {
	MULTIKERNEL_STATUS_BOOTING = 0,
	MULTIKERNEL_STATUS_RUNNING = 1,
	MULTIKERNEL_STATUS_POWER_OFF = 2,
	MULTIKERNEL_STATUS_HALT = 3,
	MULTIKERNEL_STATUS_REBOOT = 4,
	MULTIKERNEL_STATUS_PANIC = 5,
};

/**
 * enum multikernel_request - what the host asks of an instance
 * @MULTIKERNEL_REQUEST_NONE:	nothing
 * @MULTIKERNEL_REQUEST_SHUTDOWN: shut down in an orderly way and power off
 */
enum multikernel_request {
	MULTIKERNEL_REQUEST_NONE = 0,
	MULTIKERNEL_REQUEST_SHUTDOWN = 1,
};

/** define MULTIKERNEL_REASON_MAX - bytes of &multikernel_shared.reason */
#define MULTIKERNEL_REASON_MAX		128

/**
 * struct multikernel_shared - head of the region a host shares with an instance
 * @magic:	%MULTIKERNEL_SHARED_MAGIC, written by the host
 * @version:	%MULTIKERNEL_SHARED_VERSION, written by the host
 * @size:	bytes of this structure, written by the host
 * @flags:	none defined, 0
 * @status:	an &enum multikernel_status, written by the instance
 * @request:	an &enum multikernel_request, written by the host
 * @console_offset: offset of the console log ring's bytes from the start
 *		of the region, written by the host
 * @console_size: bytes of the console log ring, a power of two, written by
 *		the host
 * @console_head: bytes the instance ever wrote to the console log ring;
 *		byte N is at console_offset + N % console_size until it is
 *		overwritten
 * @reason:	NUL-terminated panic message, written by the instance
 *		before it sets @status to %MULTIKERNEL_STATUS_PANIC
 *
 * The host fills in the region before the instance starts. Each side
 * writes only the members named for it, and treats what the other side
 * wrote as untrusted: values are checked before use.
 */
struct multikernel_shared {
	__u32 magic;
	__u32 version;
	__u32 size;
	__u32 flags;
	__u32 status;
	__u32 request;
	__u32 console_offset;
	__u32 console_size;
	__u64 console_head;
	__u8 reason[MULTIKERNEL_REASON_MAX];
};

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
