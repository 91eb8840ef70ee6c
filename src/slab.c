/* The slow side of slabs: refills, remote frees, adoption, release. See slab.h for ownership. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "options.h"
#include "prof.h"
#include "region.h"
#include "slab.h"

struct hkm_span hkm_slab_sentinel = {.kind = HKM_KIND_SLAB, .state = HKM_SLAB_CUR};
struct hkm_heap hkm_heap_nobody;
uintptr_t hkm_secret;

static const int refill_cat[3] = {HKM_CAT_TINY_REFILL, HKM_CAT_POOL_REFILL, HKM_CAT_L25_REFILL};

/* Doubly linked class lists (partial, full). */
static void list_push(struct hkm_span **head, struct hkm_span *s) {
  s->prev = NULL;
  s->next = *head;
  if (*head) (*head)->prev = s;
  *head = s;
}

static void list_unlink(struct hkm_span **head, struct hkm_span *s) {
  if (s->prev) s->prev->next = s->next; else *head = s->next;
  if (s->next) s->next->prev = s->prev;
  s->prev = s->next = NULL;
}

/* Move blocks other threads returned onto the owner's free list. Owner only. */
static int collect_remote(struct hkm_span *s) {
  struct hkm_block *b = atomic_exchange_explicit(&s->remote, NULL, memory_order_acquire);
  if (!b) return 0;
  uint32_t n = 1;
  struct hkm_block *t = b;
  while (t->next) {
    t = t->next;
    n++;
  }
  t->next = s->free;
  s->free = b;
  s->used -= n;
  return 1;
}

/* Cut never-used blocks off the slab's tail, about 16 KiB at a time so a barely used slab stays small
 * in RSS. */
static int carve(struct hkm_span *s, const void *site) {
  uint32_t left = (uint32_t)((s->bytes - s->carved) / s->bsize);
  if (!left) return 0;
  uint32_t n = 16384 / s->bsize;
  if (n == 0) n = 1;
  if (n > left) n = left;
  char *first = (char *)s->base + s->carved;
  for (uint32_t i = 0; i + 1 < n; i++) ((struct hkm_block *)(first + (size_t)i * s->bsize))->next = (struct hkm_block *)(first + (size_t)(i + 1) * s->bsize);
  ((struct hkm_block *)(first + (size_t)(n - 1) * s->bsize))->next = s->free;
  s->free = (struct hkm_block *)first;
  s->carved += n * s->bsize;
  /* Fresh blocks are where the program takes its first-touch page faults: remember who asked (an
   * approximation of per-block sites, which a headerless slab cannot keep). */
  s->site = site;
  return 1;
}

static int refill(struct hkm_span *s, const void *site) { return s->free || collect_remote(s) || carve(s, site); }

static void release(struct hkm_span *s) {
  atomic_store_explicit(&s->owner, &hkm_heap_nobody, memory_order_release);
  s->free = NULL;
  hkm_region_put(s);
}

static struct hkm_span *new_slab(struct hkm_heap *h, unsigned c) {
  const struct hkm_class *k = &hkm_classes[c];
  struct hkm_span *s = hkm_region_get(k->slab_bytes);
  if (!s) return NULL;
  s->free = NULL;
  s->used = 0;
  s->carved = 0;
  s->lead = 0; /* blocks start at multiples of bsize; a big block's lead must not outlive it */
  s->cls = (uint8_t)c;
  s->tier = k->tier;
  s->bsize = k->bsize;
  s->inv = k->inv;
  atomic_store_explicit(&s->remote, NULL, memory_order_relaxed);
  atomic_store_explicit(&s->owner, h, memory_order_release);
  s->kind = HKM_KIND_SLAB;
  return s;
}

/* Collect remote frees on full slabs after other threads said some arrived. */
static void scan_full(struct hkm_class_state *cs) {
  if (!atomic_load_explicit(&cs->remote_pending, memory_order_relaxed)) return;
  atomic_store_explicit(&cs->remote_pending, 0, memory_order_relaxed);
  atomic_thread_fence(memory_order_seq_cst);
  struct hkm_span *s = cs->full;
  while (s) {
    struct hkm_span *next = s->next;
    if (collect_remote(s)) {
      list_unlink(&cs->full, s);
      if (s->used == 0) {
        release(s);
      } else {
        s->state = HKM_SLAB_PARTIAL;
        list_push(&cs->partial, s);
      }
    }
    s = next;
  }
}

