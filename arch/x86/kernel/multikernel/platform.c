// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 platform of a multikernel instance.
 *
 * The same kernel runs as host or as instance; it is an instance when
 * boot_params carry a setup_data entry of type SETUP_MULTIKERNEL with
 * the handoff (struct multikernel_handoff, asm/setup_data.h). Like a Jailhouse cell
 * (arch/x86/kernel/jailhouse.c) an instance then runs on a machine that
 * is not all its own: it uses only the CPUs named in the handoff, takes
 * its timer calibration from the host, and leaves every piece of global
 * hardware alone: no ACPI, PCI, IO-APIC, PIC, PIT, HPET, RTC, i8042,
 * legacy UARTs or VGA, and no reset. Power off, halt, restart and panic
 * are reported to the host over the link's control channel, and the CPUs
 * park; the host takes them back with INIT.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/acpi.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/multikernel.h>
#include <linux/multikernel/arch.h>
#include <linux/reboot.h>
#include <linux/serial_8250.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/e820/api.h>
#include <asm/early_ioremap.h>
#include <asm/hypervisor.h>
#include <asm/i8259.h>
#include <asm/io_apic.h>
#include <asm/multikernel.h>
#include <asm/pci_x86.h>
#include <asm/reboot.h>
#include <asm/set_memory.h>
#include <asm/setup.h>
#include <asm/tsc.h>
#include <asm/x86_init.h>

#include "mk_x86.h"

static_assert(MK_X86_KERNEL_INFO_HANDOFF == MULTIKERNEL_HANDOFF_VERSION);

/* The handoff, copied out of setup_data before anything else ran. */
struct multikernel_handoff mk_handoff __ro_after_init;

/* The head of the shared region, copied and checked at the same time. */
struct multikernel_shared mk_shared_head __ro_after_init;

static bool mk_instance __ro_after_init;
static bool mk_found __initdata;
static const char *mk_bad;

/**
 * mk_x86_is_instance() - does this kernel run as a multikernel instance?
 *
 * Context: Any context, valid from init_hypervisor_platform() on.
 * Return: true in an instance.
 */
bool mk_x86_is_instance(void)
{
	return mk_instance;
}

/* Halt for good; the host notices the silence and resets the CPU. */
static void __noreturn mk_halt_forever(void)
{
	local_irq_disable();
	for (;;)
		native_halt();
}

/* Copy the handoff out of the setup_data chain; note why if it is bad. */
static void __init mk_find_handoff(void)
{
	u64 pa = boot_params.hdr.setup_data;
	unsigned int budget = 64;
	struct setup_data hdr;
	u32 len;
	void *p;
	int ret;

	while (pa && budget--) {
		p = early_memremap(pa, sizeof(hdr));
		if (!p)
			return;
		memcpy(&hdr, p, sizeof(hdr));
		early_memunmap(p, sizeof(hdr));
		if (hdr.type == SETUP_MULTIKERNEL)
			break;
		pa = hdr.next;
	}
	if (!pa || hdr.type != SETUP_MULTIKERNEL)
		return;

	mk_found = true;
	len = min_t(u32, hdr.len, sizeof(mk_handoff));
	p = early_memremap(pa + sizeof(hdr), len);
	if (!p) {
		mk_bad = "cannot map it";
		return;
	}
	ret = mk_handoff_check(p, hdr.len, &mk_handoff, &mk_bad);
	early_memunmap(p, len);
	if (!ret)
		mk_bad = NULL;
}

static u32 __init mk_detect(void)
{
	mk_find_handoff();
	return mk_found ? U32_MAX : 0;
}

/* --- reporting to the host --- */

/* Tell the host why we stop (@kind 0: it knows already), then park. */
static void __noreturn mk_park(u32 kind)
{
	if (kind)
		mk_link_instance_notify(MULTIKERNEL_CTL_STOPPED, kind, NULL);
	stop_other_cpus();
	pr_emerg("instance stopped, CPUs parked for the host\n");
	mk_halt_forever();
}

static void mk_restart(char *cmd)
{
	mk_park(MULTIKERNEL_STOP_RESTART);
}

static void mk_emergency_restart(void)
{
	mk_park(MULTIKERNEL_STOP_RESTART);
}

static void mk_halt(void)
{
	mk_park(MULTIKERNEL_STOP_HALT);
}

