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

#include <linux/ioctl.h>
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
 * User ABI: the /dev/multikernel ioctls
 * ---------------------------------------------------------------------
 *
 * Every command takes one structure whose first member, @size, is the
 * number of bytes userspace passes. The kernel accepts any size from the
 * command's first published layout up: bytes it does not know must be
 * zero, and bytes it knows but userspace did not pass read as zero. Every
 * @flags bit not defined for the command and every __reserved member
 * must be zero. The errno contract of every command:
 *
 *  ENOTTY	unknown command
 *  EPERM	CREATE, DESTROY, LOAD, START and STOP: the caller lacks
 *		CAP_SYS_ADMIN now, whoever opened the file (LOAD: or
 *		CAP_SYS_BOOT)
 *  EFAULT	the structure or a buffer it points to is not readable or
 *		writable
 *  EINVAL	@size below the first layout, an unknown @flags bit, a
 *		non-zero reserved member, a malformed name, CPU list or
 *		size, or an operation that does not apply in the instance's
 *		state (start without a loaded kernel, stop of an instance
 *		that does not run)
 *  E2BIG	@size larger than the kernel knows, with non-zero bytes in
 *		the part it does not know
 *  EOPNOTSUPP	the kernel cannot do this on this machine
 *  ENOENT	no instance of that name
 *  EEXIST	an instance of that name exists
 *  ENOSPC	the pool has no free range of the requested size
 *  EBUSY	a CPU belongs to another instance or is the host's last
 *		online CPU, or the instance's state forbids the command
 *		(destroy or load of a running instance), or a host kexec or
 *		suspend is under way (start)
 *  EADDRINUSE	the memory range of a stopped instance was given to another
 *		instance meanwhile (load, start)
 *  EMSGSIZE	an output buffer is too small; the count needed is returned
 *
 * Loading adds the errors of kexec_file_load(2) for the images.
 */

/**
 * define MULTIKERNEL_NAME_LEN - bytes of a name member in the ioctl structures
 *
 * A name member holds 1 to %MULTIKERNEL_NAME_MAX characters of [a-z0-9_-],
 * a NUL, and zero bytes up to the end of the member.
 */
#define MULTIKERNEL_NAME_LEN		40

#define MULTIKERNEL_TYPE		0xB9

enum {
	MULTIKERNEL_CMD_BASE = 0x00,
	MULTIKERNEL_CMD_CREATE = MULTIKERNEL_CMD_BASE,
	MULTIKERNEL_CMD_DESTROY,
	MULTIKERNEL_CMD_LOAD,
	MULTIKERNEL_CMD_START,
	MULTIKERNEL_CMD_STOP,
	MULTIKERNEL_CMD_STATUS,
	MULTIKERNEL_CMD_LIST,
	MULTIKERNEL_CMD_CONSOLE,
};

/**
 * enum multikernel_state - lifecycle state of an instance
 * @MULTIKERNEL_STATE_EMPTY:	created; CPUs and memory assigned, no kernel loaded
 * @MULTIKERNEL_STATE_LOADED:	a kernel is loaded into the instance's memory
 * @MULTIKERNEL_STATE_STARTING:	its first CPU was started, the kernel boots
 * @MULTIKERNEL_STATE_RUNNING:	the kernel reported that it booted
 * @MULTIKERNEL_STATE_STOPPING:	a stop was requested and is in progress
 * @MULTIKERNEL_STATE_STOPPED:	it stopped; its CPUs are back with the host
 * @MULTIKERNEL_STATE_CRASHED:	it panicked or stopped answering; its CPUs
 *				are parked until it is stopped
 *
 * The same names, in lower case and without the prefix, appear in
 * /sys/kernel/multikernel/instances/<name>/state.
 */
enum multikernel_state {
	MULTIKERNEL_STATE_EMPTY = 0,
	MULTIKERNEL_STATE_LOADED = 1,
	MULTIKERNEL_STATE_STARTING = 2,
	MULTIKERNEL_STATE_RUNNING = 3,
	MULTIKERNEL_STATE_STOPPING = 4,
	MULTIKERNEL_STATE_STOPPED = 5,
	MULTIKERNEL_STATE_CRASHED = 6,
};

/**
 * enum multikernel_create_flags - flags of &struct multikernel_create
 * @MULTIKERNEL_CREATE_CPU_LIST: @cpus_uptr points to a CPU list in text,
 *	such as "2-3" or "2,3" (@cpus_len bytes, no NUL needed); without
 *	this flag it points to a CPU bitmap of @cpus_len / 8 __u64 words,
 *	bit N of word N / 64 standing for CPU N
 */