void *hkm_slab_alloc_slow(struct hkm_heap *h, unsigned c, const void *site) {
  HKM_TIME_START(t);
  struct hkm_class_state *cs = &h->cls[c];
  struct hkm_span *s = cs->cur;
  if (s != &hkm_slab_sentinel && !refill(s, site)) {
    s->state = HKM_SLAB_FULL;
    list_push(&cs->full, s);
    s = &hkm_slab_sentinel;
  }
  if (s == &hkm_slab_sentinel) {
    if (!cs->partial) scan_full(cs);
    if ((s = cs->partial) != NULL)
      list_unlink(&cs->partial, s);
    else if ((s = new_slab(h, c)) == NULL) {
      cs->cur = &hkm_slab_sentinel;
      errno = ENOMEM;
      HKM_TIME_END_AT(refill_cat[hkm_classes[c].tier], t);
      return NULL;
    }
    s->state = HKM_SLAB_CUR;
    cs->cur = s;
    refill(s, site);
  }
  struct hkm_block *b = s->free;
  s->free = b->next;
  s->used++;
  b->key = 0;
  HKM_TIME_END_AT(refill_cat[hkm_classes[c].tier], t);
  return b;
}

static unsigned keep_heaps = 1; /* heaps sharing hkm_cfg.slab_keep_bytes */

void hkm_slab_share_keep(unsigned live_heaps) {
  __atomic_store_n(&keep_heaps, live_heaps ? live_heaps : 1, __ATOMIC_RELAXED);
}

static int empty_l25(const struct hkm_span *p, const struct hkm_span *s) {
  return p && p != s && p != &hkm_slab_sentinel && p->tier == HKM_TIER_L25 && !p->used;
}

/* Whether the heap may keep s, an empty L2.5 slab (its class's current slab, or its only partial one):
 * its 1-4 MiB are resident, and a class with a block or two live (the common case for blocks this big)
 * would otherwise release and refill a slab every few frees, refaulting it whenever the region cache
 * had to drop it meanwhile (wl_large: 2,695 slab releases and 667k page faults in 60k frees; kept, 390
 * and 94k). The empty L2.5 slabs a heap keeps stay within its share of the mode's budget (32 MiB
 * balanced, 64 fast, none minimal; a single thread's share fits one empty slab for each L2.5 class). */
static int keep_empty(struct hkm_heap *h, const struct hkm_span *s) {
  size_t kept = s->bytes;
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    if (empty_l25(h->cls[c].partial, s)) kept += h->cls[c].partial->bytes;
    if (empty_l25(h->cls[c].cur, s)) kept += h->cls[c].cur->bytes;
  }
  return kept <= hkm_cfg.slab_keep_bytes / __atomic_load_n(&keep_heaps, __ATOMIC_RELAXED);
}

void hkm_slab_free_slow(struct hkm_heap *h, struct hkm_span *s) {
  struct hkm_class_state *cs = &h->cls[s->cls];
  if (s->state == HKM_SLAB_FULL) {
    list_unlink(&cs->full, s);
    s->state = HKM_SLAB_PARTIAL;
    list_push(&cs->partial, s);
  }
  if (s->used == 0 && s->state == HKM_SLAB_PARTIAL &&
      (s->tier != HKM_TIER_L25 || cs->partial != s || s->next || !keep_empty(h, s))) {
    list_unlink(&cs->partial, s);
    release(s);
  } else if (s->used == 0 && s == cs->cur && s->tier == HKM_TIER_L25 && !keep_empty(h, s)) {
    cs->cur = &hkm_slab_sentinel; /* the next allocation of the class refills */
    release(s);
  }
}

/* Take an abandoned slab into heap h (we just won the owner CAS). */
static void adopt(struct hkm_heap *h, struct hkm_span *s) {
  collect_remote(s);
  if (s->used == 0) {
    release(s);
    return;
  }
  struct hkm_class_state *cs = &h->cls[s->cls];
  if (s->free) {
    s->state = HKM_SLAB_PARTIAL;
    list_push(&cs->partial, s);
  } else {
    s->state = HKM_SLAB_FULL;
    list_push(&cs->full, s);
  }
}

