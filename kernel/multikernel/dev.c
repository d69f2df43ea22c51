// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/multikernel: the ioctl interface that creates, loads, starts, stops
 * and destroys instances, and opens their consoles.
 *
 * Every command takes a structure that starts with its size (see
 * include/uapi/linux/multikernel.h for the layouts and the errno
 * contract). The dispatcher reads the size, refuses sizes below the
 * command's first layout, and copies the structure with
 * copy_struct_from_user(), so that older and newer userspace keep
 * working; the handlers then refuse unknown flags and non-zero reserved
 * members.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <asm/setup.h>

#include "internal.h"

/* Longest CPU list or bitmap accepted by MULTIKERNEL_CREATE. */
#define MK_CPUS_LEN_MAX		4096

/**
 * struct mk_ucmd - one ioctl call in progress
 * @ubuffer:	the user's structure
 * @user_size:	its size as userspace gave it
 * @cmd:	the kernel's copy, of the kernel's size
 */
struct mk_ucmd {
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

/* Copy the kernel's structure back, as much of it as userspace has room for. */
static int mk_ucmd_respond(struct mk_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

/*
 * Check a name member: 1 to MULTIKERNEL_NAME_MAX characters of
 * [a-z0-9_-], a NUL, then only zero bytes. Copies it to @name.
 */
static int mk_ucmd_name(const __u8 *uname, char *name)
{
	size_t len = strnlen((const char *)uname, MULTIKERNEL_NAME_MAX + 1);

	if (len > MULTIKERNEL_NAME_MAX ||
	    mk_name_check((const char *)uname, len) ||
	    memchr_inv(uname + len, 0, MULTIKERNEL_NAME_LEN - len))
		return -EINVAL;
	memcpy(name, uname, len);
	name[len] = '\0';
	return 0;
}

/* Look up the instance a command names: -EINVAL bad name, -ENOENT none. */
static int mk_ucmd_instance(const __u8 *uname, struct mk_instance **inst)
{
	char name[MULTIKERNEL_NAME_MAX + 1];
	int ret;

	ret = mk_ucmd_name(uname, name);
	if (ret)
		return ret;
	*inst = mk_instance_get(name);
	return *inst ? 0 : -ENOENT;
}

/* Read the CPUs of MULTIKERNEL_CREATE, as a list or a bitmap. */
static int mk_ucmd_cpus(const struct multikernel_create *cmd,
			struct cpumask *cpus)
{
	unsigned int i, cpu;
	void *buf;
	int ret = 0;

	if (!cmd->cpus_len || cmd->cpus_len > MK_CPUS_LEN_MAX)
		return -EINVAL;
	if (!(cmd->flags & MULTIKERNEL_CREATE_CPU_LIST) && cmd->cpus_len % 8)
		return -EINVAL;

	buf = memdup_user(u64_to_user_ptr(cmd->cpus_uptr), cmd->cpus_len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);

	if (cmd->flags & MULTIKERNEL_CREATE_CPU_LIST) {
		ret = mk_cpulist_parse(buf, cmd->cpus_len, cpumask_bits(cpus),
				       nr_cpu_ids);
		/* A CPU number past the last possible CPU does not exist. */
		if (ret == -ERANGE)
			ret = -EINVAL;
		goto free_buf;
	}

	cpumask_clear(cpus);
	for (i = 0; i < cmd->cpus_len / 8; i++) {
		u64 word = ((u64 *)buf)[i];

		while (word) {
			cpu = i * 64 + __ffs64(word);
			if (cpu >= nr_cpu_ids) {
				ret = -EINVAL;
				goto free_buf;
			}
			cpumask_set_cpu(cpu, cpus);
			word &= word - 1;
		}
	}
free_buf:
	kfree(buf);
	return ret;
}

static int mk_ioctl_create(struct mk_ucmd *ucmd)
{
	struct multikernel_create *cmd = ucmd->cmd;
	char name[MULTIKERNEL_NAME_MAX + 1];
	struct mk_create_args args;
	struct mk_instance *inst;
	cpumask_var_t cpus;
	int ret;

	if (cmd->flags & ~MULTIKERNEL_CREATE_CPU_LIST)
		return -EINVAL;
	ret = mk_ucmd_name(cmd->name, name);
	if (ret)
		return ret;
	if (!cmd->mem_size || !IS_ALIGNED(cmd->mem_size, MULTIKERNEL_POOL_ALIGN))
		return -EINVAL;
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return -ENOMEM;
	ret = mk_ucmd_cpus(cmd, cpus);
	if (ret)
		goto free_cpus;

	args.name = name;
	args.cpus = cpus;
	args.mem_size = cmd->mem_size;
	inst = mk_instance_create(&args);
	if (IS_ERR(inst)) {
		ret = PTR_ERR(inst);
		goto free_cpus;
	}

	cmd->out_id = inst->id;
	ret = mk_ucmd_respond(ucmd, sizeof(*cmd));
	/* Userspace would never learn of it: take it back. */
	if (ret)
		mk_instance_destroy(inst);
	mk_instance_put(inst);
free_cpus:
	free_cpumask_var(cpus);
	return ret;
}

static int mk_ioctl_destroy(struct mk_ucmd *ucmd)
{
	struct multikernel_destroy *cmd = ucmd->cmd;
	struct mk_instance *inst;
	int ret;

	if (cmd->flags)
		return -EINVAL;
	ret = mk_ucmd_instance(cmd->name, &inst);
	if (ret)
		return ret;
	ret = mk_instance_destroy(inst);
	mk_instance_put(inst);
	return ret;
}

static int mk_ioctl_load(struct mk_ucmd *ucmd)
{
	struct multikernel_load *cmd = ucmd->cmd;
	int initrd_fd = -1, kernel_fd;
	struct mk_instance *inst;
	char *cmdline = NULL;
	int ret;

	if (cmd->flags & ~MULTIKERNEL_LOAD_INITRD || cmd->__reserved)
		return -EINVAL;
	if (!(cmd->flags & MULTIKERNEL_LOAD_INITRD) && cmd->initrd_fd)
		return -EINVAL;
	if (!cmd->cmdline_len && cmd->cmdline_uptr)
		return -EINVAL;
	if (cmd->cmdline_len > COMMAND_LINE_SIZE)
		return -EINVAL;
	if (cmd->kernel_fd > INT_MAX || cmd->initrd_fd > INT_MAX)
		return -EBADF;
	/* Loading a kernel is what kexec_file_load(2) does: same privilege. */
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;

	kernel_fd = cmd->kernel_fd;
	if (cmd->flags & MULTIKERNEL_LOAD_INITRD)
		initrd_fd = cmd->initrd_fd;

	if (cmd->cmdline_len) {
		cmdline = memdup_user(u64_to_user_ptr(cmd->cmdline_uptr),
				      cmd->cmdline_len);
		if (IS_ERR(cmdline))
			return PTR_ERR(cmdline);
		if (cmdline[cmd->cmdline_len - 1] != '\0') {
			ret = -EINVAL;
			goto free_cmdline;
		}
	}

	ret = mk_ucmd_instance(cmd->name, &inst);
	if (ret)
		goto free_cmdline;
	ret = mk_instance_load(inst, kernel_fd, initrd_fd, cmdline,
			       cmd->cmdline_len);
	mk_instance_put(inst);
free_cmdline:
	kfree(cmdline);
	return ret;
}

static int mk_ioctl_start(struct mk_ucmd *ucmd)
{
	struct multikernel_start *cmd = ucmd->cmd;
	struct mk_instance *inst;
	int ret;

	if (cmd->flags)
		return -EINVAL;
	ret = mk_ucmd_instance(cmd->name, &inst);
	if (ret)
		return ret;
	ret = mk_instance_start(inst);
	mk_instance_put(inst);
	return ret;
}

static int mk_ioctl_stop(struct mk_ucmd *ucmd)
{
	struct multikernel_stop *cmd = ucmd->cmd;
	struct mk_instance *inst;
	int ret;

	if (cmd->flags & ~MULTIKERNEL_STOP_FORCE || cmd->__reserved)
		return -EINVAL;
	if (cmd->timeout_ms > MULTIKERNEL_STOP_TIMEOUT_MAX_MS)
		return -EINVAL;
	ret = mk_ucmd_instance(cmd->name, &inst);
	if (ret)
		return ret;
	ret = mk_instance_stop(inst, cmd->flags & MULTIKERNEL_STOP_FORCE,
			       cmd->timeout_ms);
	mk_instance_put(inst);
	return ret;
}

/* Fill the output members of MULTIKERNEL_STATUS from the instance. */
static int mk_status_fill(struct mk_instance *inst,
			  struct multikernel_status *cmd)
{
	mutex_lock(&inst->lock);
	if (inst->dead) {
		mutex_unlock(&inst->lock);
		return -ENOENT;
	}
	cmd->out_id = inst->id;
	cmd->out_state = inst->state;
	cmd->out_flags = 0;
	if (inst->cpus_taken)
		cmd->out_flags |= MULTIKERNEL_STATUS_CPUS_TAKEN;
	if (inst->image)
		cmd->out_flags |= MULTIKERNEL_STATUS_LOADED;
	if (inst->mem_size)
		cmd->out_flags |= MULTIKERNEL_STATUS_MEMORY_HELD;
	cmd->out_nr_cpus = cpumask_weight(inst->cpus);
	cmd->out_mem_base = inst->mem_base;
	cmd->out_mem_size = inst->mem_range;
	cmd->out_uptime_ns = 0;
	if (inst->state == MK_STARTING || inst->state == MK_RUNNING)
		cmd->out_uptime_ns = ktime_get_boottime_ns() - inst->started_ns;
	strscpy_pad(cmd->out_crash_reason, inst->crash_reason,
		    sizeof(cmd->out_crash_reason));
	mutex_unlock(&inst->lock);
	return 0;
}

/* Write the CPU bitmap of MULTIKERNEL_STATUS; sets cpus_len to the bytes needed. */
static int mk_status_cpus(struct mk_instance *inst,
			  struct multikernel_status *cmd)
{
	unsigned int words = cpumask_last(inst->cpus) / 64 + 1;
	u32 room = cmd->cpus_len;
	u64 *arr;
	int ret = 0;

	cmd->cpus_len = words * 8;
	if (!cmd->cpus_uptr)
		return 0;
	if (room < words * 8)
		return -EMSGSIZE;

	arr = kcalloc(words, sizeof(*arr), GFP_KERNEL);
	if (!arr)
		return -ENOMEM;
	bitmap_to_arr64(arr, cpumask_bits(inst->cpus), words * 64);
	if (copy_to_user(u64_to_user_ptr(cmd->cpus_uptr), arr, words * 8) ||
	    clear_user(u64_to_user_ptr(cmd->cpus_uptr + words * 8),
		       room - words * 8))
		ret = -EFAULT;
	kfree(arr);
	return ret;
}

static int mk_ioctl_status(struct mk_ucmd *ucmd)
{
	struct multikernel_status *cmd = ucmd->cmd;
	struct mk_instance *inst;
	int ret, ret2;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	if (cmd->cpus_len % 8 || (cmd->cpus_len && !cmd->cpus_uptr))
		return -EINVAL;
	ret = mk_ucmd_instance(cmd->name, &inst);
	if (ret)
		return ret;
	ret = mk_status_fill(inst, cmd);
	if (!ret)
		ret = mk_status_cpus(inst, cmd);
	mk_instance_put(inst);
	if (ret && ret != -EMSGSIZE)
		return ret;
	/* Also on EMSGSIZE, so that userspace learns the size needed. */
	ret2 = mk_ucmd_respond(ucmd, sizeof(*cmd));
	return ret2 ? ret2 : ret;
}

static int mk_ioctl_list(struct mk_ucmd *ucmd)
{
	struct multikernel_list *cmd = ucmd->cmd;
	char *names = NULL;
	unsigned int room, count;
	int ret, ret2;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	if (cmd->count && !cmd->names_uptr)
		return -EINVAL;

	/* Instances own disjoint CPUs and never CPU 0: fewer than nr_cpu_ids. */
	room = min_t(u32, cmd->count, nr_cpu_ids);
	if (room) {
		names = kcalloc(room, MULTIKERNEL_NAME_LEN, GFP_KERNEL);
		if (!names)
			return -ENOMEM;
	}
	ret = mk_instance_list(names, room, &count);
	if (room && copy_to_user(u64_to_user_ptr(cmd->names_uptr), names,
				 (size_t)min(room, count) * MULTIKERNEL_NAME_LEN))
		ret = -EFAULT;
	kfree(names);
	if (ret && ret != -EMSGSIZE)
		return ret;
	cmd->count = count;
	ret2 = mk_ucmd_respond(ucmd, sizeof(*cmd));
	return ret2 ? ret2 : ret;
}

static int mk_ioctl_console(struct mk_ucmd *ucmd)
{
	struct multikernel_console *cmd = ucmd->cmd;
	struct mk_instance *inst;
	struct file *file;
	int fd, ret;

	if (cmd->flags || cmd->__reserved)
		return -EINVAL;
	ret = mk_ucmd_instance(cmd->name, &inst);
	if (ret)
		return ret;
	file = mk_console_open(inst);
	mk_instance_put(inst);
	if (IS_ERR(file))
		return PTR_ERR(file);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_file;
	}
	cmd->out_fd = fd;
	ret = mk_ucmd_respond(ucmd, sizeof(*cmd));
	if (ret)
		goto put_fd;
	/* Only now that userspace knows the number does the file appear. */
	fd_install(fd, file);
	return 0;

put_fd:
	put_unused_fd(fd);
put_file:
	fput(file);
	return ret;
}

union mk_ucmd_buffer {
	struct multikernel_create create;
	struct multikernel_destroy destroy;
	struct multikernel_load load;
	struct multikernel_start start;
	struct multikernel_stop stop;
	struct multikernel_status status;
	struct multikernel_list list;
	struct multikernel_console console;
};

/**
 * struct mk_ioctl_op - one entry of the dispatch table
 * @size:	the kernel's size of the command's structure
 * @min_size:	size of its first published layout; smaller is -EINVAL
 * @ioctl_num:	the full ioctl number
 * @admin:	the command changes instances: the caller needs
 *		CAP_SYS_ADMIN at the call, not only at open
 * @execute:	the handler
 */
struct mk_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	bool admin;
	int (*execute)(struct mk_ucmd *ucmd);
};

