/* Initialization and fork handling.
 *
 * Nothing here allocates through libc: no dlsym, no stdio. A call that re-enters malloc from inside
 * init (pthread_atfork may) is served normally; the size classes are ready before anything that could
 * re-enter runs, and the other settings fall back to their zero values for that one call. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "alloc_slots.h"
#include "bigcache.h"
#include "collect.h"
#include "hakmem.h"
#include "heap.h"
#include "induced.h"
#include "init.h"
#include "learn.h"
#include "meta.h"
#include "options.h"
#include "pagemap.h"
#include "pages.h"
#include "pmu.h"
#include "prof.h"
#include "prof_sites.h"
#include "reclaim.h"
#include "report.h"
#include "region.h"
#include "sitecache.h"
#include "sizeclass.h"
#include "text_trim.h"
#include "trim.h"
#include "whale.h"

/* glibc's pthread_atfork is a stub in libc_nonshared.a that does only this; the linker puts it after all
 * of the library's text, where calling it would map the last 64 KiB of it, which a process that
 * neither profiles nor learns otherwise need not map (src/local.mk). */
#ifdef HAVE___REGISTER_ATFORK
extern void *__dso_handle;
extern int __register_atfork(void (*)(void), void (*)(void), void (*)(void), void *);
#define register_atfork(prepare, parent, child) __register_atfork(prepare, parent, child, __dso_handle)
#define register_atfork_fn __register_atfork
#else
#define register_atfork pthread_atfork
#define register_atfork_fn NULL
#endif

enum { INIT_NONE, INIT_RUNNING, INIT_DONE };
static _Atomic int init_state;
static HKM_TLS int in_init;

/* Lock order: the learner, reclaim's batch, heaps, bigcache, whale, the site cache, page runs, region, page map,
 * meta (region takes the page map's and meta's locks inside its own; a reclaim batch may take meta's;
 * the site cache's decay puts spans in the region cache under its lock). */
static void fork_prepare(void) {
  hkm_heap_fork_hold();
  hkm_learn_fork_prepare();
  hkm_reclaim_fork_prepare();
  hkm_heap_fork_prepare();
  hkm_bigcache_fork_prepare();
  hkm_whale_fork_prepare();
  hkm_sitecache_fork_prepare();
  hkm_pages_fork_prepare();
  hkm_region_fork_prepare();
  hkm_pagemap_fork_prepare();
  hkm_meta_fork_prepare();
}

static void fork_parent(void) {
  hkm_meta_fork_parent();
  hkm_pagemap_fork_parent();
  hkm_region_fork_parent();
  hkm_pages_fork_parent();
  hkm_sitecache_fork_parent();
  hkm_whale_fork_parent();
  hkm_bigcache_fork_parent();
  hkm_heap_fork_parent();
  hkm_reclaim_fork_parent();
  hkm_learn_fork_parent();
  hkm_heap_fork_let_go();
}

static void fork_child(void) {
  hkm_meta_fork_child();
  hkm_pagemap_fork_child();
  hkm_region_fork_child();
  hkm_pages_fork_child();
  hkm_sitecache_fork_child();
  hkm_whale_fork_child();
  hkm_bigcache_fork_child();
  hkm_heap_fork_child();
  hkm_reclaim_fork_child();
  hkm_induced_fork_child();
  hkm_prof_sites_reset();
  hkm_learn_fork_child();
}

static HKM_COLD void init_slow(void) {
  if (in_init) return;
  int expected = INIT_NONE;
  if (!atomic_compare_exchange_strong(&init_state, &expected, INIT_RUNNING)) {
    while (atomic_load_explicit(&init_state, memory_order_acquire) != INIT_DONE) sched_yield();
    return;
  }
  in_init = 1;
  hkm_pagemap_init();
  hkm_sizeclass_init();
  hkm_slab_init();
  hkm_text_trim(); /* after the size classes: a sanitizer's first report in it would allocate */
  hkm_config_load();
  hkm_heap_init();
  hkm_whale_init();
  hkm_bigcache_init();
  hkm_region_init();
  hkm_trim_init();
  if (hkm_cfg.timing && !HKM_ENABLE_TIMING && !hkm_cfg.timing_quiet)
    hkm_warn("HAKMEM_TIMING=1 ignored: this hakmem was built with --disable-timing");
  hkm_prof_init(hkm_cfg.timing, hkm_cfg.timing_sample);
  hkm_alloc_slots_init();
  hkm_collect_init();
  /* The modules only profiling and learning use are not entered otherwise, not even to find out that
   * they are off: their text lies after the code every process runs, in pages a process that does
   * neither need not map (src/local.mk). */
  if (hkm_cfg.timing) hkm_report_init();
  if (hkm_cfg.learn || hkm_cfg.learn_force) hkm_learn_init();
  struct hkm_text_window w;
  hkm_text_window_open(&w, (const void *)register_atfork_fn);
  register_atfork(fork_prepare, fork_parent, fork_child);
  hkm_text_window_close(&w);
  in_init = 0;
  atomic_store_explicit(&init_state, INIT_DONE, memory_order_release);
  /* After init is done and outside every lock: libpfm4 and pthread_create allocate, which is served
   * normally from here on. */
  if (hkm_cfg.pmu) hkm_pmu_init();
  if (hkm_cfg.pmu_faults) hkm_induced_init();
  hkm_prof_arm();
  /* This thread may have got its heap while libpfm4 started; with profiling on, its fast paths must
   * take the timed exits like every other thread's (heap.h). */
  if (hkm_tls_heap_owned) hkm_heap_set_fast(hkm_tls_heap_owned);
}

void hkm_ensure_init(void) {
  if (hkm_likely(atomic_load_explicit(&init_state, memory_order_acquire) == INIT_DONE)) return;
  init_slow();
}

/* Read the environment (and warn about it) even in a program that never allocates. */
__attribute__((constructor)) static void hkm_constructor(void) { hkm_ensure_init(); }

/* The exit report is a destructor in report.c, which nothing else refers to: a program linked with
 * libhakmem.a (static or not) would leave report.o, and so its report, out of the link. */
__attribute__((used)) static void (*const keep_exit_report)(FILE *, int) = hak_prof_report;
