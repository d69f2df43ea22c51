// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules of an instance's lifecycle, kept apart from the code that
 * follows them so that they can be read, and tested, in one place: which
 * state may follow which, which operation userspace may ask for in each
 * state, and what an instance may be called.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>

#include "internal.h"

static_assert((int)MK_EMPTY == (int)MULTIKERNEL_STATE_EMPTY);
static_assert((int)MK_LOADED == (int)MULTIKERNEL_STATE_LOADED);
static_assert((int)MK_STARTING == (int)MULTIKERNEL_STATE_STARTING);
static_assert((int)MK_RUNNING == (int)MULTIKERNEL_STATE_RUNNING);
static_assert((int)MK_STOPPING == (int)MULTIKERNEL_STATE_STOPPING);
static_assert((int)MK_STOPPED == (int)MULTIKERNEL_STATE_STOPPED);
static_assert((int)MK_CRASHED == (int)MULTIKERNEL_STATE_CRASHED);

/*
 * The state machine. Each entry lists the states its state may move to:
 * by a user operation (load, start, stop), by a failed one rolling back
 * (start back to loaded or stopped, a failed load dropping the image), or
 * by a report of the instance (running, stopped, crashed).
 */
static const u8 mk_transitions[MK_NR_STATES] = {
	[MK_EMPTY]	= BIT(MK_LOADED),
	[MK_LOADED]	= BIT(MK_LOADED) | BIT(MK_EMPTY) | BIT(MK_STARTING),
	[MK_STARTING]	= BIT(MK_RUNNING) | BIT(MK_STOPPING) | BIT(MK_STOPPED) |
			  BIT(MK_CRASHED) | BIT(MK_LOADED),
	[MK_RUNNING]	= BIT(MK_STOPPING) | BIT(MK_STOPPED) | BIT(MK_CRASHED),
	[MK_STOPPING]	= BIT(MK_STOPPED) | BIT(MK_CRASHED),
	[MK_STOPPED]	= BIT(MK_STARTING) | BIT(MK_LOADED) | BIT(MK_EMPTY),
	[MK_CRASHED]	= BIT(MK_STOPPING),
};

static_assert(sizeof(mk_transitions[0]) * BITS_PER_BYTE >= MK_NR_STATES);

/**
 * mk_state_transition_ok() - whether an instance may move between two states
 * @from:	the current state
 * @to:		the next state
 *
 * Context: Any context; pure.
 * Return: true when the transition is allowed.
 */
bool mk_state_transition_ok(enum mk_state from, enum mk_state to)
{
	if (from >= MK_NR_STATES || to >= MK_NR_STATES)
		return false;
	return mk_transitions[from] & BIT(to);
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_transition_ok);

/**
 * mk_state_op_check() - whether userspace may ask for an operation in a state
 * @op:		the operation
 * @state:	the instance's state
 *
 * Context: Any context; pure.
 * Return: 0 when allowed; -EBUSY when the instance must stop first (load,
 * start or destroy of a running or crashed instance); -EINVAL when the
 * operation does not apply (start without a loaded kernel, stop of an
 * instance that does not run).
 */
int mk_state_op_check(enum mk_op op, enum mk_state state)
{
	bool runs;

	if (state >= MK_NR_STATES)
		return -EINVAL;
	runs = mk_state_cpus_in_use(state);

	switch (op) {
	case MK_OP_LOAD:
	case MK_OP_DESTROY:
		return runs ? -EBUSY : 0;
	case MK_OP_START:
		if (runs)
			return -EBUSY;
		return state == MK_EMPTY ? -EINVAL : 0;
	case MK_OP_STOP:
		return runs ? 0 : -EINVAL;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_op_check);

/**
 * mk_state_cpus_in_use() - whether instance code may be on the CPUs
 * @state:	the instance's state
 *
 * Context: Any context; pure.
 * Return: true for starting, running, stopping and crashed: the instance's
 * CPUs run or are parked in its kernel, and only a stop gets them back.
 */
bool mk_state_cpus_in_use(enum mk_state state)
{
	return state == MK_STARTING || state == MK_RUNNING ||
	       state == MK_STOPPING || state == MK_CRASHED;
}

static const char * const mk_state_names[MK_NR_STATES] = {
	[MK_EMPTY]	= "empty",
	[MK_LOADED]	= "loaded",
	[MK_STARTING]	= "starting",
	[MK_RUNNING]	= "running",
	[MK_STOPPING]	= "stopping",
	[MK_STOPPED]	= "stopped",
	[MK_CRASHED]	= "crashed",
};

/**
 * mk_state_name() - the name of a state as sysfs shows it
 * @state:	the state
 *
 * Context: Any context; pure.
 * Return: a lower-case name, "unknown" for a value out of range.
 */
const char *mk_state_name(enum mk_state state)
{
	if (state >= MK_NR_STATES)
		return "unknown";
	return mk_state_names[state];
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_name);

/**
 * mk_name_check() - validate an instance name
 * @name:	the characters, not necessarily NUL-terminated
 * @len:	number of characters
 *
 * Context: Any context; pure.
 * Return: 0 when @name is 1 to MULTIKERNEL_NAME_MAX characters of
 * [a-z0-9_-], -EINVAL otherwise.
 */
int mk_name_check(const char *name, size_t len)
{
	size_t i;

	if (!len || len > MULTIKERNEL_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_name_check);
