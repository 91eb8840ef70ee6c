/* Thread heaps. A heap is created on a thread's first allocation and handed back when the thread
 * exits: its empty slabs are released, the others abandoned for adoption (slab.c), and the heap
 * struct goes on a free list for the next new thread. */
#include "config.h"

#include <pthread.h>

#include "heap.h"
#include "init.h"
#include "meta.h"
#include "pages.h"
#include "prof.h"

HKM_TLS struct hkm_cache *hkm_tls_cache = hkm_cache_none;
HKM_TLS struct hkm_heap *hkm_tls_heap_owned;

static pthread_key_t heap_key;
static pthread_mutex_t heaps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hkm_heap *free_heaps;
static struct hkm_heap *all_heaps;
static unsigned live_heaps;

static void thread_exit(void *arg) {
  struct hkm_heap *h = arg;
  /* Later destructors may still allocate; they get a fresh heap and come back here (POSIX runs key
   * destructors again while values are set). */
  hkm_tls_cache = hkm_cache_none;
  hkm_tls_heap_owned = NULL;
  hkm_slab_abandon_all(h);
  hkm_pages_thread_exit();
  pthread_mutex_lock(&heaps_lock);
  h->next_free = free_heaps;
  free_heaps = h;
  live_heaps--;
  hkm_slab_share_keep(live_heaps);
  pthread_mutex_unlock(&heaps_lock);
}

void hkm_heap_init(void) { pthread_key_create(&heap_key, thread_exit); }

struct hkm_heap *hkm_heap_get_slow(void) {
  hkm_ensure_init();
  pthread_mutex_lock(&heaps_lock);
  struct hkm_heap *h = free_heaps;
  if (h) {
    free_heaps = h->next_free;
  } else if ((h = hkm_meta_alloc(sizeof *h))) {
    h->next_all = all_heaps;
    all_heaps = h;
  }
  if (h) hkm_slab_share_keep(++live_heaps);
  pthread_mutex_unlock(&heaps_lock);
  if (!h) return NULL;
  hkm_slab_heap_init(h);
  hkm_tls_heap_owned = h;
  hkm_heap_set_fast(h);
  pthread_setspecific(heap_key, h);
  return h;
}

void hkm_heap_set_fast(struct hkm_heap *h) {
  if (hkm_prof_enabled && !HKM_COUNTING && !h->shadow) {
    struct hkm_cache_view *v = hkm_meta_alloc(sizeof *v);
    if (v) {
      hkm_slab_shadow_reset(v);
      h->shadow = v; /* kept when the heap is recycled, emptied again then (hkm_slab_heap_init) */
    }
  }
  struct hkm_cache *k = hkm_heap_fast_caches(h);
  hkm_tls_cache = k;
  uintptr_t tid = hkm_slab_tag(k != h->cache);
  if (h->tid != tid) hkm_slab_retag(h, tid);
}

unsigned hkm_heap_live(void) { return live_heaps; }

void hkm_heap_fork_hold(void) { hkm_slab_lists_hold(hkm_tls_heap_owned); }
void hkm_heap_fork_let_go(void) { hkm_slab_lists_let_go(hkm_tls_heap_owned); }

void hkm_heap_fork_prepare(void) {
  pthread_mutex_lock(&heaps_lock);
  hkm_slab_fork_prepare();
}
void hkm_heap_fork_parent(void) {
  hkm_slab_fork_parent();
  pthread_mutex_unlock(&heaps_lock);
}
void hkm_heap_fork_child(void) {
  hkm_slab_fork_child();
  pthread_mutex_init(&heaps_lock, NULL);
  /* Only the forking thread lives on; other heaps' slabs stay with their dead owners (their blocks
   * can still be freed, through the remote lists). Their tags go: a thread the child starts may get a
   * dead thread's stack from glibc, and with it the thread pointer the tag is (slab.h), and would act
   * as the owner of a heap whose lists its thread may have been changing when the parent forked. */
  for (struct hkm_heap *h = all_heaps; h; h = h->next_all)
    if (h != hkm_tls_heap_owned) hkm_slab_fork_child_untag(h);
  /* A heap whose thread had exited may have been held by a thread collecting for it (slab.c), which
   * the child does not have: its lists are empty (its thread gave them up under the lock). */
  for (struct hkm_heap *h = free_heaps; h; h = h->next_free) hkm_slab_lists_let_go(h);
  hkm_heap_fork_let_go();
  live_heaps = hkm_tls_heap_owned ? 1 : 0;
  hkm_slab_share_keep(live_heaps);
}
