/* Why: the kernel maps a file's text 16 pages around each page a process executes (fault-around), and
 * a whole large folio when the file was written recently (a library just installed or copied, on
 * kernels with large folios for ext4): the first call into the library mapped 16 of its 29 text pages,
 * or all 29, though a process that neither profiles nor learns runs the first 10 (.text.hkm_run). Those
 * pages are the page cache's, shared with every other process; what this saves is the process's RSS
 * as the kernel counts it (perf/bench/RESULTS.md, "The cold text, a mapping of its own").
 * Through syscall(2), whose page of libc hakmem's own mmap calls map anyway: the libc wrappers
 * (open, pread, madvise) would map libc pages of their own. */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compiler.h"
#include "os.h"
#include "text_trim.h"

static char pagemap_path[] HKM_DATA = "/proc/self/pagemap"; /* not in the read-only segment (compiler.h) */

/* Both from the linker: this object's ELF header as loaded, and the end of .text.hkm_run. Weak: absent,
 * they read as NULL. The header is declared without a size: its program headers follow it, and an
 * Ehdr-sized object would make reading them an out-of-bounds access (UBSan says so). */
extern const char __ehdr_start[] __attribute__((weak, visibility("hidden")));
extern const char __hkm_run_end[] __attribute__((weak, visibility("hidden")));

#define PM_PRESENT ((uint64_t)1 << 63)
#define PM_FILE ((uint64_t)1 << 61) /* a page of the file (or shared), not a private copy */
#define CHUNK 64 /* pagemap entries read at once, on the stack (.bss has no room: src/sizeclass.h) */
_Static_assert(CHUNK == 64, "a window's present pages are one word");

/* Read the pagemap entries of the k <= CHUNK pages at a into pm; 0 when it cannot be read. */
static int read_pagemap(long fd, uintptr_t a, size_t k, uint64_t *pm) {
  return syscall(SYS_pread64, (int)fd, pm, k * sizeof *pm, (off_t)(a / HKM_PAGE * sizeof *pm)) == (long)(k * sizeof *pm);
}

static long open_pagemap(void) { return syscall(SYS_openat, AT_FDCWD, pagemap_path, O_RDONLY | O_CLOEXEC); }

/* Unmap the pages of [a, a + n pages) that are mapped and still the file's, except those whose bit in
 * keep is set (keep covers all n pages; NULL: none kept). fd: the pagemap, open. */
static void drop_file_pages(long fd, uintptr_t a, size_t n, const uint64_t *keep) {
  for (size_t done = 0; done < n;) {
    uint64_t pm[CHUNK];
    size_t k = n - done < CHUNK ? n - done : CHUNK;
    uintptr_t at = a + done * HKM_PAGE;
    if (!read_pagemap(fd, at, k, pm)) break;
    for (size_t i = 0; i < k; i++)
      if (keep && (keep[(done + i) / 64] >> ((done + i) % 64) & 1)) pm[i] = 0;
    for (size_t i = 0; i < k;) {
      if ((pm[i] & (PM_PRESENT | PM_FILE)) != (PM_PRESENT | PM_FILE)) {
        i++;
        continue;
      }
      size_t j = i;
      while (j < k && (pm[j] & (PM_PRESENT | PM_FILE)) == (PM_PRESENT | PM_FILE)) j++;
      syscall(SYS_madvise, at + i * HKM_PAGE, (j - i) * HKM_PAGE, MADV_DONTNEED);
      i = j;
    }
    done += k;
  }
}

/* Add [a, a + pages) to w with the present bits its pages have now. */
static void window_add(struct hkm_text_window *w, uintptr_t a, size_t pages) {
  if (w->n == HKM_WINDOW_RANGES || !pages) return;
  if (pages > HKM_WINDOW_PAGES) pages = HKM_WINDOW_PAGES;
  uint64_t *present = w->r[w->n].present;
  for (size_t done = 0; done < pages; done += CHUNK) {
    uint64_t pm[CHUNK];
    size_t k = pages - done < CHUNK ? pages - done : CHUNK;
    if (!read_pagemap(w->fd, a + done * HKM_PAGE, k, pm)) return;
    present[done / 64] = 0;
    for (size_t i = 0; i < k; i++)
      if (pm[i] & PM_PRESENT) present[done / 64] |= (uint64_t)1 << i;
  }
  w->r[w->n].start = a;
  w->r[w->n].pages = pages;
  w->n++;
}