/* In the order of the MULTIKERNEL_CMD_* numbers; mk_fops_ioctl() checks. */
#define MK_IOCTL_OP(_ioctl, _fn, _struct, _last, _admin)		\
	{								\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union mk_ucmd_buffer) <\
					  sizeof(_struct)),		\
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.admin = _admin,					\
		.execute = _fn,						\
	}

static const struct mk_ioctl_op mk_ioctl_ops[] = {
	MK_IOCTL_OP(MULTIKERNEL_CREATE, mk_ioctl_create,
		    struct multikernel_create, out_id, true),
	MK_IOCTL_OP(MULTIKERNEL_DESTROY, mk_ioctl_destroy,
		    struct multikernel_destroy, name, true),
	MK_IOCTL_OP(MULTIKERNEL_LOAD, mk_ioctl_load,
		    struct multikernel_load, __reserved, true),
	MK_IOCTL_OP(MULTIKERNEL_START, mk_ioctl_start,
		    struct multikernel_start, name, true),
	MK_IOCTL_OP(MULTIKERNEL_STOP, mk_ioctl_stop,
		    struct multikernel_stop, __reserved, true),
	MK_IOCTL_OP(MULTIKERNEL_STATUS, mk_ioctl_status,
		    struct multikernel_status, out_crash_reason, false),
	MK_IOCTL_OP(MULTIKERNEL_LIST, mk_ioctl_list,
		    struct multikernel_list, names_uptr, false),
	MK_IOCTL_OP(MULTIKERNEL_CONSOLE, mk_ioctl_console,
		    struct multikernel_console, __reserved, false),
};

