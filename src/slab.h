/* Slabs: spans cut into equal blocks, owned by one thread's heap. Tiny, L2 pool and L2.5 are all
 * slabs; they differ in size classes and slab length (sizeclass.c).
 *
 * In front of the slabs, each heap keeps a cache per class: a LIFO list of free blocks, from any
 * slab, whoever allocated them. free() pushes the block there and malloc() pops the most recently
 * freed one, still in the CPU's cache; a block another thread allocated costs no atomic operation
 * either. A cache that grows past its class's bound (sizeclass.c) goes back to the slabs, and the
 * thread's frees of that class go straight to their slabs until it allocates the class again (slab.c);
 * an empty one takes a batch from the class's slabs.
 *
 * Ownership: only the owning heap touches a slab's free list, used count and list links. Any other
 * thread returns blocks by pushing them on the slab's atomic remote list and bumping the owner's
 * remote_pending counter for that class, so the owner knows to look. A slab whose thread exited is
 * abandoned (owner NULL); the first thread that gives blocks back to it adopts it. */
#ifndef HKM_SLAB_H
#define HKM_SLAB_H

#include <stdatomic.h>
#include "compiler.h"
#include "sizeclass.h"
#include "types.h"

struct hkm_class_state {
  struct hkm_span *cur;     /* slab refills come from; the sentinel when none */
  struct hkm_span *partial; /* slabs with free blocks */
  struct hkm_span *full;    /* slabs that ran out (remote frees may be waiting on them) */
  _Atomic size_t remote_pending;
};

/* A heap's cache of one class. 16 bytes, so that class c's is at byte offset 16c, which the fast
 * paths read from a table (Tiny requests, sizeclass.h) or the slab (its coff). */
struct hkm_cache {
  struct hkm_block *head; /* free blocks, most recently freed first */
  int32_t room;           /* pushes left before the cache is over its bound; <= 0 in direct mode */
  uint32_t direct;        /* overflows since the last refill; 2 = direct mode (slab.c's hkm_slab_free_slow) */
};

struct hkm_heap {
  struct hkm_cache cache[HKM_NCLASSES]; /* first: the fast paths index it from the heap's address */
  struct hkm_class_state cls[HKM_NCLASSES];
  struct hkm_heap *next_free; /* heaps are recycled, never unmapped: remote frees may still count on them */
};

/* A heap with no cache and no room: a thread's fast paths see it before the thread has a heap, and
 * while profiling is on, so their ordinary slow exits are the only ones they need (heap.h). */
extern struct hkm_heap hkm_heap_none;
/* An always-empty slab, so the refill path needs no NULL test. */
extern struct hkm_span hkm_slab_sentinel;
/* Random per process: a free block's key is its address xor this. */
extern uintptr_t hkm_secret __attribute__((visibility("hidden")));

/* Whether p is the start of a block slab s has handed out (types.h: one multiplication). */
HKM_INLINE int hkm_slab_block_ok(const struct hkm_span *s, const void *p) {
  return ((uintptr_t)p - s->base) * s->mul < s->limit;
}

/* Refill h's empty cache of class c and take a block. site: the allocation's call site, remembered by
 * a slab when it carves fresh blocks for it. h is a real heap. */
void *hkm_slab_alloc_slow(struct hkm_heap *h, unsigned c, const void *site);
/* The free of b when the cache of its class had no room left (its room is already one below zero).
 * h is a real heap. */
void hkm_slab_free_slow(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b);
/* A block whose key says "free": report the double free and abort. */
HKM_COLD __attribute__((noreturn)) void hkm_slab_double_free(struct hkm_block *b);
/* Give up every slab of a heap whose thread is leaving (its cache first; empty slabs are released). */
void hkm_slab_abandon_all(struct hkm_heap *h);
/* The empty-slab budget (hkm_cfg.slab_keep_bytes) is the process's: each of n live heaps keeps up to
 * 1/n of it. Called by heap.c whenever n changes. */
void hkm_slab_share_keep(unsigned live_heaps);
/* Return the heap's cache to the slabs and release its empty slabs (malloc_trim); nonzero when any
 * slab went. */
int hkm_slab_trim(struct hkm_heap *h);
/* Prepare a fresh or recycled heap. */
void hkm_slab_heap_init(struct hkm_heap *h);
/* The orphan list's lock around fork (heap.c's handlers call these, inside the heaps' lock). */
void hkm_slab_fork_prepare(void);
void hkm_slab_fork_parent(void);
void hkm_slab_fork_child(void);

/* The fast paths' halves, written to stay in registers; everything rare is in the _slow functions.
 * The cache at byte offset off (16 x class) of heap h. */
HKM_INLINE struct hkm_cache *hkm_cache_at(struct hkm_heap *h, size_t off) {
  return (struct hkm_cache *)((char *)h + off);
}

/* Pop a block from h's cache at offset off, or NULL when it is empty. */
HKM_INLINE struct hkm_block *hkm_slab_pop(struct hkm_heap *h, size_t off) {
  struct hkm_cache *k = hkm_cache_at(h, off);
  struct hkm_block *b = k->head;
  if (hkm_likely(b != 0)) {
    k->head = b->next;
    k->room++;
    b->key = 0;
  }
  return b;
}

/* Push b (of slab s, past hkm_slab_block_ok) on h's cache: 1, or 0 when the cache has no room (its
 * room is then one below zero, as hkm_slab_free_slow expects). */
HKM_INLINE int hkm_slab_push(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  struct hkm_cache *k = hkm_cache_at(h, s->coff);
  if (hkm_unlikely(--k->room < 0)) return 0;
  uintptr_t key = (uintptr_t)b ^ hkm_secret;
  if (hkm_unlikely(b->key == key)) hkm_slab_double_free(b);
  b->key = key;
  b->next = k->head;
  k->head = b;
  return 1;
}

/* With a real heap h. */
HKM_INLINE void *hkm_slab_alloc(struct hkm_heap *h, unsigned c, const void *site) {
  struct hkm_block *b = hkm_slab_pop(h, (size_t)c * sizeof(struct hkm_cache));
  return hkm_likely(b != 0) ? b : hkm_slab_alloc_slow(h, c, site);
}

HKM_INLINE void hkm_slab_free(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  if (hkm_unlikely(!hkm_slab_push(h, s, b))) hkm_slab_free_slow(h, s, b);
}

#endif
