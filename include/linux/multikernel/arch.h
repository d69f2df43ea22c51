/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel: the interface between the core (kernel/multikernel/) and
 * the architecture code that starts, stops and runs instances. The core
 * drives: it calls the mk_arch_*() hooks declared here, and opens and
 * closes the link around them; the arch code gets the instance, the
 * loaded image and the instance-side link functions from here and
 * includes no private header of the core.
 */
#ifndef _LINUX_MULTIKERNEL_ARCH_H
#define _LINUX_MULTIKERNEL_ARCH_H

#include <linux/cpumask.h>
#include <linux/kexec.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct file;
struct multikernel_early_log;
struct multikernel_last_words;

/**
 * enum mk_state - lifecycle state of an instance
 * @MK_EMPTY:	created; CPUs taken, memory carved and cleared
 * @MK_LOADED:	a kernel image is placed in the instance's memory
 * @MK_STARTING: the first CPU was started, the instance kernel boots
 * @MK_RUNNING:	the instance reported that it booted
 * @MK_STOPPING: a stop is in progress
 * @MK_STOPPED:	the instance's CPUs were reset and given back to the host,
 *		its memory to the pool; it holds neither until a load or start
 * @MK_CRASHED:	the instance panicked or a stop failed; see crash_reason
 * @MK_NR_STATES: number of states, not a state
 *
 * Values equal those of &enum multikernel_state in the user ABI. The
 * allowed transitions are listed in one place, mk_state_transition_ok().
 */
enum mk_state {
	MK_EMPTY, MK_LOADED, MK_STARTING, MK_RUNNING, MK_STOPPING, MK_STOPPED,
	MK_CRASHED,
	MK_NR_STATES
};

#define MK_REASON_LEN	MULTIKERNEL_REASON_LEN

struct mk_console_buf;

/**
 * struct mk_instance - one instance kernel and what it owns
 * @kref:	references: the instance list, the sysfs kobject, a queued
 *		report and every lookup in progress
 * @lock:	protects everything below that is not marked otherwise
 * @id:		small integer, unique while the instance exists (constant)
 * @name:	[a-z0-9_-]{1,32} (constant)
 * @state:	lifecycle state; written under @lock with mk_instance_set_state(),
 *		read locklessly with READ_ONCE() by sysfs and waiters
 * @cpus:	host logical CPU numbers the instance owns (constant)
 * @mem_base:	physical start of its memory range in mk_host_pool (constant)
 * @mem_range:	bytes of that range (constant)
 * @mem_size:	bytes of it the instance holds now: @mem_range in every
 *		state but stopped, 0 while stopped (the range is back in the
 *		pool); changed under @lock. Code that maps instance memory
 *		checks this, not @mem_range.
 * @image:	loaded kernel image, NULL until loaded
 * @crash_reason: why it crashed, NUL-terminated; empty unless @state is
 *		%MK_CRASHED
 * @node:	entry in the instance list (mk_lock)
 * @published:	visible to lookups; false while create is still working (mk_lock)
 * @dead:	destroy has begun; every operation now fails with ENOENT
 * @cpus_claimed: @cpus are the instance's: no other instance gets them
 *		(mk_claim_lock in core.c)
 * @cpus_taken:	@cpus are offline in the host and held for the instance
 * @started_ns:	CLOCK_BOOTTIME of the last start
 * @boot:	number of the current boot, counted up by every start; a
 *		report carries the number of the boot it is about
 * @state_wq:	woken on every state change
 * @kobj:	/sys/kernel/multikernel/instances/<name>/; holds a reference
 * @state_kn:	sysfs node of the state file, for sysfs_notify_dirent()
 * @report_lock: protects @report_pending, @report_boot, @report_state,
 *		@report_reason
 * @report_pending: a report from the instance waits for @report_work
 * @report_boot: the boot the pending report is about
 * @report_state: state reported by the arch code
 * @report_reason: reason given with the report
 * @report_work: applies a report in process context
 * @console:	the host's copy of its console output (see
 *		kernel/multikernel/console.c), from create
 *		until the last reference goes
 * @early_log:	its early log in the shared region, while its link is open
 * @arch:	arch/spawn private state
 *
 * Created by MULTIKERNEL_CREATE, freed when the last reference goes. The
 * arch code reads @id, @name, @cpus, @mem_base, @mem_size and @image,
 * under @lock, and owns @arch; everything else belongs to the core.
 */
