/* hakmem: a malloc replacement that tells you where its time goes.
 *
 * Link with -lhakmem (or LD_PRELOAD libhakmem.so) and every malloc family call is served by hakmem.
 * This header adds the native, call-site aware API and the profiler controls. */
#ifndef HAKMEM_H
#define HAKMEM_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An allocation call site: any stable address identifying the caller (usually a return address). */
typedef const void *hak_callsite_t;

/* The caller's own call site, for wrappers that want to pass their caller through. */
#define HAK_CALLSITE() ((hak_callsite_t)__builtin_return_address(0))

/* Allocate size bytes for call site site. Same contract as malloc(3): NULL and errno = ENOMEM on failure,
 * a unique freeable pointer for size 0. */
void *hak_alloc_at(size_t size, hak_callsite_t site);

/* Free ptr (NULL is ignored). size is the size passed at allocation, or 0 when unknown; a size larger
 * than the block is reported as an invalid free. site is the freeing call site (may be NULL). */
void hak_free_at(void *ptr, size_t size, hak_callsite_t site);

/* Profiler report flags. */
#define HAK_PROF_TEXT 0x0 /* human-readable table (default) */
#define HAK_PROF_JSON 0x1 /* the documented JSON schema */

/* Write the profile collected so far (all threads) to out. Does nothing useful unless profiling was
 * enabled with HAKMEM_TIMING=1 (the report then says so). */
void hak_prof_report(FILE *out, int flags);

/* Forget everything collected so far, in every thread. */
void hak_prof_reset(void);

/* Print allocator statistics (tiers, mapped bytes, caches) to out. */
void hak_stats_print(FILE *out);

/* hakmem's version string, e.g. "0.1.0". */
const char *hak_version(void);

#ifdef __cplusplus
}
#endif
#endif