/* The read-only data segments after the text (loadable, neither writable nor executable) of the loaded
 * object whose text holds fn, added to w. The object is the one in ld.so's list (_r_debug, which is
 * ld.so's: no libc code runs) loaded closest below fn, as an object's segments all lie above its load
 * address; its ELF header is read only where that page is resident, so an object whose first segment
 * is not at its load address is passed over, never faulted on. */
static void window_add_rodata(struct hkm_text_window *w, uintptr_t fn) {
  uintptr_t base = 0;
  for (const struct link_map *m = _r_debug.r_map; m; m = m->l_next)
    if (m->l_addr <= fn && m->l_addr > base) base = m->l_addr;
  uint64_t pm;
  if (!base || base % HKM_PAGE || !read_pagemap(w->fd, base, 1, &pm) || !(pm & PM_PRESENT)) return;
  const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
  /* byte by byte: memcmp is libc's, in pages of its own */
  if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 || eh->e_ident[EI_MAG2] != ELFMAG2 ||
      eh->e_ident[EI_MAG3] != ELFMAG3 || eh->e_phentsize != sizeof(ElfW(Phdr)) ||
      eh->e_phoff + eh->e_phnum * sizeof(ElfW(Phdr)) > HKM_PAGE)
    return;
  const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
  const ElfW(Phdr) *text = NULL; /* fn's segment: the headers and symbol tables before it are left alone */
  for (unsigned i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X) && fn - (base + ph[i].p_vaddr) < ph[i].p_memsz) text = &ph[i];
  if (!text) return;
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD || ph[i].p_flags & (PF_W | PF_X) || ph[i].p_vaddr < text->p_vaddr) continue;
    uintptr_t a = (base + ph[i].p_vaddr) & ~(HKM_PAGE - 1);
    window_add(w, a, (base + ph[i].p_vaddr + ph[i].p_memsz - a + HKM_PAGE - 1) / HKM_PAGE);
  }
}

/* The text window is the 64 pages from 64 KiB before fn's 64 KiB: the fault-around window of fn's page
 * and its neighbours either side. The pagemap stays open until the window closes. */
void hkm_text_window_open(struct hkm_text_window *w, const void *fn) {
  w->n = 0;
  w->fd = fn ? open_pagemap() : -1;
  if (w->fd < 0) return;
  window_add(w, ((uintptr_t)fn & ~(uintptr_t)0xffff) - 0x10000, 64);
  window_add_rodata(w, (uintptr_t)fn);
}

void hkm_text_window_close(const struct hkm_text_window *w) {
  if (w->fd < 0) return;
  for (unsigned i = 0; i < w->n; i++) drop_file_pages(w->fd, w->r[i].start, w->r[i].pages, w->r[i].present);
  syscall(SYS_close, (int)w->fd);
}

void hkm_text_trim(void) {
  if (!__ehdr_start || !__hkm_run_end) return;
  const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)(const void *)__ehdr_start;
  const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(const void *)(__ehdr_start + eh->e_phoff);
  uintptr_t cold = ((uintptr_t)__hkm_run_end + HKM_PAGE - 1) & ~(HKM_PAGE - 1);
  for (unsigned i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X)) continue;
    /* The header is at the object's lowest address, vaddr 0 of a shared object. */
    uintptr_t start = (uintptr_t)__ehdr_start + ph[i].p_vaddr, end = (start + ph[i].p_memsz + HKM_PAGE - 1) & ~(HKM_PAGE - 1);
    if (cold <= start || cold >= end) continue; /* the run list is not in this segment */
    /* Any advice that sets a flag splits the mapping; this one changes nothing else for file text. */
    syscall(SYS_madvise, cold, end - cold, MADV_NOHUGEPAGE);
    long fd = open_pagemap();
    if (fd < 0) return;
    drop_file_pages(fd, cold, (end - cold) / HKM_PAGE, NULL);
    syscall(SYS_close, (int)fd);
    return;
  }
}