struct mk_instance {
	struct kref kref;
	struct mutex lock;	/* protects what the member list says */
	int id;
	char name[MULTIKERNEL_NAME_MAX + 1];
	enum mk_state state;
	cpumask_var_t cpus;
	phys_addr_t mem_base;
	u64 mem_range;
	u64 mem_size;
	struct mk_image *image;
	char crash_reason[MK_REASON_LEN];

	/* --- lifecycle-private state --- */
	struct list_head node;
	bool published;
	bool dead;
	bool cpus_claimed;
	bool cpus_taken;
	u64 started_ns;
	u32 boot;
	wait_queue_head_t state_wq;
	struct kobject kobj;
	struct kernfs_node *state_kn;
	spinlock_t report_lock;	/* protects report_* */
	bool report_pending;
	u32 report_boot;
	enum mk_state report_state;
	char report_reason[MK_REASON_LEN];
	struct work_struct report_work;
	struct mk_console_buf *console;
	struct multikernel_early_log *early_log;

	/* --- spawn/arch-private state (the spawn code may add fields here) --- */
	void *arch;
};

/*
 * The last MK_SHARED_SIZE bytes of an instance's memory are the region it
 * shares with the host; its kernel is loaded below.
 */
#define MK_SHARED_SIZE		SZ_1M

/**
 * struct mk_segment - one piece of the image and where it goes
 * @buf:	contents, kvmalloc'ed; NULL when they come from @file or
 *		for memory that is only zeroed
 * @file:	file the contents are read from at every start, held with
 *		write access denied; NULL when they are at @buf
 * @pos:	offset of the contents in @file
 * @bufsz:	bytes of contents
 * @mem:	physical address in the instance's memory
 * @memsz:	bytes at @mem, @bufsz of them contents and the rest zero
 */
struct mk_segment {
	void *buf;
	struct file *file;
	loff_t pos;
	size_t bufsz;
	phys_addr_t mem;
	size_t memsz;
};

/**
 * struct mk_image - a kernel verified and placed by kexec_file
 * @nr_segments: used entries of @seg
 * @seg:	the segments, in the order the kexec loader produced them
 * @entry:	physical address of the kernel's 64-bit entry point
 * @boot_params: physical address of its boot_params
 * @bp_seg:	index of the segment that holds @boot_params at its start
 * @unpacked_entry: physical address the next start enters the kernel at
 *		that the arch unpacked into the instance's memory at load;
 *		0 when it starts through @entry
 * @unpacked_seg: the segment the unpacked kernel took the place of
 * @unpacked_kaslr: the unpacked kernel was moved to a random virtual
 *		address
 *
 * The segments are copied into the instance's memory at every start, so
 * a stopped instance starts again from a pristine image; only the first
 * start after a load may find its kernel unpacked in place already.
 */
struct mk_image {
	unsigned int nr_segments;
	struct mk_segment seg[KEXEC_SEGMENT_MAX];
	phys_addr_t entry;
	phys_addr_t boot_params;
	unsigned int bp_seg;
	phys_addr_t unpacked_entry;
	unsigned int unpacked_seg;
	bool unpacked_kaslr;
};

/* Arch: check the kernel speaks our handoff, find its entry point. */
int mk_arch_image_finish(struct kimage *image, struct mk_image *mk);

/* Arch: unpack the kernel into the instance's memory for its first start. */
void mk_arch_image_unpack(const struct kimage *image, struct mk_image *mk);

/* Loader: put every segment of @img into place, @skip_unpacked: but one. */
int mk_image_copy_in(const struct mk_image *img, bool skip_unpacked);

/**
 * struct mk_arch_link - where an instance's messaging region is
 * @early_log:	its early log in the shared region, mapped
 * @last_words:	its end notice in the shared region, mapped
 * @region:	the region, mapped
 * @size:	its bytes
 * @hw_id:	hardware id of the instance CPU that hears the host's
 *		doorbells
 */
struct mk_arch_link {
	struct multikernel_early_log *early_log;
	struct multikernel_last_words *last_words;
	void *region;
	size_t size;
	u32 hw_id;
};

/*
 * The arch's part of a start and a stop; kernel-doc with the x86 code.
 * The core calls them in this order, with inst->lock held:
 *
 *   mk_arch_prepare()		image, boot_params, handoff, shared region
 *   mk_link_open()		on the region prepare gave
 *   mk_arch_start()		the first CPU gets its start IPIs
 *   ...
 *   mk_arch_force_stop()	every CPU reset and parked, whatever it ran
 *   mk_link_close()		the instance's last messages, with a bound
 *   mk_arch_release()		undo prepare
 *
 * When mk_arch_start() fails, the core resets the CPU before it closes
 * the link; when mk_arch_force_stop() fails, the instance may still run
 * and keeps its link, CPUs and memory.
 */
