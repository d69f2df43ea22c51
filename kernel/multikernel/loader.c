// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading an instance kernel through kexec_file.
 *
 * The image goes through the same steps as for kexec_file_load(2): the
 * files are read with the kexec read hooks (IMA appraisal, LSMs), the
 * signature is verified (and required under lockdown), the command line
 * is measured, and the arch's kexec loader (bzImage64 on x86) lays out
 * boot_params, kernel and initramfs. Like a crash kernel, the segments are
 * placed inside the instance's own memory rather than anywhere in RAM.
 *
 * Every start copies the image into the instance's memory afresh, so a
 * stopped instance restarts from the same pristine image. The kernel and
 * the initramfs are not kept in host memory for that: the loader keeps the
 * two files open with write access denied, as exec keeps a running
 * program's, and reads them again at each start. It checks at load that
 * the files it keeps hold the very bytes that were verified, so a file
 * descriptor swapped during the load cannot slip an unverified kernel in.
 * Only the small boot_params segment the bzImage loader built is kept in
 * memory. The arch may unpack the kernel into the instance's memory at
 * load (the memory is the instance's from then on), so that the first
 * start need not decompress it; later starts copy the image in as it was
 * loaded. The purgatory the bzImage loader adds is never run (the start
 * trampoline enters the kernel directly) and is dropped.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ima.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/mm.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../kexec_internal.h"
#include "image.h"
#include "internal.h"

/* Bytes compared at a time when checking a kept file against its image. */
#define MK_CHECK_CHUNK	SZ_64K

static void mk_image_free(struct mk_image *img)
{
	struct mk_segment *s;
	unsigned int i;

	if (!img)
		return;
	for (i = 0; i < img->nr_segments; i++) {
		s = &img->seg[i];
		kvfree(s->buf);
		if (s->file) {
			allow_write_access(s->file);
			fput(s->file);
		}
	}
	kfree(img);
}

/* Read exactly @len bytes of @file at @pos; -EIO when the file is shorter. */
static int mk_read_exact(struct file *file, void *dst, size_t len, loff_t pos)
{
	ssize_t n;

	while (len) {
		n = kernel_read(file, dst, len, &pos);
		if (n < 0)
			return n;
		if (!n)
			return -EIO;
		dst += n;
		len -= n;
	}
	return 0;
}

/**
 * mk_file_for_write_denied() - take a file whose writers are shut out
 * @fd:		file descriptor, negative for none
 *
 * Context: Process context.
 * Return: the file, with a reference and write access denied; NULL for
 * a negative @fd; ERR_PTR(-EBADF) for a descriptor that is not open, or
 * ERR_PTR(-ETXTBSY) while the file is open for writing.
 */
static struct file *mk_file_for_write_denied(int fd)
{
	struct file *file;
	int ret;

	if (fd < 0)
		return NULL;
	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	ret = deny_write_access(file);
	if (ret) {
		fput(file);
		return ERR_PTR(ret);
	}
	return file;
}

static void mk_file_put(struct file *file)
{
	if (IS_ERR_OR_NULL(file))
		return;
	allow_write_access(file);
	fput(file);
}

/*
 * Whether @len bytes at @p lie inside [@buf, @buf + @buf_len); their
 * offset there in @pos.
 */
static bool mk_bytes_within(const void *p, size_t len, const void *buf,
			    size_t buf_len, loff_t *pos)
{
	if (!buf || p < buf || len > buf_len ||
	    (size_t)(p - buf) > buf_len - len)
		return false;
	*pos = p - buf;
	return true;
}

/**
 * mk_segment_from_file() - let a segment's bytes come from a file
 * @s:		the segment; @s->bufsz set
 * @file:	the file kexec read them from, its writers shut out
 * @pos:	where they start in @file
 * @verified:	the @s->bufsz bytes kexec read and verified
 *
 * Checks that @file holds @verified at @pos, then keeps a reference to
 * @file and a denial of write access of its own in @s.
 *
 * Context: Process context, may sleep.
 * Return: 0; -ESTALE when the file holds other bytes there; -EIO when it
 * is shorter; -ENOMEM; the error of reading it.
 */
VISIBLE_IF_KUNIT int mk_segment_from_file(struct mk_segment *s,
					  struct file *file, loff_t pos,
					  const void *verified)
{
	size_t off, n;
	void *chunk;
	int ret = 0;

	chunk = kvmalloc(min_t(size_t, s->bufsz, MK_CHECK_CHUNK), GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	for (off = 0; off < s->bufsz && !ret; off += n) {
		n = min_t(size_t, s->bufsz - off, MK_CHECK_CHUNK);
		ret = mk_read_exact(file, chunk, n, pos + off);
		if (!ret && memcmp(chunk, verified + off, n))
			ret = -ESTALE;
	}
	kvfree(chunk);
	if (ret)
		return ret;
	/* One more denial, undone with the segment in mk_image_free(). */
	if (WARN_ON_ONCE(deny_write_access(file)))
		return -ETXTBSY;
	s->file = get_file(file);
	s->pos = pos;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_segment_from_file);

/**
 * mk_segment_fits() - whether a kexec segment lies inside a range
 * @mem:	physical address of the segment
 * @memsz:	bytes of memory it takes
 * @bufsz:	bytes of it that come from the file
 * @lo:		first address of the range
 * @hi:		first address after the range
 *
 * Checked so that nothing wraps around, whatever the kexec loader placed.
 *
 * Context: Any context.
 * Return: true when [@mem, @mem + @memsz) is inside [@lo, @hi) and
 * @bufsz is at most @memsz.
 */
VISIBLE_IF_KUNIT bool mk_segment_fits(phys_addr_t mem, size_t memsz,
				      size_t bufsz, phys_addr_t lo,
				      phys_addr_t hi)
{
	return mem >= lo && mem <= hi && memsz <= hi - mem && bufsz <= memsz;
}
EXPORT_SYMBOL_IF_KUNIT(mk_segment_fits);

/*
 * The IMA measurement list segment is the host's: it is filled in at a
 * kexec reboot, which an instance never is. Do not pass it on, even empty.
 */
static bool mk_segment_is_ima(const struct kimage *image, unsigned long i)
{
#ifdef CONFIG_IMA_KEXEC
	return image->is_ima_segment_index_set && i == image->ima_segment_index;
#else
	return false;
#endif
}

/*
 * Keep the segments the instance needs: those cut from the kernel or the
 * initramfs as places in those files, the others in host memory.
 */
static int mk_image_take(struct kimage *image, struct mk_image *img,
			 phys_addr_t lo, phys_addr_t hi, struct file *kernel,
			 struct file *initrd)
{
	const void *purgatory = image->purgatory_info.purgatory_buf;
	struct kexec_segment *ks;
	struct mk_segment *s;
	unsigned long i;
	loff_t pos;
	int ret;

	for (i = 0; i < image->nr_segments; i++) {
		ks = &image->segment[i];
		if (ks->kbuf == purgatory || mk_segment_is_ima(image, i))
			continue;
		if (!mk_segment_fits(ks->mem, ks->memsz, ks->bufsz, lo, hi))
			return -EFBIG;
		s = &img->seg[img->nr_segments];
		s->mem = ks->mem;
		s->memsz = ks->memsz;
		s->bufsz = ks->bufsz;
		/* Counted first: mk_image_free() undoes what it holds. */
		img->nr_segments++;
		if (!ks->bufsz) {
			ret = 0;
		} else if (mk_bytes_within(ks->kbuf, ks->bufsz, image->kernel_buf,
					   image->kernel_buf_len, &pos)) {
			ret = mk_segment_from_file(s, kernel, pos, ks->kbuf);
		} else if (mk_bytes_within(ks->kbuf, ks->bufsz, image->initrd_buf,
					   image->initrd_buf_len, &pos)) {
			ret = mk_segment_from_file(s, initrd, pos, ks->kbuf);
		} else {
			s->buf = kvmemdup(ks->kbuf, ks->bufsz, GFP_KERNEL);
			ret = s->buf ? 0 : -ENOMEM;
		}
		if (ret)
			return ret;
		if (s->mem == img->boot_params)
			img->bp_seg = img->nr_segments - 1;
	}
	if (img->seg[img->bp_seg].mem != img->boot_params)
		return -ENOEXEC;
	return 0;
}

/* kexec_file's errors, with "does not fit" spelled the way we promise. */
static int mk_load_errno(int ret)
{
	return ret == -EADDRNOTAVAIL ? -EFBIG : ret;
}

/**
 * mk_load_image() - load a kernel (and initramfs) for an instance
 * @inst:	the instance; its memory is assigned
 * @kernel_fd:	file descriptor of the kernel image
 * @initrd_fd:	file descriptor of the initramfs, negative for none
 * @cmdline:	kernel command line, NUL-terminated, or NULL
 * @cmdline_len: bytes at @cmdline including the NUL, 0 for none
 *
 * Replaces the instance's image on success; keeps it on failure. Unlike
 * kexec_file_load(2) it does not count against kexec_load_limit_reboot.
 *
 * Context: Process context, inst->lock held, the instance not running.
 * Return: 0 on success; -EPERM when kexec loading is not permitted (no
 * CAP_SYS_BOOT, kexec_load_disabled, in an instance, or a locked-down host
 * built without CONFIG_KEXEC_SIG); -EBUSY while another kexec load
 * runs; -ENOEXEC for a file that is not a kernel image; -EFBIG when the
 * image or initramfs does not fit the instance's memory; -EOPNOTSUPP for a
 * kernel without multikernel support; -EPROTO for a kernel that speaks
 * another handoff version; -EINVAL for a command line without its NUL;
 * signature, IMA and lockdown errors as kexec_file_load(2) returns them.
 */
int mk_load_image(struct mk_instance *inst, int kernel_fd, int initrd_fd,
		  const char *cmdline, unsigned long cmdline_len)
{
	phys_addr_t lo = inst->mem_base;
	phys_addr_t hi = inst->mem_base + inst->mem_size - MK_SHARED_SIZE;
	struct file *kernel, *initrd = NULL;
	struct kimage *image;
	struct mk_image *img;
	int ret;

	lockdep_assert_held(&inst->lock);
	if (inst->mem_size <= MK_SHARED_SIZE)
		return -EFBIG;
	if (cmdline_len && (!cmdline || cmdline[cmdline_len - 1]))
		return -EINVAL;
	/*
	 * Not kexec_load_permitted(): an instance never replaces the host,
	 * so its loads leave the host's kexec_load_limit_reboot alone.
	 */
	if (!kexec_load_allowed())
		return -EPERM;
	/*
	 * A locked-down host runs only kernels it verified. Without
	 * CONFIG_KEXEC_SIG nothing verifies one: refuse, as kexec_load(2)
	 * does under lockdown, or an instance would be a way around it.
	 */
	if (!IS_ENABLED(CONFIG_KEXEC_SIG) && security_locked_down(LOCKDOWN_KEXEC)) {
		pr_err_ratelimited("%s: the host is locked down and cannot verify kernels (no CONFIG_KEXEC_SIG)\n",
				   inst->name);
		return -EPERM;
	}

	/*
	 * Writers are shut out before kexec reads the files, so what it
	 * verifies is what the instance runs at every start.
	 */
	kernel = mk_file_for_write_denied(kernel_fd);
	if (IS_ERR(kernel))
		return PTR_ERR(kernel);
	initrd = mk_file_for_write_denied(initrd_fd);
	if (IS_ERR(initrd)) {
		ret = PTR_ERR(initrd);
		goto put_files;
	}
	img = kzalloc(sizeof(*img), GFP_KERNEL);
	if (!img) {
		ret = -ENOMEM;
		goto put_files;
	}
	if (!kexec_trylock()) {
		ret = -EBUSY;
		goto free_img;
	}
	image = do_kimage_alloc_init();
	if (!image) {
		ret = -ENOMEM;
		goto unlock;
	}
	image->file_mode = 1;
	image->place_start = lo;
	image->place_end = hi - 1;
	if (cmdline_len) {
		image->cmdline_buf = kmemdup(cmdline, cmdline_len, GFP_KERNEL);
		if (!image->cmdline_buf) {
			ret = -ENOMEM;
			goto free_kimage;
		}
		image->cmdline_buf_len = cmdline_len;
		ima_kexec_cmdline(kernel_fd, cmdline, cmdline_len - 1);
	}

	ret = kimage_file_prepare_segments(image, kernel_fd, initrd_fd, NULL, 0,
					   initrd_fd < 0 ? KEXEC_FILE_NO_INITRAMFS : 0);
	if (ret) {
		ret = mk_load_errno(ret);
		pr_err_ratelimited("%s: cannot load the kernel: %d\n",
				   inst->name, ret);
		goto free_kimage;
	}
	ret = mk_arch_image_finish(image, img);
	if (ret)
		goto free_kimage;
	ret = mk_image_take(image, img, lo, hi, kernel, initrd);
	if (ret == -ESTALE) {
		pr_err_ratelimited("%s: the kernel or initramfs file changed while it was loaded\n",
				   inst->name);
		goto free_kimage;
	}
	if (ret) {
		pr_err_ratelimited("%s: kernel image layout unusable: %d\n",
				   inst->name, ret);
		goto free_kimage;
	}

	mk_arch_image_unpack(image, img);

	kimage_free(image);
	kexec_unlock();
	mk_file_put(initrd);
	mk_file_put(kernel);
	mk_free_image(inst);
	inst->image = img;
	pr_info("%s: kernel loaded, %u segments, entry %pa%s\n", inst->name,
		img->nr_segments, &img->entry,
		img->unpacked_entry ? ", unpacked for its first start" : "");
	return 0;

free_kimage:
	kimage_free(image);
unlock:
	kexec_unlock();
free_img:
	mk_image_free(img);
put_files:
	mk_file_put(initrd);
	mk_file_put(kernel);
	return ret;
}

/**
 * mk_free_image() - drop an instance's kernel image
 * @inst:	the instance
 *
 * Context: Process context, inst->lock held, the instance not running.
 */
void mk_free_image(struct mk_instance *inst)
{
	lockdep_assert_held(&inst->lock);
	mk_image_free(inst->image);
	inst->image = NULL;
}

/**
 * mk_image_copy_in() - write an image into its instance's memory
 * @img:	the image
 * @skip_unpacked: leave out the segment whose place the kernel the arch
 *		unpacked at load took (@img->unpacked_seg)
 *
 * The kernel and initramfs are read from their files, which nobody could
 * write to since the load.
 *
 * Context: Process context, may sleep; the instance's CPUs are stopped.
 * Return: 0; -ENOMEM when a segment cannot be mapped; the error of reading
 * a file (-EIO for one that became shorter).
 */
int mk_image_copy_in(const struct mk_image *img, bool skip_unpacked)
{
	const struct mk_segment *s;
	unsigned int i;
	int ret = 0;
	u8 *p;

	for (i = 0; i < img->nr_segments && !ret; i++) {
		s = &img->seg[i];
		if (skip_unpacked && i == img->unpacked_seg)
			continue;
		p = memremap(s->mem, s->memsz, MEMREMAP_WB);
		if (!p)
			return -ENOMEM;
		if (s->file)
			ret = mk_read_exact(s->file, p, s->bufsz, s->pos);
		else if (s->bufsz)
			memcpy(p, s->buf, s->bufsz);
		memset(p + s->bufsz, 0, s->memsz - s->bufsz);
		memunmap(p);
	}
	return ret;
}