static long mk_fops_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	const struct mk_ioctl_op *op;
	struct mk_ucmd ucmd = {};
	union mk_ucmd_buffer buf;
	unsigned int nr;
	int ret;

	nr = _IOC_NR(cmd);
	if (_IOC_TYPE(cmd) != MULTIKERNEL_TYPE || nr < MULTIKERNEL_CMD_BASE ||
	    nr - MULTIKERNEL_CMD_BASE >= ARRAY_SIZE(mk_ioctl_ops))
		return -ENOTTY;
	op = &mk_ioctl_ops[nr - MULTIKERNEL_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;
	/*
	 * open() checked CAP_SYS_ADMIN, but the file can be passed on or
	 * inherited: whoever changes instances must hold it now.
	 */
	if (op->admin && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	ucmd.ubuffer = (void __user *)arg;
	ret = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (ret)
		return ret;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;

	ucmd.cmd = &buf;
	ret = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				    ucmd.user_size);
	if (ret)
		return ret;
	return op->execute(&ucmd);
}

static int mk_fops_open(struct inode *inode, struct file *filp)
{
	/* Instances take CPUs and memory from the whole machine. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

static const struct file_operations mk_fops = {
	.owner		= THIS_MODULE,
	.open		= mk_fops_open,
	.unlocked_ioctl	= mk_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice mk_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "multikernel",
	.fops	= &mk_fops,
	.mode	= 0600,
};

/**
 * mk_dev_init() - register /dev/multikernel
 *
 * Context: Process context, boot.
 * Return: 0 or the error of misc_register().
 */
int __init mk_dev_init(void)
{
	return misc_register(&mk_misc);
}
