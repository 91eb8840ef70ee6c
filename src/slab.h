/* Slabs: spans cut into equal blocks, owned by one thread's heap. Tiny, L2 pool and L2.5 are all
 * slabs; they differ in size classes and slab length (sizeclass.c).
 *
 * Ownership: only the owning heap touches a slab's free list, used count and list links. Any other
 * thread returns a block by pushing it on the slab's atomic remote list and bumping the owner's
 * remote_pending counter for that class, so the owner knows to look. A slab whose thread exited is
 * abandoned (owner NULL); the first thread that frees into it adopts it. */
#ifndef HKM_SLAB_H
#define HKM_SLAB_H

#include <stdatomic.h>
#include "compiler.h"
#include "sizeclass.h"
#include "types.h"

struct hkm_class_state {
  struct hkm_span *cur;     /* slab allocations come from; the sentinel when none */
  struct hkm_span *partial; /* slabs with free blocks */
  struct hkm_span *full;    /* slabs that ran out (remote frees may be waiting on them) */
  _Atomic size_t remote_pending;
};

struct hkm_heap {
  struct hkm_class_state cls[HKM_NCLASSES];
  struct hkm_heap *next_free; /* heaps are recycled, never unmapped: remote frees may still count on them */
};

/* An always-empty slab, so the fast path needs no NULL test. */
extern struct hkm_span hkm_slab_sentinel;
/* Random per process: a free block's key is its address xor this. */
extern uintptr_t hkm_secret;

/* site: the allocation's call site, remembered by a slab when it carves fresh blocks for it. */
void *hkm_slab_alloc_slow(struct hkm_heap *h, unsigned c, const void *site);
void hkm_slab_free_slow(struct hkm_heap *h, struct hkm_span *s);
void hkm_slab_free_remote(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b);
/* A block whose key says "free": abort on a real double free, else free it. */
HKM_COLD void hkm_slab_free_suspect(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b);
/* Give up every slab of a heap whose thread is leaving (empty ones are released). */
void hkm_slab_abandon_all(struct hkm_heap *h);
/* The empty-slab budget (hkm_cfg.slab_keep_bytes) is the process's: each of n live heaps keeps up to
 * 1/n of it. Called by heap.c whenever n changes. */
void hkm_slab_share_keep(unsigned live_heaps);
/* Release the heap's empty slabs (malloc_trim); nonzero when there were any. */
int hkm_slab_trim(struct hkm_heap *h);
/* Prepare a fresh or recycled heap. */
void hkm_slab_heap_init(struct hkm_heap *h);
/* Whether block b of slab s, whose key says "free", is free (b's owner h checks its lists). */
int hkm_slab_block_freed(struct hkm_heap *h, struct hkm_span *s, const struct hkm_block *b);

/* The fast paths: written to stay in registers; everything rare is in the _slow functions. */
HKM_INLINE void *hkm_slab_alloc(struct hkm_heap *h, unsigned c, const void *site) {
  struct hkm_span *s = h->cls[c].cur;
  struct hkm_block *b = s->free;
  if (hkm_likely(b != 0)) {
    s->free = b->next;
    s->used++;
    b->key = 0;
    return b;
  }
  return hkm_slab_alloc_slow(h, c, site);
}

/* The free after the double-free test, key = the block's free mark. */
HKM_INLINE void hkm_slab_free_unchecked(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b, uintptr_t key) {
  b->key = key;
  if (hkm_likely(atomic_load_explicit(&s->owner, memory_order_relaxed) == h)) {
    b->next = s->free;
    s->free = b;
    if (hkm_unlikely(--s->used == 0 || s->state == HKM_SLAB_FULL)) hkm_slab_free_slow(h, s);
  } else {
    hkm_slab_free_remote(h, s, b);
  }
}

/* Every call out of here is a tail call (a suspected double free finishes the free itself), so the
 * inlined free needs no stack frame and saves no registers. */
HKM_INLINE void hkm_slab_free(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  uintptr_t key = (uintptr_t)b ^ hkm_secret;
  if (hkm_unlikely(b->key == key)) {
    hkm_slab_free_suspect(h, s, b);
    return;
  }
  hkm_slab_free_unchecked(h, s, b, key);
}

#endif
