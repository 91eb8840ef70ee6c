/* The library's own text past the code every process runs (src/run_text.ld), unmapped at init and kept
 * apart from it. */
#ifndef HKM_TEXT_TRIM_H
#define HKM_TEXT_TRIM_H

/* Once, at init: the text past .text.hkm_run becomes a mapping of its own (so that a fault in either
 * maps no page of the other), and the pages of it the first faults mapped are unmapped (except pages
 * that are no longer the file's, such as a debugger's breakpoints). Nothing when the library was linked
 * without src/run_text.ld (another linker, libhakmem-prof, libhakmem.a). */
void hkm_text_trim(void);

#endif
