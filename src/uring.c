/* liburing on first use (see uring.h). */
#include "config.h"

#if HKM_HAVE_URING
#include <errno.h>
#include <stdio.h>

#include "compiler.h"
#include "uring.h"

#if defined(PIC)
#include <dlfcn.h>

static int (*p_init)(unsigned, struct io_uring *, unsigned);
static int (*p_submit_and_wait)(struct io_uring *, unsigned);
static int (*p_get_cqe)(struct io_uring *, struct io_uring_cqe **, unsigned, unsigned, sigset_t *);
static HKM_COLD_BSS char load_error[160];
/* The names in .data: a program that starts the release helper would otherwise map the library's
 * read-only segment in for them (options.c, hkm_cfg's initializer). */
static char soname[] HKM_DATA = HKM_URING_SONAME;
static char sym_submit[] HKM_DATA = "io_uring_submit_and_wait";
static char sym_get_cqe[] HKM_DATA = "__io_uring_get_cqe"; /* what liburing.h's io_uring_wait_cqe calls */
static char sym_init[] HKM_DATA = "io_uring_queue_init";

static int load(void) {
  if (p_init) return 0;
  void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (h) {
    *(void **)&p_submit_and_wait = dlsym(h, sym_submit);
    *(void **)&p_get_cqe = dlsym(h, sym_get_cqe);
    if (p_submit_and_wait && p_get_cqe) *(void **)&p_init = dlsym(h, sym_init);
  }
  if (!p_init) {
    const char *e = dlerror();
    snprintf(load_error, sizeof load_error, "cannot load %s: %s", HKM_URING_SONAME, e ? e : "symbol missing");
    return -1;
  }
  return 0;
}

int hkm_uring_queue_init(unsigned depth, struct io_uring *ring, const char **why) {
  if (load() != 0) {
    *why = load_error;
    return -ENOSYS;
  }
  int r = p_init(depth, ring, 0);
  if (r < 0) *why = "io_uring_queue_init failed";
  return r;
}

int hkm_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr) { return p_submit_and_wait(ring, wait_nr); }

int hkm_uring_wait_cqe(struct io_uring *ring, struct io_uring_cqe **cqe) { return p_get_cqe(ring, cqe, 0, 1, NULL); }

#else /* libhakmem.a */

int hkm_uring_queue_init(unsigned depth, struct io_uring *ring, const char **why) {
  int r = io_uring_queue_init(depth, ring, 0);
  if (r < 0) *why = "io_uring_queue_init failed";
  return r;
}

int hkm_uring_submit_and_wait(struct io_uring *ring, unsigned wait_nr) { return io_uring_submit_and_wait(ring, wait_nr); }

int hkm_uring_wait_cqe(struct io_uring *ring, struct io_uring_cqe **cqe) { return io_uring_wait_cqe(ring, cqe); }
#endif
#endif