enum multikernel_create_flags {
	MULTIKERNEL_CREATE_CPU_LIST = 1 << 0,
};

/**
 * struct multikernel_create - ioctl(MULTIKERNEL_CREATE)
 * @size:	sizeof(struct multikernel_create)
 * @flags:	a combination of &enum multikernel_create_flags
 * @name:	the new instance's name, see %MULTIKERNEL_NAME_LEN
 * @mem_size:	bytes of memory to carve from the pool for the instance,
 *		a non-zero multiple of %MULTIKERNEL_POOL_ALIGN
 * @cpus_uptr:	user pointer to the CPUs to give the instance, as a list
 *		or a bitmap (see @flags), in the host's logical CPU numbers
 * @cpus_len:	bytes at @cpus_uptr, at most 4096; a multiple of 8 for a
 *		bitmap
 * @out_id:	the new instance's id, unique while the instance exists
 *
 * Create an instance that owns the named CPUs and @mem_size bytes of the
 * pool. The CPUs are taken offline in the host at once and the memory is
 * cleared. CPU 0 and CPUs that do not exist are refused with EINVAL; a
 * CPU of another instance and the host's last online CPU with EBUSY; a
 * name in use with EEXIST; memory the pool cannot provide in one piece
 * with ENOSPC.
 */
struct multikernel_create {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
	__u64 mem_size;
	__u64 cpus_uptr;
	__u32 cpus_len;
	__u32 out_id;
};

#define MULTIKERNEL_CREATE	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_CREATE)

/**
 * struct multikernel_destroy - ioctl(MULTIKERNEL_DESTROY)
 * @size:	sizeof(struct multikernel_destroy)
 * @flags:	must be 0
 * @name:	the instance
 *
 * Destroy an instance that does not run (state empty, loaded or stopped;
 * EBUSY otherwise): drop its kernel image, give its CPUs back to the host
 * and return its memory, cleared, to the pool (a stopped instance returned
 * it already).
 */
struct multikernel_destroy {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
};

#define MULTIKERNEL_DESTROY	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_DESTROY)

/**
 * enum multikernel_load_flags - flags of &struct multikernel_load
 * @MULTIKERNEL_LOAD_INITRD: @initrd_fd names an initramfs to load too;
 *	without it @initrd_fd must be 0
 */
enum multikernel_load_flags {
	MULTIKERNEL_LOAD_INITRD = 1 << 0,
};

/**
 * struct multikernel_load - ioctl(MULTIKERNEL_LOAD)
 * @size:	sizeof(struct multikernel_load)
 * @flags:	a combination of &enum multikernel_load_flags
 * @name:	the instance
 * @kernel_fd:	file descriptor of the kernel image (a bzImage on x86)
 * @initrd_fd:	file descriptor of the initramfs, see @flags
 * @cmdline_uptr: user pointer to the kernel command line, NUL-terminated
 * @cmdline_len: bytes at @cmdline_uptr including the NUL; 0 for none
 * @__reserved:	must be 0
 *
 * Load a kernel into an instance in state empty, loaded or stopped
 * (EBUSY otherwise) through the kexec_file machinery, so that signature
 * verification and lockdown apply as for kexec_file_load(2). Replaces a
 * kernel loaded before. Needs CAP_SYS_BOOT. Besides the errors of
 * kexec_file_load(2): ENOEXEC for a file that is not a kernel image, EFBIG
 * for an image or initramfs that does not fit the instance's memory,
 * EOPNOTSUPP for a kernel without multikernel support and EPROTO for one
 * that speaks another version of the host-instance handoff, ESTALE when
 * a file changed while it was loaded. The kernel keeps the two files (not
 * the descriptors) and reads them again at every start; until another
 * load or the destroy, they cannot be written (ETXTBSY), and a file open
 * for writing cannot be loaded (ETXTBSY). A stopped
 * instance first takes its memory range back from the pool (EADDRINUSE
 * when another instance was given some of it meanwhile) and, once loaded,
 * keeps it; it gives it back again when the load fails.
 */
struct multikernel_load {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
	__u32 kernel_fd;
	__u32 initrd_fd;
	__u64 cmdline_uptr;
	__u32 cmdline_len;
	__u32 __reserved;
};

#define MULTIKERNEL_LOAD	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_LOAD)

