// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY test trigger of the spawn branch, dropped at integration: the
 * lifecycle core (ioctls, sysfs, mkctl) replaces it. Two instances, "dbg0"
 * and "dbg1", driven through /sys/kernel/debug/multikernel-spawn/dbgN/:
 *
 *   echo "CPULIST MEM_MB" > create     take the CPUs, carve and clear memory
 *   echo "KFD IFD CMDLINE" > load      file descriptors of the writer
 *   echo 1 > start
 *   echo shutdown|force > stop          force: INIT the CPUs, give them back
 *   cat state; cat console
 */
#define pr_fmt(fmt) "multikernel-dbg: " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "internal.h"

#define MK_DBG_NR	2

static struct mk_instance mk_dbgs[MK_DBG_NR] = {
	{ .id = 1, .name = "dbg0" },
	{ .id = 2, .name = "dbg1" },
};

static bool mk_dbg_created[MK_DBG_NR];
static DEFINE_SPINLOCK(mk_dbg_report_lock);

static const char * const mk_dbg_states[] = {
	"empty", "loaded", "starting", "running", "stopping", "stopped", "crashed",
};

static int mk_dbg_give_back(struct mk_instance *inst)
{
	unsigned int cpu;
	int ret;

	ret = mk_arch_force_stop(inst);
	if (ret)
		return ret;
	for_each_cpu(cpu, inst->cpus) {
		ret = add_cpu(cpu);
		if (ret)
			pr_err("add_cpu(%u): %d\n", cpu, ret);
	}
	return 0;
}

static void mk_dbg_stopped_fn(struct work_struct *w)
{
	struct mk_instance *inst;
	unsigned int i;

	for (i = 0; i < MK_DBG_NR; i++) {
		inst = &mk_dbgs[i];
		mutex_lock(&inst->lock);
		if (inst->state == MK_STOPPED && inst->arch)
			mk_dbg_give_back(inst);
		mutex_unlock(&inst->lock);
	}
}

static DECLARE_WORK(mk_dbg_stopped_work, mk_dbg_stopped_fn);

void mk_instance_report(struct mk_instance *inst, enum mk_state new_state,
			const char *reason)
{
	unsigned long flags;

	spin_lock_irqsave(&mk_dbg_report_lock, flags);
	inst->state = new_state;
	if (reason)
		strscpy(inst->crash_reason, reason, sizeof(inst->crash_reason));
	spin_unlock_irqrestore(&mk_dbg_report_lock, flags);
	pr_info("%s: state %s%s%s\n", inst->name, mk_dbg_states[new_state],
		reason ? ": " : "", reason ? reason : "");
	if (new_state == MK_STOPPED)
		schedule_work(&mk_dbg_stopped_work);
}

static int mk_dbg_create(struct mk_instance *inst, bool *created, char *buf)
{
	unsigned int cpu, mb;
	char list[64];
	phys_addr_t base;
	void *p;
	int ret;

	if (*created)
		return -EEXIST;
	if (sscanf(buf, "%63s %u", list, &mb) != 2)
		return -EINVAL;
	ret = cpulist_parse(list, inst->cpus);
	if (ret)
		return ret;
	ret = mk_pool_carve(&mk_host_pool, (u64)mb << 20, &base);
	if (ret)
		return ret;
	p = memremap(base, (u64)mb << 20, MEMREMAP_WB);
	if (!p) {
		mk_pool_return(&mk_host_pool, base, (u64)mb << 20);
		return -ENOMEM;
	}
	memset(p, 0, (u64)mb << 20);
	memunmap(p);
	for_each_cpu(cpu, inst->cpus) {
		ret = remove_cpu(cpu);
		if (ret)
			pr_err("remove_cpu(%u): %d\n", cpu, ret);
	}
	inst->mem_base = base;
	inst->mem_size = (u64)mb << 20;
	inst->state = MK_EMPTY;
	*created = true;
	pr_info("created: CPUs %*pbl, %u MiB at %pa\n",
		cpumask_pr_args(inst->cpus), mb, &base);
	return 0;
}

