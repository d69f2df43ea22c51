// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/multikernel/: read-only view of the multikernel state.
 * Documented in Documentation/ABI/testing/sysfs-kernel-multikernel.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct kobject *mk_kobj;

static ssize_t pool_size_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_host_pool.size);
}

static struct kobj_attribute pool_size_attr = __ATTR_RO(pool_size);

static ssize_t pool_free_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_pool_free_bytes(&mk_host_pool));
}

static struct kobj_attribute pool_free_attr = __ATTR_RO(pool_free);

static struct attribute *mk_attrs[] = {
	&pool_size_attr.attr,
	&pool_free_attr.attr,
	NULL,
};

static const struct attribute_group mk_attr_group = {
	.attrs = mk_attrs,
};

static int __init mk_sysfs_init(void)
{
	int ret;

	mk_kobj = kobject_create_and_add("multikernel", kernel_kobj);
	if (!mk_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(mk_kobj, &mk_attr_group);
	if (ret) {
		pr_err("cannot create /sys/kernel/multikernel: %d\n", ret);
		kobject_put(mk_kobj);
		mk_kobj = NULL;
	}
	return ret;
}
subsys_initcall(mk_sysfs_init);
