// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing and validation of the multikernel=<size>[@<addr>] boot parameter.
 *
 * Kept free of memblock and of any global state so that KUnit can drive
 * it with a table of inputs; pool.c applies the result at boot.
 */
#include <kunit/visibility.h>
#include <linux/align.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/multikernel.h>

#include "internal.h"

/**
 * mk_pool_parse() - parse and check a multikernel= value
 * @arg:	text after "multikernel=", may be NULL when no '=' was given
 * @ram_size:	bytes of RAM in the machine
 * @req:	filled with the request on success
 * @why:	set to a short reason on failure, for the boot log
 *
 * Accepts "<size>" and "<size>@<addr>", each a number with an optional
 * K/M/G/T suffix as for memparse(). Size and address must be multiples
 * of MULTIKERNEL_POOL_ALIGN, the size must be non-zero and smaller than
 * @ram_size, and the range must not wrap.
 *
 * Context: Any context. Touches nothing but its arguments.
 * Return: 0 on success, -EINVAL for malformed or misaligned input, -E2BIG
 * for a pool not smaller than RAM.
 */
int mk_pool_parse(const char *arg, u64 ram_size, struct mk_pool_req *req,
		  const char **why)
{
	const char *start;
	char *end;
	u64 size, base = 0;
	bool fixed = false;

	if (!arg || !*arg) {
		*why = "no size given";
		return -EINVAL;
	}
	size = memparse(arg, &end);
	if (end == arg) {
		*why = "not a size";
		return -EINVAL;
	}
	if (*end == '@') {
		start = end + 1;
		base = memparse(start, &end);
		if (end == start) {
			*why = "no address after '@'";
			return -EINVAL;
		}
		fixed = true;
	}
	if (*end) {
		*why = "unexpected characters after the value";
		return -EINVAL;
	}
	if (!size) {
		*why = "size is zero";
		return -EINVAL;
	}
	if (!IS_ALIGNED(size, MULTIKERNEL_POOL_ALIGN)) {
		*why = "size is not a multiple of 2M";
		return -EINVAL;
	}
	if (fixed && !IS_ALIGNED(base, MULTIKERNEL_POOL_ALIGN)) {
		*why = "address is not 2M-aligned";
		return -EINVAL;
	}
	if (fixed && base + size < base) {
		*why = "range wraps around the address space";
		return -EINVAL;
	}
	if (size >= ram_size) {
		*why = "not smaller than the machine's RAM";
		return -E2BIG;
	}

	req->size = size;
	req->base = base;
	req->fixed = fixed;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_parse);

/**
 * mk_ranges_overlap() - whether two physical ranges share a byte
 * @a_start:	start of the first range
 * @a_size:	bytes in the first range; an empty range overlaps nothing
 * @b_start:	start of the second range
 * @b_size:	bytes in the second range; an empty range overlaps nothing
 *
 * Context: Any context.
 * Return: true when [a_start, a_start + a_size) and [b_start, b_start + b_size)
 * intersect.
 */
bool mk_ranges_overlap(u64 a_start, u64 a_size, u64 b_start, u64 b_size)
{
	if (!a_size || !b_size)
		return false;
	/* Compare last bytes, not ends, so a range ending at 2^64 works. */
	return a_start <= b_start + (b_size - 1) &&
	       b_start <= a_start + (a_size - 1);
}
EXPORT_SYMBOL_IF_KUNIT(mk_ranges_overlap);
