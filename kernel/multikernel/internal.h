/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel core: declarations shared between the files of
 * kernel/multikernel/ and nothing else.
 */
#ifndef _KERNEL_MULTIKERNEL_INTERNAL_H
#define _KERNEL_MULTIKERNEL_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/kref.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct mk_pool_req - a parsed multikernel= boot parameter
 * @size:	bytes to reserve, a multiple of MULTIKERNEL_POOL_ALIGN
 * @base:	physical start address when @fixed
 * @fixed:	true for multikernel=<size>@<addr>, false to let the kernel place it
 */
struct mk_pool_req {
	u64 size;
	u64 base;
	bool fixed;
};

int mk_pool_parse(const char *arg, u64 ram_size, struct mk_pool_req *req,
		  const char **why);
bool mk_ranges_overlap(u64 a_start, u64 a_size, u64 b_start, u64 b_size);

/**
 * struct mk_pool - physical memory that instances are carved from
 * @lock:	protects @map and @nr_free
 * @map:	one bit per MULTIKERNEL_POOL_ALIGN granule, set when carved out;
 *		NULL when there is no pool
 * @granules:	bits in @map
 * @nr_free:	clear bits in @map
 * @base:	physical start address
 * @size:	bytes in the pool
 */
struct mk_pool {
	spinlock_t lock;	/* protects map and nr_free */
	unsigned long *map;
	unsigned long granules;
	unsigned long nr_free;
	phys_addr_t base;
	u64 size;
};

int mk_pool_init(struct mk_pool *pool, phys_addr_t base, u64 size);
void mk_pool_destroy(struct mk_pool *pool);
int mk_pool_carve(struct mk_pool *pool, u64 size, phys_addr_t *addr);
int mk_pool_return(struct mk_pool *pool, phys_addr_t addr, u64 size);
u64 mk_pool_free_bytes(const struct mk_pool *pool);

/* The pool reserved at boot with multikernel=; empty when none was. */
extern struct mk_pool mk_host_pool;

/*
 * Instances: the contract between the lifecycle core and the spawn code
 * (notes/spawn-interface.md). The core owns this block; the spawn branch
 * carries a copy so that it builds on its own.
 */

/**
 * enum mk_state - lifecycle state of an instance
 * @MK_EMPTY:	created; CPUs taken, memory carved and cleared
 * @MK_LOADED:	a kernel image is loaded
 * @MK_STARTING: the first CPU was started, the instance kernel boots
 * @MK_RUNNING:	the instance reported that it booted
 * @MK_STOPPING: a stop is in progress
 * @MK_STOPPED:	the instance's CPUs were reset and given back to the host
 * @MK_CRASHED:	the instance panicked or a stop failed; see crash_reason
 */
enum mk_state {
	MK_EMPTY, MK_LOADED, MK_STARTING, MK_RUNNING, MK_STOPPING, MK_STOPPED,
	MK_CRASHED,
};

struct mk_image;

/**
 * struct mk_instance - one instance
 * @kref:	reference count
 * @lock:	protects everything below
 * @id:		small integer, unique while the instance exists
 * @name:	its name
 * @state:	lifecycle state
 * @cpus:	host logical CPU numbers the instance owns
 * @mem_base:	physical start of its memory, carved from mk_host_pool
 * @mem_size:	bytes of its memory
 * @image:	the loaded kernel, NULL until loaded
 * @crash_reason: why it crashed
 * @arch:	arch/spawn private state
 */
struct mk_instance {
	struct kref kref;
	struct mutex lock;	/* protects everything below */
	int id;
	char name[MULTIKERNEL_NAME_MAX + 1];
	enum mk_state state;
	cpumask_var_t cpus;
	phys_addr_t mem_base;
	u64 mem_size;
	struct mk_image *image;
	char crash_reason[128];
	/* --- spawn/arch-private state --- */
	void *arch;
};

void mk_instance_report(struct mk_instance *inst, enum mk_state new_state,
			const char *reason);

/* Implemented by the loader and the arch code. */
int mk_load_image(struct mk_instance *inst, int kernel_fd, int initrd_fd,
		  const char *cmdline, unsigned long cmdline_len);
void mk_free_image(struct mk_instance *inst);
int mk_arch_start(struct mk_instance *inst);
int mk_arch_force_stop(struct mk_instance *inst);
int mk_arch_request_shutdown(struct mk_instance *inst);
ssize_t mk_console_read(struct mk_instance *inst, char *buf, size_t len,
			u64 *pos);

#endif /* _KERNEL_MULTIKERNEL_INTERNAL_H */
