// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the x86 multikernel doorbell: ring another online CPU
 * of this kernel by its APIC ID and watch the handler run there.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/multikernel.h>
#include <linux/smp.h>

#include <asm/apic.h>
#include <asm/hardirq.h>

/* Only a guard against hanging: no test asserts how long anything takes. */
#define WAIT		(30 * HZ)
#define BURST		100

struct mk_probe {
	struct mk_doorbell_client client;
	struct completion done;
	atomic_t calls;
	int cpu;		/* CPU of the last call */
};

static void mk_probe_handle(struct mk_doorbell_client *client)
{
	struct mk_probe *p = container_of(client, struct mk_probe, client);

	WRITE_ONCE(p->cpu, smp_processor_id());
	atomic_inc(&p->calls);
	complete(&p->done);
}

static struct mk_probe *mk_probe_new(struct kunit *test)
{
	struct mk_probe *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->client.handle = mk_probe_handle;
	init_completion(&p->done);
	p->cpu = -1;
	return p;
}

/* What a doorbell arriving now would do on this CPU. */
static bool mk_doorbell_fake(void)
{
	bool handled;

	local_irq_disable();
	handled = mk_doorbell_handler();
	local_irq_enable();
	return handled;
}

/*
 * An online CPU other than the current one, kept online by the caller's
 * cpus_read_lock(); nr_cpu_ids if there is none.
 */
static unsigned int mk_other_cpu(void)
{
	unsigned int self = get_cpu();
	unsigned int cpu = cpumask_any_but(cpu_online_mask, self);

	put_cpu();
	return cpu;
}

static unsigned int mk_doorbells_taken(unsigned int cpu)
{
	return READ_ONCE(per_cpu(irq_stat, cpu).irq_multikernel_count);
}

static unsigned int mk_doorbells_unexpected(unsigned int cpu)
{
	return READ_ONCE(per_cpu(irq_stat, cpu).irq_multikernel_unexpected);
}

static void mk_doorbell_dispatch_test(struct kunit *test)
{
	struct mk_probe *p = mk_probe_new(test);
	bool handled;

	mk_doorbell_register(&p->client);
	handled = mk_doorbell_fake();
	mk_doorbell_unregister(&p->client);
	KUNIT_EXPECT_TRUE(test, handled);
	KUNIT_EXPECT_EQ(test, atomic_read(&p->calls), 1);

	/* Once unregistered, it is not called any more. */
	mk_doorbell_fake();
	KUNIT_EXPECT_EQ(test, atomic_read(&p->calls), 1);
}

static void mk_doorbell_bad_target_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mk_doorbell_send(U32_MAX), -EINVAL);
	if (apic->max_apic_id < U32_MAX)
		KUNIT_EXPECT_EQ(test, mk_doorbell_send(apic->max_apic_id + 1),
				-EINVAL);
}

static void mk_doorbell_ipi_test(struct kunit *test)
{
	struct mk_probe *p = mk_probe_new(test);
	unsigned int cpu, taken;
	long first, burst;
	int sent = 0, i;

	cpus_read_lock();
	cpu = mk_other_cpu();
	if (cpu >= nr_cpu_ids) {
		cpus_read_unlock();
		kunit_skip(test, "needs a second online CPU");
	}
	taken = mk_doorbells_taken(cpu);
	mk_doorbell_register(&p->client);

	if (!mk_doorbell_send(cpu_physical_id(cpu)))
		sent++;
	first = wait_for_completion_timeout(&p->done, WAIT);
	KUNIT_EXPECT_EQ(test, READ_ONCE(p->cpu), (int)cpu);

	/* A burst: doorbells may merge, but at least one more arrives. */
	reinit_completion(&p->done);
	for (i = 0; i < BURST; i++)
		if (!mk_doorbell_send(cpu_physical_id(cpu)))
			sent++;
	burst = wait_for_completion_timeout(&p->done, WAIT);

	mk_doorbell_unregister(&p->client);
	cpus_read_unlock();

	KUNIT_EXPECT_EQ(test, sent, BURST + 1);
	KUNIT_EXPECT_NE_MSG(test, first, 0, "no doorbell reached CPU %u", cpu);
	KUNIT_EXPECT_NE_MSG(test, burst, 0, "no doorbell of the burst arrived");
	KUNIT_EXPECT_EQ(test, READ_ONCE(p->cpu), (int)cpu);
	KUNIT_EXPECT_GE(test, atomic_read(&p->calls), 2);
	KUNIT_EXPECT_LE(test, atomic_read(&p->calls), BURST + 1);
	KUNIT_EXPECT_GE(test, mk_doorbells_taken(cpu) - taken, 2);
}

static void mk_doorbell_unexpected_test(struct kunit *test)
{
	unsigned int cpu, taken, unexpected;
	unsigned long end;

	if (mk_doorbell_fake())
		kunit_skip(test, "a doorbell client is registered");

	cpus_read_lock();
	cpu = mk_other_cpu();
	if (cpu >= nr_cpu_ids) {
		cpus_read_unlock();
		kunit_skip(test, "needs a second online CPU");
	}
	taken = mk_doorbells_taken(cpu);
	unexpected = mk_doorbells_unexpected(cpu);
	KUNIT_EXPECT_EQ(test, mk_doorbell_send(cpu_physical_id(cpu)), 0);
	end = jiffies + WAIT;
	while (mk_doorbells_taken(cpu) == taken && time_before(jiffies, end))
		msleep(20);
	cpus_read_unlock();

	/* It was taken, counted as unexpected, and nothing else happened. */
	KUNIT_EXPECT_NE(test, mk_doorbells_taken(cpu), taken);
	KUNIT_EXPECT_EQ(test, mk_doorbells_unexpected(cpu) - unexpected,
			mk_doorbells_taken(cpu) - taken);
}

static struct kunit_case mk_doorbell_cases[] = {
	KUNIT_CASE(mk_doorbell_dispatch_test),
	KUNIT_CASE(mk_doorbell_bad_target_test),
	KUNIT_CASE(mk_doorbell_ipi_test),
	KUNIT_CASE(mk_doorbell_unexpected_test),
	{}
};

static struct kunit_suite mk_doorbell_suite = {
	.name = "multikernel_doorbell",
	.test_cases = mk_doorbell_cases,
};

kunit_test_suite(mk_doorbell_suite);

MODULE_DESCRIPTION("KUnit tests for the x86 multikernel doorbell");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