int mk_arch_prepare(struct mk_instance *inst, struct mk_arch_link *link);
int mk_arch_start(struct mk_instance *inst);
int mk_arch_force_stop(struct mk_instance *inst);
void mk_arch_release(struct mk_instance *inst);

/*
 * A new host takes over an instance the host it replaced ran: like
 * mk_arch_prepare(), for a kernel that runs already (live-update.rst).
 */
int mk_arch_adopt(struct mk_instance *inst, u64 shared_phys, u64 low_base,
		  struct mk_arch_link *link);

/*
 * Nanoseconds mk_arch_prepare() took, 0 when not known; for the boot
 * figures in the link statistics.
 */
u64 mk_arch_prepare_ns(struct mk_instance *inst);

/*
 * Nanoseconds from the start IPIs to the jump into the instance kernel,
 * 0 when not known; for the boot figures in the link statistics.
 */
u64 mk_arch_entry_ns(struct mk_instance *inst);

/*
 * The id by which the hardware, the doorbell and the handoff name a host
 * CPU (x86: its APIC ID); shown in sysfs.
 */
u32 mk_arch_cpu_hw_id(unsigned int cpu);

/*
 * A host kexec that leaves instances running (live-update.rst). The old
 * host: does the loaded kernel keep off the CPUs instances hold (@cpu: one
 * it would start, nr_cpu_ids when it carries no handover)? The new host,
 * before SMP bring-up: which CPUs must it hold for the old one's instances
 * (false when it was handed none)?
 */
bool mk_arch_kexec_keeps_off(const struct cpumask *cpus, unsigned int *cpu);

/**
 * struct mk_handed_over - what a new host learnt from the old one's handover
 * @pool_phys:	the old host's pool, reserved in this kernel
 * @pool_size:	bytes of the pool
 * @record_phys: the handover record, in the pool; 0 when the handover
 *		itself was bad
 * @record_size: bytes of room for it
 */
struct mk_handed_over {
	u64 pool_phys;
	u64 pool_size;
	u64 record_phys;
	u64 record_size;
};

bool __init mk_arch_handed_over(struct cpumask *cpus, struct mk_handed_over *ho);

/*
 * The old host, loading a kernel with a handover: a pool granule for the
 * handover record (kernel/multikernel/handover.c).
 */
int multikernel_handover_record_reserve(u64 *phys, u64 *size);

/* Where a started instance's shared region is; false before a start. */
bool mk_arch_shared_region(struct mk_instance *inst, u64 *phys, u64 *size);
/*
 * Memory outside its range that a started instance was given and its
 * kernel keeps using (x86: the window below 1 MiB its CPUs start from);
 * size 0 for none. The handover record carries it to the next host.
 */
void mk_arch_low_window(struct mk_instance *inst, u64 *base, u64 *size);

/**
 * struct mk_arch_instance - where a kernel running as an instance finds
 *			     its host
 * @shared_phys: physical address of the region it shares with the host
 * @shared_size: bytes of that region
 * @msg_offset:	where the messaging region starts in it
 * @msg_size:	bytes of the messaging region
 * @last_words_offset: where the last-words block
 *		(&struct multikernel_last_words) starts in it
 * @host_hw_id:	hardware id of the host CPU that hears doorbells
 * @id:		this instance's id
 * @name:	this instance's name, from the host
 *
 * The arch code read these from its handoff and checked that the
 * messaging region and the last-words block lie inside the shared region.
 */
struct mk_arch_instance {
	phys_addr_t shared_phys;
	size_t shared_size;
	size_t msg_offset;
	size_t msg_size;
	size_t last_words_offset;
	u32 host_hw_id;
	u32 id;
	const char *name;
};

/*
 * In a kernel that runs as an instance (multikernel_is_instance()): where
 * its host is. The core connects to the host with it at arch_initcall.
 * Returns 0 or -ENODEV.
 */
int mk_arch_instance(struct mk_arch_instance *self);

/*
 * What the arch code of an instance reports: it ends (stops, restarts,
 * halts or panics); kernel-doc in kernel/multikernel/ctl.c.
 */
void mk_link_instance_notify(u32 op, u32 arg, const char *text);

#endif /* _LINUX_MULTIKERNEL_ARCH_H */
