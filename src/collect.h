/* Counters that outlive the process: with HAKMEM_TIMING_DIR (hakmem-stat sets it), the profiler's
 * per-thread counters live in a file of that directory, one per process image, mapped shared, so
 * that they are on disk however the process ends (exit, _exit, a signal, an execve into a program
 * not on hakmem, a closed standard error). The file's layout is collect_format.h. Warnings go into
 * it too (warn.h), and hakmem-stat prints each distinct one once. */
#ifndef HKM_COLLECT_H
#define HKM_COLLECT_H

#include <stddef.h>

/* From init, after the configuration and the profiler's init, before it arms: creates this image's
 * file when HAKMEM_TIMING_DIR asks, and releases the warnings held back meanwhile. */
void hkm_collect_init(void);
/* 1 when the counters go to a collection file. */
int hkm_collect_active(void);
/* The exit report into this image's file (made now if a forked child has none yet), after its
 * counters; the image ended through exit(). */
void hkm_collect_report(const char *p, size_t n);
/* _exit(status) or _Exit is on its way (collect_end.c). */
void hkm_collect_exiting(int status);
/* The wait family reaped child pid with status (collect_end.c). */
void hkm_collect_child_reaped(int pid, int status);

/* The command line, arguments joined by spaces; length in *n (0 when unreadable). */
void hkm_read_cmdline(char *out, size_t cap, size_t *n);

#endif
