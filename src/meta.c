/* Metadata memory: a bump allocator over 1 MiB mappings plus a free list of span descriptors. */
#include "config.h"

#include <string.h>

#include "compiler.h"
#include "lock.h"
#include "meta.h"
#include "os.h"

#define META_CHUNK ((size_t)1 << 20)

static struct hkm_lock meta_lock = HKM_LOCK_INIT;
static char *meta_cur, *meta_end;
static struct hkm_span *span_free_list;

static void *bump(size_t bytes) {
  bytes = (bytes + HKM_CACHELINE - 1) & ~(size_t)(HKM_CACHELINE - 1);
  if (!meta_cur || (size_t)(meta_end - meta_cur) < bytes) {
    size_t chunk = bytes > META_CHUNK ? hkm_round_up(bytes, HKM_PAGE) : META_CHUNK;
    char *c = hkm_os_map(chunk);
    if (!c) return NULL;
    meta_cur = c;
    meta_end = c + chunk;
  }
  void *p = meta_cur;
  meta_cur += bytes;
  return p;
}

void *hkm_meta_alloc(size_t bytes) {
  hkm_lock(&meta_lock);
  void *p = bump(bytes);
  hkm_unlock(&meta_lock);
  return p; /* fresh mappings are zero */
}

struct hkm_span *hkm_meta_span_new(void) {
  hkm_lock(&meta_lock);
  struct hkm_span *s = span_free_list;
  if (s)
    span_free_list = s->next;
  else
    s = bump(sizeof *s);
  hkm_unlock(&meta_lock);
  if (s) {
    /* owner is written atomically: a stale remote free may be reading it (types.h) */
    memset(s, 0, offsetof(struct hkm_span, owner));
    atomic_store_explicit(&s->owner, &hkm_heap_nobody, memory_order_relaxed);
    atomic_store_explicit(&s->remote, NULL, memory_order_relaxed);
    memset(&s->next, 0, sizeof *s - offsetof(struct hkm_span, next));
  }
  return s;
}

void hkm_meta_span_free(struct hkm_span *s) {
  s->kind = HKM_KIND_FREE;
  hkm_lock(&meta_lock);
  s->next = span_free_list;
  span_free_list = s;
  hkm_unlock(&meta_lock);
}

void hkm_meta_fork_prepare(void) { hkm_lock(&meta_lock); }
void hkm_meta_fork_parent(void) { hkm_unlock(&meta_lock); }
void hkm_meta_fork_child(void) { hkm_lock_reset(&meta_lock); }
