/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel core: declarations shared between the files of
 * kernel/multikernel/ and nothing else.
 */
#ifndef _KERNEL_MULTIKERNEL_INTERNAL_H
#define _KERNEL_MULTIKERNEL_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/multikernel.h>
#include <linux/multikernel/arch.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

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
int mk_pool_lift(struct resource *root, struct resource *pool,
		 struct resource *above);
#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
void mk_pool_destroy(struct mk_pool *pool);
#endif
int mk_pool_carve(struct mk_pool *pool, u64 size, phys_addr_t *addr);
int mk_pool_carve_at(struct mk_pool *pool, phys_addr_t addr, u64 size);
int mk_pool_return(struct mk_pool *pool, phys_addr_t addr, u64 size);
u64 mk_pool_free_bytes(const struct mk_pool *pool);

/* The pool reserved at boot with multikernel=; empty when none was. */
extern struct mk_pool mk_host_pool;

/*
 * Instances.
 *
 * Locking, outermost first:
 *
 *   mk_lock (core.c)		the instance list, ids, names
 *   mk_instance.lock		one instance's state, image and CPUs
 *   CPU hotplug locks		taken inside remove_cpu()/add_cpu()
 *   mk_claim_lock (core.c)	CPU claims (spinlock)
 *   mk_instance.report_lock	the pending report (spinlock, any context)
 *   mk_host_pool.lock		the pool bitmap (spinlock)
 *
 * mk_lock may be taken with no instance lock held only; an instance lock
 * is never held across kobject_del() of that instance (sysfs show()
 * methods may take it) nor while waiting for the instance to stop.
 */

/**
 * enum mk_op - what userspace asks of an instance, for mk_state_op_check()
 * @MK_OP_LOAD:		load a kernel image
 * @MK_OP_START:	start the loaded image
 * @MK_OP_STOP:		stop, gracefully or by force
 * @MK_OP_DESTROY:	destroy the instance
 */
enum mk_op { MK_OP_LOAD, MK_OP_START, MK_OP_STOP, MK_OP_DESTROY };

/**
 * struct mk_console_buf - the host's copy of an instance's console
 * @head:	bytes ever written to @ring in this boot
 * @ring:	MK_CONSOLE_BUF_SIZE bytes (console.c), see logring.c
 * @wait:	woken when output arrives
 */
struct mk_console_buf {
	u64 head;
	u8 *ring;
	wait_queue_head_t wait;
};

/* early_console.c */
size_t mk_early_log_read(const struct multikernel_early_log *log, char *buf,
			 size_t len);

/* logring.c */
void mk_logring_write(u64 *headp, u8 *ring, u32 size, const char *s, size_t n);
size_t mk_logring_read(const u64 *headp, const u8 *ring, u32 size, u64 *pos,
		       char *buf, size_t len);

/* state.c: the state machine and names (pure) */
bool mk_state_transition_ok(enum mk_state from, enum mk_state to);
int mk_state_op_check(enum mk_op op, enum mk_state state);
const char *mk_state_name(enum mk_state state);
bool mk_state_cpus_in_use(enum mk_state state);
int mk_name_check(const char *name, size_t len);

/* core.c and lifecycle.c: instances */

/**
 * struct mk_create_args - what MULTIKERNEL_CREATE asks for, validated
 * @name:	a name that passed mk_name_check()
 * @cpus:	CPUs to own, from mk_cpulist_parse() or a user bitmap
 * @mem_size:	bytes, a non-zero multiple of MULTIKERNEL_POOL_ALIGN
 */
struct mk_create_args {
	const char *name;
	const struct cpumask *cpus;
	u64 mem_size;
};

struct mk_instance *mk_instance_create(const struct mk_create_args *args);
struct mk_instance *mk_instance_get(const char *name);
void mk_instance_put(struct mk_instance *inst);
int mk_instance_destroy(struct mk_instance *inst);
int mk_instance_load(struct mk_instance *inst, int kernel_fd, int initrd_fd,
		     const char *cmdline, unsigned long cmdline_len);
int mk_instance_start(struct mk_instance *inst);
int mk_instance_stop(struct mk_instance *inst, bool force,
		     unsigned int timeout_ms);
int mk_instance_list(char *names, unsigned int room, unsigned int *count);
#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
bool mk_instances_busy(void);
#endif
int mk_instances_freeze(void);
void mk_instances_hold(void);
void mk_instances_thaw(void);
unsigned int mk_instances_stop_all(unsigned int timeout_ms);

void mk_instance_report(struct mk_instance *inst, u32 boot,
			enum mk_state new_state, const char *reason);

/* between core.c and lifecycle.c */
int mk_busy_enter(void);
void mk_busy_leave(void);
int mk_instance_take_back(struct mk_instance *inst);
void mk_instance_let_go(struct mk_instance *inst);
void mk_instance_report_work(struct work_struct *work);
void mk_call_free_image(struct mk_instance *inst);

/* cpus.c */
int mk_cpulist_parse(const char *buf, size_t len, unsigned long *bits,
		     unsigned int nbits);
int mk_cpus_check(const struct cpumask *want, const struct cpumask *claimed,
		  const struct cpumask *present, const struct cpumask *online);
void mk_cpus_warn_split_cores(const struct mk_instance *inst);
int mk_cpus_take(struct mk_instance *inst);
void mk_cpus_give_back(struct mk_instance *inst);
void mk_cpus_held(struct cpumask *out);

/* handover.c */
int mk_handover_record_write(void);
void __init mk_handover_record_take(const struct mk_handed_over *ho,
				    struct cpumask *held);
