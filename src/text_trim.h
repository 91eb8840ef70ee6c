/* The library's own text past the code every process runs (src/run_text.ld), unmapped at init and kept
 * apart from it. */
#ifndef HKM_TEXT_TRIM_H
#define HKM_TEXT_TRIM_H

#include <stdint.h>

/* Once, at init: the text past .text.hkm_run becomes a mapping of its own (so that a fault in either
 * maps no page of the other), and the pages of it the first faults mapped are unmapped (except pages
 * that are no longer the file's, such as a debugger's breakpoints). Nothing when the library was linked
 * without src/run_text.ld (another linker, libhakmem-prof, libhakmem.a). */
void hkm_text_trim(void);

/* Around a call into another library that a process otherwise need not make (glibc's __register_atfork,
 * at init): the pages the call mapped, in the 64 KiB windows around fn and in the read-only data of the
 * object that holds fn, are unmapped again. The kernel maps 16 pages of libc's text around that
 * function, and 16 of its read-only data around a constant the function loads, which a process on
 * glibc's malloc need never map (perf/bench/RESULTS.md, "libc's fork-handler window" and "libc's
 * read-only data around the fork handlers"). */
#define HKM_WINDOW_RANGES 4
#define HKM_WINDOW_PAGES 128 /* per range; a longer segment is covered from its start */
struct hkm_text_window {
  long fd;   /* /proc/self/pagemap, read at both ends; -1 when it could not be opened */
  unsigned n; /* ranges in use */
  struct {
    uintptr_t start;
    size_t pages;
    uint64_t present[HKM_WINDOW_PAGES / 64]; /* its pages mapped before the call */
  } r[HKM_WINDOW_RANGES];
};
void hkm_text_window_open(struct hkm_text_window *w, const void *fn);
void hkm_text_window_close(const struct hkm_text_window *w);

#endif