/**
 * struct multikernel_start - ioctl(MULTIKERNEL_START)
 * @size:	sizeof(struct multikernel_start)
 * @flags:	must be 0
 * @name:	the instance
 *
 * Start the loaded kernel of an instance in state loaded or stopped; a
 * stopped instance starts again from the image loaded last (EINVAL when
 * none is loaded, EBUSY while it runs). Takes the instance's memory
 * range back from the pool and its CPUs from the host when a stop gave
 * them back: the very range it had, where the image was laid out
 * (EADDRINUSE when another instance was given some of it meanwhile). EBUSY
 * also while a host kexec or suspend is under way. Returns once the
 * instance's first CPU was started; the state then goes from starting to
 * running when the instance reports that it booted.
 */
struct multikernel_start {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
};

#define MULTIKERNEL_START	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_START)

/**
 * enum multikernel_stop_flags - flags of &struct multikernel_stop
 * @MULTIKERNEL_STOP_FORCE: do not ask the instance to shut down; reset
 *	its CPUs at once
 */
enum multikernel_stop_flags {
	MULTIKERNEL_STOP_FORCE = 1 << 0,
};

/**
 * define MULTIKERNEL_STOP_TIMEOUT_MAX_MS - longest graceful stop timeout
 */
#define MULTIKERNEL_STOP_TIMEOUT_MAX_MS	3600000

/**
 * struct multikernel_stop - ioctl(MULTIKERNEL_STOP)
 * @size:	sizeof(struct multikernel_stop)
 * @flags:	a combination of &enum multikernel_stop_flags
 * @name:	the instance
 * @timeout_ms:	how long to wait for a graceful shutdown before resetting
 *		the CPUs; 0 for the default of 30 seconds, at most
 *		%MULTIKERNEL_STOP_TIMEOUT_MAX_MS
 * @__reserved:	must be 0
 *
 * Stop an instance in state starting, running, stopping or crashed
 * (EINVAL otherwise). Without %MULTIKERNEL_STOP_FORCE the instance is
 * asked to shut down and given @timeout_ms to do so; then, or at once with
 * the flag, its CPUs are reset. They go back online in the host, and the
 * instance's memory is cleared and given back to the pool; a later load or
 * start takes the same range again.
 * Returns once the instance is stopped; ETIMEDOUT when a CPU did not
 * respond to the reset (the instance is then marked crashed), EINTR when a
 * signal ended the wait (the instance stays in state stopping).
 */
struct multikernel_stop {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
	__u32 timeout_ms;
	__u32 __reserved;
};

#define MULTIKERNEL_STOP	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_STOP)

/**
 * enum multikernel_status_flags - @out_flags of &struct multikernel_status
 * @MULTIKERNEL_STATUS_CPUS_TAKEN: the instance's CPUs are offline in the
 *	host (from create until a stop, and again from a start)
 * @MULTIKERNEL_STATUS_LOADED: a kernel image is loaded
 * @MULTIKERNEL_STATUS_MEMORY_HELD: the instance's memory is taken from the
 *	pool (from create until a stop, and again from a load or start);
 *	while it is not, the range is free in the pool, cleared, and may be
 *	given to another instance
 */
enum multikernel_status_flags {
	MULTIKERNEL_STATUS_CPUS_TAKEN = 1 << 0,
	MULTIKERNEL_STATUS_LOADED = 1 << 1,
	MULTIKERNEL_STATUS_MEMORY_HELD = 1 << 2,
};

/**
 * define MULTIKERNEL_REASON_LEN - bytes of a crash reason, with its NUL
 */
#define MULTIKERNEL_REASON_LEN		128

/**
 * struct multikernel_status - ioctl(MULTIKERNEL_STATUS)
 * @size:	sizeof(struct multikernel_status)
 * @flags:	must be 0
 * @name:	the instance
 * @out_id:	its id
 * @out_state:	its state, an &enum multikernel_state
 * @out_flags:	a combination of &enum multikernel_status_flags
 * @out_nr_cpus: number of CPUs it owns
 * @out_mem_base: physical address of its memory range, also while the
 *		range is back in the pool
 * @out_mem_size: bytes of its memory range, also while the range is back
 *		in the pool (see %MULTIKERNEL_STATUS_MEMORY_HELD)
 * @out_uptime_ns: nanoseconds since it was last started, 0 unless it is
 *		starting or running
 * @cpus_uptr:	user pointer to a buffer for the bitmap of its CPUs (laid
 *		out as for &struct multikernel_create), or 0
 * @cpus_len:	in: bytes at @cpus_uptr, a multiple of 8;
 *		out: bytes the bitmap needs (EMSGSIZE when that is more than
 *		came in and @cpus_uptr is not 0; the rest is zero-filled)
 * @__reserved:	must be 0
 * @out_crash_reason: NUL-terminated reason of the last crash, empty when
 *		the instance is not in state crashed
 */
