/* How densely freed runs were touched (see run_density.h). */
#include "config.h"

#include <stdatomic.h>

#include "os.h"
#include "run_density.h"

/* Runs measured before the first decision: every one of the first FIRST, then one in EVERY. */
#define FIRST 16
#define EVERY 16
/* The counts are halved when this many pages were seen: the estimate follows what the program does
 * lately. */
#define WINDOW ((size_t)16384)
/* No decision before this many pages were seen. */
#define MIN_SEEN ((size_t)256)
#define VEC 256 /* pages per mincore call (1 MiB) */

static _Atomic size_t fresh_frees;
/* Updated without a lock by whichever thread samples: two at once lose one's counts, no more. */
static _Atomic size_t touched, seen;

void hkm_run_density_note(const struct hkm_span *s) {
  size_t k = atomic_fetch_add_explicit(&fresh_frees, 1, memory_order_relaxed);
  if (k >= FIRST && k % EVERY) return;
  size_t pages = s->bytes / HKM_PAGE, got = 0;
  unsigned char vec[VEC];
  for (size_t i = 0; i < pages; i += VEC) {
    size_t n = pages - i < VEC ? pages - i : VEC;
    if (hkm_os_mincore((void *)(s->base + i * HKM_PAGE), n * HKM_PAGE, vec) != 0) return;
    for (size_t j = 0; j < n; j++) got += vec[j] & 1;
  }
  size_t t = atomic_load_explicit(&touched, memory_order_relaxed) + got;
  size_t all = atomic_load_explicit(&seen, memory_order_relaxed) + pages;
  if (all > WINDOW) {
    t /= 2;
    all /= 2;
  }
  atomic_store_explicit(&touched, t, memory_order_relaxed);
  atomic_store_explicit(&seen, all, memory_order_relaxed);
}

int hkm_runs_sparse(void) {
  size_t all = atomic_load_explicit(&seen, memory_order_relaxed);
  return all >= MIN_SEEN && atomic_load_explicit(&touched, memory_order_relaxed) * 4 < all;
}

void hkm_run_density_stats(size_t *t, size_t *all) {
  *t = atomic_load_explicit(&touched, memory_order_relaxed);
  *all = atomic_load_explicit(&seen, memory_order_relaxed);
}