void hkm_slab_free_remote(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  HKM_TIME_START(t);
  struct hkm_block *old = atomic_load_explicit(&s->remote, memory_order_relaxed);
  do {
    b->next = old;
  } while (!atomic_compare_exchange_weak_explicit(&s->remote, &old, b, memory_order_seq_cst, memory_order_relaxed));
  /* Dekker with abandon_slab(): it stores owner = NULL then reads remote; we wrote remote, now read
   * owner. One of us sees the other, so no block is left behind on an ownerless slab. */
  struct hkm_heap *o = atomic_load_explicit(&s->owner, memory_order_seq_cst);
  if (o == NULL && atomic_compare_exchange_strong(&s->owner, &o, h))
    adopt(h, s);
  else if (o)
    atomic_fetch_add_explicit(&o->cls[s->cls].remote_pending, 1, memory_order_relaxed);
  HKM_TIME_END(REMOTE_FREE, t);
}

HKM_COLD void hkm_slab_free_suspect(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  /* The key matched: almost surely a double free. The owner can prove it by finding the block on
   * its lists; another thread cannot walk them safely and trusts the key. */
  if (atomic_load_explicit(&s->owner, memory_order_relaxed) == h) {
    int found = 0;
    for (struct hkm_block *f = s->free; f && !found; f = f->next) found = f == b;
    for (struct hkm_block *f = atomic_load(&s->remote); f && !found; f = f->next) found = f == b;
    if (!found) { /* user data that happened to equal the key */
      hkm_slab_free_unchecked(h, s, b, (uintptr_t)b ^ hkm_secret);
      return;
    }
  }
  hkm_fatal("free(): double free of %p", (void *)b);
  abort();
}

static void abandon_slab(struct hkm_heap *h, struct hkm_span *s) {
  for (;;) {
    collect_remote(s);
    if (s->used == 0) {
      release(s);
      return;
    }
    s->state = HKM_SLAB_ABANDONED;
    atomic_store_explicit(&s->owner, NULL, memory_order_seq_cst);
    if (!atomic_load_explicit(&s->remote, memory_order_seq_cst)) return;
    struct hkm_heap *expect = NULL;
    if (!atomic_compare_exchange_strong(&s->owner, &expect, h)) return; /* another thread adopted it */
  }
}

/* malloc_trim: the empty slabs the heap keeps (one per L2.5 class, see hkm_slab_free_slow) go back. */
int hkm_slab_trim(struct hkm_heap *h) {
  int any = 0;
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    struct hkm_class_state *cs = &h->cls[c];
    for (struct hkm_span *s = cs->partial, *next; s; s = next) {
      next = s->next;
      collect_remote(s);
      if (s->used) continue;
      list_unlink(&cs->partial, s);
      release(s);
      any = 1;
    }
    struct hkm_span *s = cs->cur;
    if (s != &hkm_slab_sentinel && (collect_remote(s), !s->used)) {
      cs->cur = &hkm_slab_sentinel;
      release(s);
      any = 1;
    }
  }
  return any;
}

void hkm_slab_abandon_all(struct hkm_heap *h) {
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    struct hkm_class_state *cs = &h->cls[c];
    if (cs->cur != &hkm_slab_sentinel) abandon_slab(h, cs->cur);
    cs->cur = &hkm_slab_sentinel;
    struct hkm_span *s;
    while ((s = cs->partial) != NULL) {
      list_unlink(&cs->partial, s);
      abandon_slab(h, s);
    }
    while ((s = cs->full) != NULL) {
      list_unlink(&cs->full, s);
      abandon_slab(h, s);
    }
  }
}

void hkm_slab_heap_init(struct hkm_heap *h) {
  for (unsigned c = 0; c < HKM_NCLASSES; c++) {
    h->cls[c].cur = &hkm_slab_sentinel;
    h->cls[c].partial = h->cls[c].full = NULL;
    atomic_store_explicit(&h->cls[c].remote_pending, 0, memory_order_relaxed);
  }
}

/* Whether block b of slab s, whose key says "free", is free: its owner (h) finds it on the slab's
 * lists; another thread cannot walk them safely and trusts the key. For realloc and
 * malloc_usable_size, which must not act on a freed block (hakmem.c). */
int hkm_slab_block_freed(struct hkm_heap *h, struct hkm_span *s, const struct hkm_block *b) {
  if (atomic_load_explicit(&s->owner, memory_order_relaxed) != h) return 1;
  for (struct hkm_block *f = s->free; f; f = f->next)
    if (f == b) return 1;
  for (struct hkm_block *f = atomic_load(&s->remote); f; f = f->next)
    if (f == b) return 1;
  return 0;
}