static void mk_power_off(void)
{
	mk_park(MULTIKERNEL_STOP_POWER_OFF);
}

/*
 * machine_shutdown() is what kexec calls before it jumps to the next
 * kernel, which would boot without a handoff and take over the machine:
 * an instance parks instead, as for a restart. A crash kernel likewise.
 */
static void mk_shutdown(void)
{
	pr_emerg("kexec is not possible in an instance\n");
	mk_park(MULTIKERNEL_STOP_RESTART);
}

static void mk_crash_shutdown(struct pt_regs *regs)
{
	mk_park(0);	/* the core's panic notifier told the host */
}

/*
 * Power-off handler: without one, reboot(2) turns a power off into a halt.
 * machine_ops.power_off parks before it would run; keep it for callers of
 * do_kernel_power_off().
 */
static int mk_sys_off(struct sys_off_data *data)
{
	mk_park(MULTIKERNEL_STOP_POWER_OFF);
}

/* --- hardware the instance must not touch --- */

static void __init mk_timer_init(void)
{
	lapic_timer_period = mk_apic_timer_period(mk_handoff.apic_timer_khz, HZ);
}

/*
 * The 8259's interrupt output and the external NMI line reach LINT0 and
 * LINT1 of every CPU, and both belong to the host. setup_local_APIC()
 * sets the instance's boot CPU up as a PC's BSP: with no IOAPIC, LINT0
 * as ExtINT and LINT1 as NMI. Mask both. Otherwise the instance takes
 * the host's PIC interrupts, and a host kernel that programs its 8259
 * while it boots (a kexec'd or crash kernel) can hand it an exception
 * vector in the middle of the ICW sequence, which kills it.
 */
static void __init mk_intr_mode_init(void)
{
	apic_intr_mode_init();
	if (!boot_cpu_has(X86_FEATURE_APIC))
		return;
	apic_write(APIC_LVT0, apic_read(APIC_LVT0) | APIC_LVT_MASKED);
	apic_write(APIC_LVT1, apic_read(APIC_LVT1) | APIC_LVT_MASKED);
}

static unsigned long mk_get_tsc_khz(void)
{
	return mk_handoff.tsc_khz;
}

static void mk_get_wallclock(struct timespec64 *now)
{
	*now = ns_to_timespec64(mk_handoff_realtime(&mk_handoff, rdtsc()));
}

static int mk_set_wallclock(const struct timespec64 *now)
{
	return -ENODEV;
}

static unsigned char mk_get_nmi_reason(void)
{
	return 0;	/* port 0x61 belongs to the host */
}

static int __init mk_pci_arch_init(void)
{
	return 0;	/* and no PCI BIOS either */
}

static void __init mk_parse_smp_cfg(void)
{
	unsigned int i;

#ifdef CONFIG_X86_X2APIC
	if (x2apic_enabled()) {
		/* No interrupt remapping here: physical destination mode. */
		x2apic_phys = 1;
		default_acpi_madt_oem_check("", "");
	}
#endif
	register_lapic_address(APIC_DEFAULT_PHYS_BASE);

	/*
	 * The boot CPU is not the machine's BSP. Name the real BSP first:
	 * the topology code then rejects it, as in a kdump kernel, so that
	 * this kernel never sends it INIT, and accepts our CPUs.
	 */
	topology_register_apic(mk_handoff.bsp_apic_id, CPU_ACPIID_INVALID, true);
	for (i = 0; i < mk_handoff.nr_cpus; i++)
		topology_register_apic(mk_handoff.apic_ids[i], CPU_ACPIID_INVALID,
				       true);
	smp_found_config = 1;
}

#ifdef CONFIG_SERIAL_8250
/* The legacy UARTs are the host's: let the 8250 driver find none. */
static void mk_serial_fixup(int port, struct uart_port *up, u32 *capabilities)
{
	up->iobase = 0;
}
#endif

/*
 * For the boot profile (spawn.rst): how long ago the host's start code
 * jumped into this kernel, by the TSC this CPU shares with the host. That
 * is the decompressor (unless the host unpacked the kernel at load) and
 * setup_arch() up to here, which is just before tsc_early_init(), where
 * this kernel's clock starts. The stamp is the one the start code left
 * in the shared region's head; a stamp that makes no sense gives no line.
 */