void __init mk_handover_keep_pool(void);
void __init mk_handover_adopt(void);
int __init mk_instance_adopt(const struct multikernel_record_instance *ri,
			     const struct cpumask *cpus);
int mk_instances_record(struct multikernel_record_instance *out,
			unsigned int max);
bool mk_instances_unsettled(char *name, size_t len, enum mk_state *state);
int mk_cpus_ready(void);

/* console.c */
struct file *mk_console_open(struct mk_instance *inst);

/* pm.c, dev.c */
int mk_pm_init(void);
void mk_live_update_set(bool on);
int mk_dev_init(void);

/* mem.c */
int mk_mem_alloc(struct mk_instance *inst, u64 size);
void mk_mem_clear(struct mk_instance *inst);
void mk_mem_free(struct mk_instance *inst);
int mk_mem_retake(struct mk_instance *inst);

/* sysfs.c */
int mk_sysfs_instance_add(struct mk_instance *inst);
void mk_sysfs_instance_del(struct mk_instance *inst);
void mk_sysfs_notify_state(struct mk_instance *inst);

/*
 * Implemented by the loader and the arch code (kernel/multikernel/loader.c,
 * arch/x86/kernel/multikernel/).
 */

/*
 * Load through kexec_file: verify, place segments inside
 * [mem_base, mem_base + mem_size). Called with inst->lock held, state
 * EMPTY/LOADED/STOPPED. -ENOEXEC not a kernel image, -EFBIG image/initrd
 * does not fit, -EOPNOTSUPP kernel without multikernel support, -EPROTO
 * handoff ABI version not spoken, plus signature/lockdown errors exactly as
 * kexec_file_load returns them. Replaces any previous image.
 */
int mk_load_image(struct mk_instance *inst, int kernel_fd, int initrd_fd,
		  const char *cmdline, unsigned long cmdline_len);
void mk_free_image(struct mk_instance *inst);

/* console.c: the host's copy of the console, see kernel-doc there */
void mk_console_hangup(struct mk_instance *inst);
ssize_t mk_console_read(struct mk_instance *inst, char *buf, size_t len,
			u64 *pos);

/**
 * struct mk_arch_ops - stand-ins for the loader and arch entry points
 * @load_image:		for mk_load_image()
 * @free_image:		for mk_free_image()
 * @prepare:		for mk_arch_prepare()
 * @start:		for mk_arch_start()
 * @force_stop:		for mk_arch_force_stop()
 * @release:		for mk_arch_release()
 * @request_shutdown:	for mk_link_request_shutdown()
 *
 * Only the lifecycle KUnit suite sets mk_test_arch, to drive the core
 * through states that need a running instance kernel; the report work
 * item calls these too, which KUnit static stubs do not reach. With the
 * stand-ins the core opens no link. Kernels without
 * CONFIG_MULTIKERNEL_KUNIT_TEST have no such hook and always call the
 * real functions.
 */
struct mk_arch_ops {
	int (*load_image)(struct mk_instance *inst, int kernel_fd, int initrd_fd,
			  const char *cmdline, unsigned long cmdline_len);
	void (*free_image)(struct mk_instance *inst);
	int (*prepare)(struct mk_instance *inst, struct mk_arch_link *link);
	int (*start)(struct mk_instance *inst);
	int (*force_stop)(struct mk_instance *inst);
	void (*release)(struct mk_instance *inst);
	int (*request_shutdown)(struct mk_instance *inst);
};

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
extern const struct mk_arch_ops *mk_test_arch;
#endif

/*
 * The messaging link between the host and each instance it started (host
 * side), or between an instance and its host (instance side): link.c,
 * ctl.c (control protocol) and console.c. Kernels are named by id:
 * MULTIKERNEL_HOST_ID for the host, the instance id otherwise.
 */
u32 mk_link_self_id(void);
int mk_console_buf_alloc(struct mk_instance *inst);
void mk_console_buf_free(struct mk_instance *inst);
int mk_link_open(struct mk_instance *inst, const struct mk_arch_link *where);
int mk_link_adopt(struct mk_instance *inst, const struct mk_arch_link *where);
void mk_links_pause(bool pause);
void mk_link_close(struct mk_instance *inst);
int mk_link_request_shutdown(struct mk_instance *inst);
unsigned int mk_link_heartbeat_ms(void);
int mk_link_set_heartbeat_ms(unsigned int ms);
unsigned int mk_link_boot_timeout_ms(void);
int mk_link_set_boot_timeout_ms(unsigned int ms);
int mk_link_send_to(u32 id, u16 channel, const void *data, size_t len,
		    unsigned int flags);
int mk_link_send_iter(u32 id, u16 channel, const void *head, size_t head_len,
		      struct iov_iter *from, unsigned int flags);
bool mk_link_connected(u32 id);
struct mk_peer *mk_link_host_peer(void);

/*
 * user.c: user datagram devices. mk_user_deliver() gets every message of
 * MULTIKERNEL_CHAN_USER from the kernel @from, in process context, header
 * included and not yet checked. mk_user_link_changed() is called when the
 * link to @id comes up or goes down. On the host, mk_user_instance_add()
 * and mk_user_instance_del() follow an instance's create and destroy; in
 * an instance, mk_user_instance_init() runs once its link is up.
 */
void mk_user_deliver(u32 from, const void *data, u32 len);
bool mk_user_deliver_fast(u32 from, const void *data, u32 len);
void mk_user_link_changed(u32 id);
unsigned int mk_user_unread(void);
int mk_user_instance_add(struct mk_instance *inst);
void mk_user_instance_del(struct mk_instance *inst);
int mk_user_instance_init(void);

#endif /* _KERNEL_MULTIKERNEL_INTERNAL_H */
