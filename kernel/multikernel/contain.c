// SPDX-License-Identifier: GPL-2.0-only
/*
 * What root in an instance's userspace may not do.
 *
 * An instance shares the machine with its host and the other instances:
 * physical memory outside its own, the I/O ports, machine-wide MSRs and
 * the reset lines are theirs as much as its. Its kernel stays out of
 * them (see the arch platform code); its userspace is kept out by
 * kernel lockdown, the mechanism that already keeps root from changing
 * a running kernel: /dev/mem, /dev/port, iopl(2) and ioperm(2), MSR
 * writes, unsigned modules, raw PCI access, ACPI table overrides and
 * writable debugfs files are all refused. An instance is locked down at
 * least to "integrity", and as far as its host is, whatever its command
 * line says (lockdown only ever rises). It may not kexec either: a
 * kernel it chose would run with all of ring 0.
 *
 * Documentation/multikernel/security.rst lists every path and its test.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/multikernel.h>
#include <linux/security.h>

static bool mk_is_instance __ro_after_init;

/* The highest lockdown level this kernel was seen at, MK_LOCKDOWN_*. */
static u32 mk_lockdown_seen;

/**
 * multikernel_is_instance() - does this kernel run as a multikernel instance?
 *
 * Context: Any context; valid once the arch platform code ran in setup_arch().
 * Return: true in an instance.
 */
bool multikernel_is_instance(void)
{
	return mk_is_instance;
}

/**
 * multikernel_lockdown_level() - this kernel's lockdown level, for an instance
 *
 * The LSMs answer only whether one reason is refused, and every refusal
 * prints a lockdown notice naming that reason, which no one asked for
 * here. Lockdown only ever rises, so this asks only about the levels
 * above the highest one seen before: a host that stays at its level
 * prints the notice once per level it is at, not at every start. Where
 * an LSM's answer depends on the caller, the highest answer seen holds
 * from then on, which can only lock instances down further.
 *
 * Context: Process context. The first call at a level prints the
 * lockdown notice.
 * Return: %MK_LOCKDOWN_NONE, %MK_LOCKDOWN_INTEGRITY or
 * %MK_LOCKDOWN_CONFIDENTIALITY.
 */
u32 multikernel_lockdown_level(void)
{
	u32 seen = READ_ONCE(mk_lockdown_seen);
	u32 level = seen;

	if (level == MK_LOCKDOWN_NONE &&
	    security_locked_down(LOCKDOWN_INTEGRITY_MAX))
		level = MK_LOCKDOWN_INTEGRITY;
	/*
	 * The first reason past integrity is refused only at confidentiality;
	 * the level's own marker is not a reason one may ask about.
	 */
	if (level == MK_LOCKDOWN_INTEGRITY &&
	    security_locked_down(LOCKDOWN_INTEGRITY_MAX + 1))
		level = MK_LOCKDOWN_CONFIDENTIALITY;
	/* A racing call may store a lower level: that only asks again. */
	if (level > seen)
		WRITE_ONCE(mk_lockdown_seen, level);
	return level;
}

/**
 * multikernel_confine_instance() - lock an instance kernel down
 * @host_level:	the host's lockdown level from the handoff
 *
 * Called once by the arch platform code as soon as it knows that this
 * kernel is an instance, before any command line parameter other than
 * the early ones took effect and long before userspace. Lockdown never
 * goes down again, so nothing later (the lockdown= parameter, securityfs)
 * can undo this.
 *
 * Context: Early boot, single-threaded.
 */
void __init multikernel_confine_instance(u32 host_level)
{
	enum lockdown_reason level = LOCKDOWN_INTEGRITY_MAX;

	mk_is_instance = true;
	if (host_level >= MK_LOCKDOWN_CONFIDENTIALITY)
		level = LOCKDOWN_CONFIDENTIALITY_MAX;
	/* -EPERM: already there (lockdown= came first); never lower. */
	lock_kernel_down("multikernel instance", level);
}
