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

/* Around a call into another library's text that a process otherwise need not run (glibc's
 * __register_atfork, at init): the pages of the 64 KiB windows around fn that the call mapped are
 * unmapped again. The kernel maps 16 pages of libc around that function, which a process on glibc's
 * malloc never maps (perf/bench/RESULTS.md, "libc's fork-handler window"). */
struct hkm_text_window {
  uintptr_t start;  /* 0: nothing to do */
  uint64_t present; /* its pages mapped before the call */
  long fd;          /* /proc/self/pagemap, read at both ends; -1 when it could not be opened */
};
void hkm_text_window_open(struct hkm_text_window *w, const void *fn);
void hkm_text_window_close(const struct hkm_text_window *w);

#endif
