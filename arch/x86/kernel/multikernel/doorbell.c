// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 multikernel doorbell: MULTIKERNEL_VECTOR.
 *
 * Kernels sharing the machine ring each other with a fixed IPI to one CPU
 * named by its physical APIC ID. The target usually belongs to another
 * kernel and has no logical CPU number here, so the cpumask-based IPI
 * helpers do not apply; the ICR is written directly, the way
 * smpboot.c addresses a CPU it is about to start.
 *
 * The handler acknowledges the local APIC first, so a doorbell rung while
 * it runs is latched and delivered again afterwards, then hands over to
 * mk_doorbell_handler(). A doorbell nobody listens for is counted in
 * /proc/interrupts (MKU) and otherwise ignored.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/irqflags.h>
#include <linux/limits.h>
#include <linux/multikernel.h>
#include <linux/processor.h>

#include <asm/apic.h>
#include <asm/hardirq.h>
#include <asm/idtentry.h>
#include <asm/irq_vectors.h>

DEFINE_IDTENTRY_SYSVEC(sysvec_multikernel)
{
	apic_eoi();
	inc_irq_stat(irq_multikernel_count);
	if (!mk_doorbell_handler())
		inc_irq_stat(irq_multikernel_unexpected);
}

/**
 * mk_doorbell_send() - ring the doorbell of the kernel that runs a CPU
 * @apic_id:	physical APIC ID of the target CPU
 *
 * Sends MULTIKERNEL_VECTOR to @apic_id as a fixed, physically addressed
 * IPI. Memory stores made before the call are visible to the target's
 * handler. The caller checks that @apic_id belongs to the peer it means.
 *
 * Context: Any context, including hard interrupt context.
 * Return: 0 on success, -EINVAL if @apic_id is outside the APIC ID space
 * or the broadcast ID.
 */
int mk_doorbell_send(u32 apic_id)
{
	unsigned long flags;

	if (apic_id > apic->max_apic_id || apic_id == U32_MAX)
		return -EINVAL;

	local_irq_save(flags);
	/*
	 * Writing the x2APIC ICR is not ordered against earlier stores; the
	 * target must see the ring updates this doorbell announces.
	 */
	weak_wrmsr_fence();
	apic_wait_icr_idle();
	apic_icr_write(APIC_DM_FIXED | APIC_DEST_PHYSICAL | MULTIKERNEL_VECTOR,
		       apic_id);
	local_irq_restore(flags);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_doorbell_send);