static void __init mk_report_entry(void)
{
	u64 now = rdtsc(), entry = mk_shared_head.entry_tsc;
	u64 khz = mk_handoff.tsc_khz;

	if (!khz || !entry || entry > now || now - entry > khz * 3600000ULL)
		return;
	pr_info("the start code entered this kernel %llu us ago (its decompressor, if it ran, and early setup)\n",
		div64_u64((now - entry) * 1000, khz));
}

static void __init mk_init_platform(void)
{
	struct multikernel_shared *sh;
	const char *why = "cannot map it";

	if (mk_bad) {
		pr_emerg("bad handoff from the host (%s), halting\n", mk_bad);
		mk_halt_forever();
	}
	mk_instance = true;
	/* Before anything else: root here must not reach the machine. */
	multikernel_confine_instance(mk_handoff.lockdown);

	x86_init.irqs.pre_vector_init		= x86_init_noop;
	x86_init.irqs.intr_mode_init		= mk_intr_mode_init;
	x86_init.timers.timer_init		= mk_timer_init;
	x86_init.mpparse.find_mptable		= x86_init_noop;
	x86_init.mpparse.early_parse_smp_cfg	= x86_init_noop;
	x86_init.mpparse.parse_smp_cfg		= mk_parse_smp_cfg;
	x86_init.resources.probe_roms		= x86_init_noop;
	x86_init.pci.arch_init			= mk_pci_arch_init;

	x86_platform.calibrate_cpu		= mk_get_tsc_khz;
	x86_platform.calibrate_tsc		= mk_get_tsc_khz;
	x86_platform.get_wallclock		= mk_get_wallclock;
	x86_platform.set_wallclock		= mk_set_wallclock;
	x86_platform.get_nmi_reason		= mk_get_nmi_reason;
	x86_platform.legacy.rtc			= 0;
	x86_platform.legacy.warm_reset		= 0;
	x86_platform.legacy.no_vga		= 1;
	x86_platform.legacy.i8042		= X86_LEGACY_I8042_PLATFORM_ABSENT;

	legacy_pic				= &null_legacy_pic;

	machine_ops.restart			= mk_restart;
	machine_ops.halt			= mk_halt;
	machine_ops.power_off			= mk_power_off;
	machine_ops.emergency_restart		= mk_emergency_restart;
	machine_ops.shutdown			= mk_shutdown;
	machine_ops.crash_shutdown		= mk_crash_shutdown;

	setup_force_cpu_cap(X86_FEATURE_TSC_KNOWN_FREQ);
	/* No clocksource watchdog against our own ticks: see the host's. */
	if (mk_handoff.flags & MULTIKERNEL_HANDOFF_TSC_RELIABLE)
		setup_force_cpu_cap(X86_FEATURE_TSC_RELIABLE);
	disable_ioapic_support();
	disable_acpi();
#ifdef CONFIG_PCI
	pci_probe = 0;
#endif
#ifdef CONFIG_SERIAL_8250
	serial8250_set_isa_configurator(mk_serial_fixup);
#endif

	/* Checked once, here; the core connects to the host with it. */
	sh = early_memremap(mk_handoff.shared_phys, sizeof(mk_shared_head));
	if (sh) {
		memcpy(&mk_shared_head, sh, sizeof(mk_shared_head));
		early_memunmap(sh, sizeof(mk_shared_head));
	}
	if (!sh || mk_shared_check(&mk_shared_head, mk_handoff.shared_size, &why)) {
		pr_emerg("bad shared region from the host (%s), halting\n", why);
		mk_halt_forever();
	}
	/* From here on a hang before the link is up shows in the host. */
	multikernel_early_console_start(mk_handoff.shared_phys + MK_SH_EARLY_LOG);

	pr_info("instance %u \"%s\" on %u CPU(s), TSC %u kHz\n",
		mk_handoff.instance_id, mk_handoff.name, mk_handoff.nr_cpus,
		mk_handoff.tsc_khz);
	mk_report_entry();
}

static bool __init mk_x2apic_available(void)
{
	return x2apic_enabled();	/* whatever mode the host left us in */
}

const struct hypervisor_x86 x86_hyper_multikernel __refconst = {
	.name			= "Multikernel instance",
	.detect			= mk_detect,
	.type			= X86_HYPER_MULTIKERNEL,
	.init.init_platform	= mk_init_platform,
	.init.x2apic_available	= mk_x2apic_available,
	.ignore_nopv		= true,
};

