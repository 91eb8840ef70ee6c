/* liburing, as the release helper calls it. The shared library loads liburing.so.2 when the helper
 * first starts with the uring backend instead of linking it: linked, its pages cost every process
 * 24 KiB of RSS, whether it ever released anything or not (RESULTS.md "liburing on first use").
 * libhakmem.a calls it directly (a static program cannot rely on dlopen; hakmem.pc's Libs.private
 * names -luring). */
#ifndef HKM_URING_H
#define HKM_URING_H

#include "config.h"

#if HKM_HAVE_URING
#include <liburing.h>

/* io_uring_queue_init with no flags: 0, or a negative errno with *why saying what failed (liburing
 * not loadable, or the kernel refusing the ring). Called by the helper thread only. */
int hkm_uring_queue_init(unsigned depth, struct io_uring *ring, const char **why);
int hkm_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr);
/* io_uring_wait_cqe. */
int hkm_uring_wait_cqe(struct io_uring *ring, struct io_uring_cqe **cqe);
#endif

#endif