struct multikernel_status {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
	__u32 out_id;
	__u32 out_state;
	__u32 out_flags;
	__u32 out_nr_cpus;
	__u64 out_mem_base;
	__u64 out_mem_size;
	__u64 out_uptime_ns;
	__u64 cpus_uptr;
	__u32 cpus_len;
	__u32 __reserved;
	__u8 out_crash_reason[MULTIKERNEL_REASON_LEN];
};

#define MULTIKERNEL_STATUS	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_STATUS)

/**
 * struct multikernel_list - ioctl(MULTIKERNEL_LIST)
 * @size:	sizeof(struct multikernel_list)
 * @flags:	must be 0
 * @count:	in: number of names @names_uptr has room for;
 *		out: number of instances
 * @__reserved:	must be 0
 * @names_uptr:	user pointer to @count name members of
 *		%MULTIKERNEL_NAME_LEN bytes each, filled in order of creation;
 *		may be 0 when @count is 0
 *
 * EMSGSIZE when there are more instances than @count; @count then holds
 * how many there are.
 */
struct multikernel_list {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 __reserved;
	__u64 names_uptr;
};

#define MULTIKERNEL_LIST	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_LIST)

/**
 * struct multikernel_console - ioctl(MULTIKERNEL_CONSOLE)
 * @size:	sizeof(struct multikernel_console)
 * @flags:	must be 0
 * @name:	the instance
 * @out_fd:	a new read-only, close-on-exec file descriptor
 * @__reserved:	must be 0
 *
 * Open the instance's console log: the kernel log and console output the
 * instance kernel wrote into the log ring it shares with the host, from
 * its first printk on. read() returns the oldest bytes still in the ring
 * first, then newer ones, and 0 when there is nothing new yet; it keeps
 * working across stop and start. After the instance is destroyed, read()
 * fails with ENODEV.
 */
struct multikernel_console {
	__u32 size;
	__u32 flags;
	__u8 name[MULTIKERNEL_NAME_LEN];
	__u32 out_fd;
	__u32 __reserved;
};

#define MULTIKERNEL_CONSOLE	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_CONSOLE)

/*
 * ---------------------------------------------------------------------
 * User ABI: the user datagram devices
 * ---------------------------------------------------------------------
 *
 * On the host, /dev/mkmsg/<name> exchanges datagrams with the programs of
 * instance <name>; in an instance, /dev/mkmsg/host exchanges them with
 * the host's programs and, through the host, with other instances. One
 * write() sends one datagram of 1 to MULTIKERNEL_USER_MAX bytes, one
 * read() returns one. Documentation/multikernel/messaging.rst ("User
 * datagrams") describes the semantics. The ioctls follow the rules of the
 * /dev/multikernel ones above: @size first, unknown @flags bits and
 * reserved members must be zero.
 */

/** define MULTIKERNEL_HOST_ID - the id that stands for the host kernel */
#define MULTIKERNEL_HOST_ID		0

/**
 * define MULTIKERNEL_USER_MAX - largest user datagram payload in bytes
 *
 * What one write() to a datagram device may send and one read() return.
 */
#define MULTIKERNEL_USER_MAX		65528

#define MULTIKERNEL_CMD_USER_BASE	0x10

enum {
	MULTIKERNEL_CMD_USER_CONNECT = MULTIKERNEL_CMD_USER_BASE,
};

/**
 * struct multikernel_user_connect - ioctl(MULTIKERNEL_USER_CONNECT)
 * @size:	sizeof(struct multikernel_user_connect)
 * @flags:	must be 0
 * @peer_id:	id of the kernel this file descriptor talks to from now on:
 *		%MULTIKERNEL_HOST_ID or the id of another instance
 * @__reserved:	must be 0
 *
 * Point a file descriptor of /dev/mkmsg/host in an instance at another
 * kernel: its writes go to that kernel (through the host, which forwards
 * them) and its reads return only datagrams that kernel sent. A new file
 * descriptor talks to the host. On the host, a device talks to its
 * instance only and @peer_id must be that instance's id. EINVAL for
 * @peer_id naming the caller's own kernel.
 */
struct multikernel_user_connect {
	__u32 size;
	__u32 flags;
	__u32 peer_id;
	__u32 __reserved;
};

#define MULTIKERNEL_USER_CONNECT	_IO(MULTIKERNEL_TYPE, MULTIKERNEL_CMD_USER_CONNECT)

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
