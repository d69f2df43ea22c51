// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console file descriptors: MULTIKERNEL_CONSOLE hands out a read-only file
 * that reads the host's copy of an instance's console through
 * mk_console_read(). The file holds a reference on the instance; reads
 * fail with -ENODEV once the instance is destroyed.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/* Bytes copied per read() at most. */
#define MK_CONSOLE_CHUNK	PAGE_SIZE

static ssize_t mk_console_fop_read(struct file *file, char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct mk_instance *inst = file->private_data;
	u64 pos = *ppos;
	ssize_t n;
	char *buf;

	len = min_t(size_t, len, MK_CONSOLE_CHUNK);
	if (!len)
		return 0;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	mutex_lock(&inst->lock);
	if (inst->dead)
		n = -ENODEV;
	else
		n = mk_console_read(inst, buf, len, &pos);
	mutex_unlock(&inst->lock);

	if (n > 0 && copy_to_user(ubuf, buf, n))
		n = -EFAULT;
	if (n >= 0)
		*ppos = pos;
	kfree(buf);
	return n;
}

static int mk_console_fop_release(struct inode *inode, struct file *file)
{
	mk_instance_put(file->private_data);
	return 0;
}

static const struct file_operations mk_console_fops = {
	.owner		= THIS_MODULE,
	.read		= mk_console_fop_read,
	.release	= mk_console_fop_release,
};

/**
 * mk_console_open() - a new file reading an instance's console
 * @inst:	the instance; the file takes a reference on it
 *
 * Context: Process context.
 * Return: the file, not yet installed in a descriptor, or an ERR_PTR().
 */
struct file *mk_console_open(struct mk_instance *inst)
{
	struct file *file;

	kref_get(&inst->kref);
	file = anon_inode_getfile("[multikernel-console]", &mk_console_fops,
				  inst, O_RDONLY);
	if (IS_ERR(file))
		mk_instance_put(inst);
	return file;
}