static int mk_dbg_load(struct mk_instance *inst, char *buf)
{
	int kfd, ifd, n = 0;
	char *cmdline;

	if (sscanf(buf, "%d %d %n", &kfd, &ifd, &n) < 2)
		return -EINVAL;
	cmdline = strim(buf + n);
	return mk_load_image(inst, kfd, ifd, cmdline, strlen(cmdline) + 1);
}

static ssize_t mk_dbg_write(struct file *f, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	const char *op = f->f_path.dentry->d_name.name;
	struct mk_instance *inst = f->f_inode->i_private;
	bool *created = &mk_dbg_created[inst - mk_dbgs];
	char *buf;
	int ret;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 4095));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	mutex_lock(&inst->lock);
	if (!strcmp(op, "create")) {
		ret = mk_dbg_create(inst, created, buf);
	} else if (!*created) {
		ret = -ENOENT;
	} else if (!strcmp(op, "load")) {
		ret = mk_dbg_load(inst, buf);
		if (!ret)
			inst->state = MK_LOADED;
	} else if (!strcmp(op, "start")) {
		unsigned int cpu;

		for_each_cpu(cpu, inst->cpus)
			if (cpu_online(cpu))
				remove_cpu(cpu);
		inst->crash_reason[0] = '\0';
		inst->state = MK_STARTING;
		ret = mk_arch_start(inst);
		if (ret)
			inst->state = MK_LOADED;
	} else if (!strncmp(buf, "force", 5)) {
		ret = mk_dbg_give_back(inst);
		if (!ret)
			inst->state = MK_STOPPED;
	} else {
		ret = mk_arch_request_shutdown(inst);
	}
	mutex_unlock(&inst->lock);
	kfree(buf);
	if (ret)
		pr_info("%s: %d\n", op, ret);
	return ret ? ret : len;
}

static ssize_t mk_dbg_read(struct file *f, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	const char *op = f->f_path.dentry->d_name.name;
	struct mk_instance *inst = f->f_inode->i_private;
	char *buf;
	ssize_t n;
	u64 pos;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!strcmp(op, "state")) {
		n = scnprintf(buf, PAGE_SIZE, "%s %s\n",
			      mk_dbg_states[READ_ONCE(inst->state)],
			      inst->crash_reason);
		n = simple_read_from_buffer(ubuf, len, ppos, buf, n);
	} else {
		pos = *ppos;
		n = mk_dbg_created[inst - mk_dbgs] ? mk_console_read(inst, buf,
				min_t(size_t, len, PAGE_SIZE), &pos) : 0;
		if (n > 0 && copy_to_user(ubuf, buf, n))
			n = -EFAULT;
		if (n >= 0)
			*ppos = pos;
	}
	kfree(buf);
	return n;
}

static const struct file_operations mk_dbg_fops = {
	.read	= mk_dbg_read,
	.write	= mk_dbg_write,
	.llseek	= default_llseek,
};

static int __init mk_dbg_init(void)
{
	struct dentry *top = debugfs_create_dir("multikernel-spawn", NULL);
	static const char * const files[] = {
		"create", "load", "start", "stop", "state", "console",
	};
	struct mk_instance *inst;
	struct dentry *d;
	unsigned int i, j;

	for (j = 0; j < MK_DBG_NR; j++) {
		inst = &mk_dbgs[j];
		mutex_init(&inst->lock);
		if (!zalloc_cpumask_var(&inst->cpus, GFP_KERNEL))
			return -ENOMEM;
		d = debugfs_create_dir(inst->name, top);
		for (i = 0; i < ARRAY_SIZE(files); i++)
			debugfs_create_file(files[i], 0600, d, inst, &mk_dbg_fops);
	}
	return 0;
}
late_initcall(mk_dbg_init);