/**
 * mk_x86_ipi_shorthand_off() - must IPI broadcast shorthands stay off?
 *
 * A broadcast would reach the CPUs of the other kernels on the machine:
 * an instance never uses them, a host not while it lends CPUs out or
 * holds CPUs for an instance (from create on, see multikernel_owns_cpus()).
 *
 * Context: Any context.
 * Return: true when apic_smt_update() must not enable shorthands.
 */
bool mk_x86_ipi_shorthand_off(void)
{
	return mk_instance || mk_x86_cpus_lent() || multikernel_owns_cpus();
}

/* --- after boot: keep out of the host's first MiB --- */

/*
 * x86 maps all of the first MiB into the direct map, RAM or not (the ISA
 * range). For an instance only its own low-memory window there is RAM;
 * the rest is the host's and the other instances': their real-mode
 * trampolines and park page. Nothing needs it once the CPUs are up, so
 * unmap it, and a wild pointer into it faults instead of landing.
 */
static int __init mk_fence_first_mib(void)
{
	unsigned long pfn, start = 0;
	int ret;

	if (!mk_instance)
		return 0;
	for (pfn = 0; pfn <= PFN_DOWN(ISA_END_ADDRESS); pfn++) {
		bool ours = pfn < PFN_DOWN(ISA_END_ADDRESS) &&
			    e820__mapped_all(PFN_PHYS(pfn), PFN_PHYS(pfn + 1),
					     E820_TYPE_RAM);

		if (!ours && pfn < PFN_DOWN(ISA_END_ADDRESS))
			continue;
		if (pfn > start) {
			ret = set_memory_np((unsigned long)pfn_to_kaddr(start),
					    pfn - start);
			if (ret) {
				pr_err("cannot unmap the host's memory below 1 MiB: %d\n",
				       ret);
				return ret;
			}
		}
		start = pfn + 1;
	}
	return 0;
}
late_initcall(mk_fence_first_mib);

/**
 * mk_arch_instance() - where this instance's host is
 * @self:	filled in from the handoff and the shared region's head
 *
 * Context: Process context, after setup_arch().
 * Return: 0, or -ENODEV when this kernel is not an instance.
 */
int mk_arch_instance(struct mk_arch_instance *self)
{
	if (!mk_instance)
		return -ENODEV;
	/* mk_shared_head was checked when the platform was set up. */
	*self = (struct mk_arch_instance) {
		.shared_phys		= mk_handoff.shared_phys,
		.shared_size		= mk_handoff.shared_size,
		.msg_offset		= mk_shared_head.msg_offset,
		.msg_size		= mk_shared_head.msg_size,
		.last_words_offset	= MK_SH_LAST_WORDS,
		.host_hw_id		= mk_handoff.host_apic_id,
		.id			= mk_handoff.instance_id,
		.name			= mk_handoff.name,
	};
	return 0;
}

/*
 * Until the TSC becomes this kernel's clocksource (fs_initcall), its clock
 * counts timer ticks, and a tick that comes late is time lost for good:
 * 0.3 s of a start under the emulator. CLOCK_MONOTONIC keeps that loss,
 * which only this kernel sees; CLOCK_REALTIME is set again from the
 * host's, so that the wall clocks of the two kernels agree.
 */
static int __init mk_clock_sync(void)
{
	struct timespec64 host;
	s64 behind;

	if (!mk_instance || !mk_handoff.host_realtime_tsc ||
	    !(mk_handoff.flags & MULTIKERNEL_HANDOFF_TSC_RELIABLE))
		return 0;
	host = ns_to_timespec64(mk_handoff_realtime(&mk_handoff, rdtsc_ordered()));
	behind = timespec64_to_ns(&host) - ktime_get_real_ns();
	if (abs(behind) < NSEC_PER_MSEC || do_settimeofday64(&host))
		return 0;
	pr_info("the clock was %lld us %s the host's: set to the host's\n",
		div_s64(abs(behind), NSEC_PER_USEC), behind > 0 ? "behind" : "ahead of");
	return 0;
}
late_initcall(mk_clock_sync);

/* --- after boot: power off by parking --- */

static int __init mk_sys_off_init(void)
{
	if (!mk_instance)
		return 0;
	register_sys_off_handler(SYS_OFF_MODE_POWER_OFF, SYS_OFF_PRIO_PLATFORM,
				 mk_sys_off, NULL);
	return 0;
}
late_initcall(mk_sys_off_init);
