// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEMPORARY: fallbacks for the loader and the arch start/stop code.
 *
 * The kexec_file loader (loader.c) and the x86 CPU start/stop code
 * (arch/x86/kernel/multikernel/) provide these functions; until they are
 * merged, these weak definitions let the lifecycle core build and refuse
 * every load, start and stop with -EOPNOTSUPP. The kselftests that need a
 * running instance SKIP on that error. Delete this file, and its line in
 * the Makefile, when the real implementations land.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/errno.h>

#include "internal.h"

/**
 * mk_load_image() - fallback: no loader in this kernel
 * @inst:	the instance
 * @kernel_fd:	unused
 * @initrd_fd:	unused
 * @cmdline:	unused
 * @cmdline_len: unused
 *
 * Context: Process context, @inst->lock held.
 * Return: -EOPNOTSUPP.
 */
int __weak mk_load_image(struct mk_instance *inst, int kernel_fd, int initrd_fd,
			 const char *cmdline, unsigned long cmdline_len)
{
	pr_info_ratelimited("instance %s: this kernel cannot load instance kernels\n",
			    inst->name);
	return -EOPNOTSUPP;
}

/**
 * mk_free_image() - fallback: there is never an image to free
 * @inst:	the instance
 *
 * Context: Process context, @inst->lock held.
 */
void __weak mk_free_image(struct mk_instance *inst)
{
	inst->image = NULL;
}

/**
 * mk_arch_start() - fallback: this kernel cannot start instances
 * @inst:	the instance
 *
 * Context: Process context, @inst->lock held.
 * Return: -EOPNOTSUPP.
 */
int __weak mk_arch_start(struct mk_instance *inst)
{
	return -EOPNOTSUPP;
}

/**
 * mk_arch_force_stop() - fallback: this kernel cannot reset instance CPUs
 * @inst:	the instance
 *
 * Context: Process context, @inst->lock held.
 * Return: -EOPNOTSUPP.
 */
int __weak mk_arch_force_stop(struct mk_instance *inst)
{
	return -EOPNOTSUPP;
}

/**
 * mk_arch_request_shutdown() - fallback: no way to ask an instance
 * @inst:	the instance
 *
 * Context: Process context, @inst->lock held.
 * Return: -EOPNOTSUPP.
 */
int __weak mk_arch_request_shutdown(struct mk_instance *inst)
{
	return -EOPNOTSUPP;
}

/**
 * mk_console_read() - fallback: no instance ever wrote a console
 * @inst:	the instance
 * @buf:	unused
 * @len:	unused
 * @pos:	unused
 *
 * Context: Process context, @inst->lock held.
 * Return: 0, nothing new.
 */
ssize_t __weak mk_console_read(struct mk_instance *inst, char *buf, size_t len,
			       u64 *pos)
{
	return 0;
}
