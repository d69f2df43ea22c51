// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/multikernel/: read-only view of the multikernel state.
 * Documented in Documentation/ABI/testing/sysfs-kernel-multikernel.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cpumask.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct kobject *mk_kobj;
static struct kobject *mk_instances_kobj;

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

static ssize_t heartbeat_ms_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mk_link_heartbeat_ms());
}

static ssize_t heartbeat_ms_store(struct kobject *kobj,
				  struct kobj_attribute *attr, const char *buf,
				  size_t len)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(buf, 0, &ms);
	if (!ret)
		ret = mk_link_set_heartbeat_ms(ms);
	return ret ?: len;
}

static struct kobj_attribute heartbeat_ms_attr = __ATTR_RW_MODE(heartbeat_ms, 0644);

static ssize_t boot_timeout_ms_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", mk_link_boot_timeout_ms());
}

static ssize_t boot_timeout_ms_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t len)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(buf, 0, &ms);
	if (!ret)
		ret = mk_link_set_boot_timeout_ms(ms);
	return ret ?: len;
}

static struct kobj_attribute boot_timeout_ms_attr =
	__ATTR_RW_MODE(boot_timeout_ms, 0644);

static ssize_t live_update_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", multikernel_kexec_hands_over());
}

static ssize_t live_update_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t len)
{
	bool on;
	int ret;

	ret = kstrtobool(buf, &on);
	if (ret)
		return ret;
	mk_live_update_set(on);
	return len;
}

static struct kobj_attribute live_update_attr = __ATTR_RW_MODE(live_update, 0644);

static struct attribute *mk_attrs[] = {
	&heartbeat_ms_attr.attr,
	&live_update_attr.attr,
	&boot_timeout_ms_attr.attr,
	&pool_size_attr.attr,
	&pool_free_attr.attr,
	NULL,
};

static const struct attribute_group mk_attr_group = {
	.attrs = mk_attrs,
};

/*
 * /sys/kernel/multikernel/instances/<name>/. Each directory's kobject
 * holds a reference on its instance; mk_sysfs_instance_del() removes the
 * files, and kernfs waits for show() methods in progress before that
 * returns, so none runs on an instance being destroyed.
 */
static struct mk_instance *mk_kobj_inst(struct kobject *kobj)
{
	return container_of(kobj, struct mk_instance, kobj);
}

static ssize_t id_show(struct kobject *kobj, struct kobj_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%d\n", mk_kobj_inst(kobj)->id);
}

static struct kobj_attribute id_attr = __ATTR_RO(id);

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	/* Paired with the WRITE_ONCE() in mk_instance_set_state(). */
	enum mk_state state = READ_ONCE(mk_kobj_inst(kobj)->state);

	return sysfs_emit(buf, "%s\n", mk_state_name(state));
}

static struct kobj_attribute state_attr = __ATTR_RO(state);

static ssize_t cpus_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(mk_kobj_inst(kobj)->cpus));
}

static struct kobj_attribute cpus_attr = __ATTR_RO(cpus);

static ssize_t apic_ids_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct mk_instance *inst = mk_kobj_inst(kobj);
	const char *sep = "";
	unsigned int cpu;
	int len = 0;

	for_each_cpu(cpu, inst->cpus) {
		len += sysfs_emit_at(buf, len, "%s%u", sep, mk_arch_cpu_hw_id(cpu));
		sep = ",";
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static struct kobj_attribute apic_ids_attr = __ATTR_RO(apic_ids);

static ssize_t memory_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", mk_kobj_inst(kobj)->mem_range);
}

static struct kobj_attribute memory_attr = __ATTR_RO(memory);

static ssize_t crash_reason_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct mk_instance *inst = mk_kobj_inst(kobj);
	ssize_t len;

	mutex_lock(&inst->lock);
	len = sysfs_emit(buf, "%s\n", inst->crash_reason);
	mutex_unlock(&inst->lock);
	return len;
}

static struct kobj_attribute crash_reason_attr = __ATTR_RO(crash_reason);

static struct attribute *mk_instance_attrs[] = {
	&id_attr.attr,
	&state_attr.attr,
	&cpus_attr.attr,
	&apic_ids_attr.attr,
	&memory_attr.attr,
	&crash_reason_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(mk_instance);

static void mk_instance_kobj_release(struct kobject *kobj)
{
	mk_instance_put(mk_kobj_inst(kobj));
}

static const struct kobj_type mk_instance_ktype = {
	.release	= mk_instance_kobj_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= mk_instance_groups,
};

/**
 * mk_sysfs_instance_add() - add /sys/kernel/multikernel/instances/<name>/
 * @inst:	the instance; the directory takes a reference on it
 *
 * Context: Process context.
 * Return: 0 or a negative errno; nothing is left behind on failure.
 */
int mk_sysfs_instance_add(struct mk_instance *inst)
{
	int ret;

	if (!mk_instances_kobj)
		return -ENODEV;

	kref_get(&inst->kref);
	ret = kobject_init_and_add(&inst->kobj, &mk_instance_ktype,
				   mk_instances_kobj, "%s", inst->name);
	if (ret)
		goto put_kobj;

	inst->state_kn = sysfs_get_dirent(inst->kobj.sd, "state");
	if (!inst->state_kn) {
		ret = -ENOENT;
		goto del_kobj;
	}
	kobject_uevent(&inst->kobj, KOBJ_ADD);
	return 0;

del_kobj:
	kobject_del(&inst->kobj);
put_kobj:
	kobject_put(&inst->kobj);
	return ret;
}

/**
 * mk_sysfs_instance_del() - remove an instance's sysfs directory
 * @inst:	the instance; no state change may follow
 *
 * Context: Process context, @inst->lock not held.
 */
void mk_sysfs_instance_del(struct mk_instance *inst)
{
	sysfs_put(inst->state_kn);
	inst->state_kn = NULL;
	kobject_del(&inst->kobj);
	kobject_put(&inst->kobj);
}

/**
 * mk_sysfs_notify_state() - wake poll() and select() on the state file
 * @inst:	the instance whose state changed
 *
 * Context: Any context, @inst->lock held.
 */
void mk_sysfs_notify_state(struct mk_instance *inst)
{
	if (inst->state_kn)
		sysfs_notify_dirent(inst->state_kn);
}

static int __init mk_sysfs_init(void)
{
	int ret;

	mk_kobj = kobject_create_and_add("multikernel", kernel_kobj);
	if (!mk_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(mk_kobj, &mk_attr_group);
	if (ret)
		goto put_kobj;

	mk_instances_kobj = kobject_create_and_add("instances", mk_kobj);
	if (!mk_instances_kobj) {
		ret = -ENOMEM;
		goto put_kobj;
	}
	return 0;

put_kobj:
	pr_err("cannot create /sys/kernel/multikernel: %d\n", ret);
	kobject_put(mk_kobj);
	mk_kobj = NULL;
	return ret;
}
subsys_initcall(mk_sysfs_init);
