/* Slabs: spans cut into equal blocks, owned by one thread's heap. Tiny, L2 pool and L2.5 are all
 * slabs; they differ in size classes and slab length (sizeclass.c).
 *
 * In front of its slabs, each heap keeps a cache per class: a LIFO list of free blocks of its own
 * slabs. free() pushes the block there and malloc() pops the most recently freed one, still in the
 * CPU's cache. A cache that grows past its class's bound (sizeclass.c) goes back to the slabs, and the
 * thread's frees of that class go straight to their slabs until it allocates the class again (slab.c);
 * an empty one takes a batch from the class's slabs. A block of another heap's slab goes back to that
 * slab at once: kept in the freeing thread's cache, it would be handed out there next to its
 * neighbours still in use by the owner (wl_falseshare ran 1.5x glibc's time that way).
 *
 * Ownership: only the owning heap touches a slab's free list, used count and list links. Any other
 * thread returns blocks by pushing them on the slab's atomic remote list and, when that list was
 * empty, bumping the owner's remote_pending counter for that class, so the owner knows to look. A
 * slab whose thread exited is abandoned (owner NULL); the first thread that gives blocks back to it
 * adopts it. An owner that keeps running but stops allocating a class (a thread that filled a table
 * and waits, one that is about to exit) would never look: the thread that gives back the last block
 * of a slab the owner had not got back collects the class for it once it has left the class alone for
 * a while, under the heap's lists lock, which the owner holds in its slow paths, and releases the
 * slabs that emptied (slab.c). */
#ifndef HKM_SLAB_H
#define HKM_SLAB_H

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include "compiler.h"
#include "sizeclass.h"
#include "types.h"

struct hkm_class_state {
  struct hkm_span *cur;     /* slab refills come from; the sentinel when none */
  struct hkm_span *partial; /* slabs with free blocks */
  struct hkm_span *full;    /* slabs that ran out (remote frees may be waiting on them) */
  _Atomic size_t remote_pending;
  /* the head of the heap's cache of the class as another thread last saw it change, and when (slab.c,
   * collect_for) */
  _Atomic(struct hkm_block *) seen_head;
  _Atomic uint64_t seen_ns;
};

/* A heap's cache of one class. 16 bytes, so that class c's is at byte offset 16c in a heap's array,
 * which malloc reads from a table (Tiny requests, sizeclass.h); free finds it in the slab (okc). */
struct hkm_cache {
  struct hkm_block *head; /* free blocks, most recently freed first */
  int32_t room;           /* pushes left before the cache is over its bound (a batch in direct mode) */
  uint32_t direct;        /* overflows since the last refill; 2 = direct mode (slab.c's hkm_slab_free_slow) */
};

/* Every cache array a thread's fast paths may see (heap.h) is followed by a Tiny table
 * (hkm_sizeclass_tiny_table, sizeclass.h), so that malloc reads a Tiny request's offset relative to
 * the array pointer it loads anyway: code in a shared library cannot index a global table by a
 * register without first loading the table's address, one instruction more. */
struct hkm_cache_view {
  struct hkm_cache cache[HKM_NCLASSES];
  uint16_t tiny_off[HKM_TINY_MAX + 1];
};
#define HKM_VIEW_TINY offsetof(struct hkm_cache_view, tiny_off)

struct hkm_heap {
  struct hkm_cache cache[HKM_NCLASSES];
  uint16_t cache_tiny[HKM_TINY_MAX + 1]; /* the table after cache (hkm_cache_view) */
  /* What the fast paths see instead of cache while profiling is on (heap.h): always empty and without
   * room, so that every call leaves through their slow exits; the thread's own lines, as the counts
   * the failed pushes leave in them need not be shared. Metadata memory, made the first time the
   * heap's thread profiles (heap.c): 2.7 KiB that a heap which never profiles no longer carries (the
   * heap was 7.6 KiB, two pages). */
  struct hkm_cache_view *shadow;
  struct hkm_class_state cls[HKM_NCLASSES];
  struct hkm_heap *next_free; /* heaps are recycled, never unmapped: remote frees may still count on them */
  struct hkm_heap *next_all;  /* every heap ever made (heap.c's fork handler walks them) */
  uintptr_t tid;              /* the tag its slabs carry (hkm_slab_mine) */
  /* Who works on cls[] and the lists and free lists of the heap's slabs: 0 nobody, 1 the owner thread,
   * 2 another thread collecting the remote frees for it (slab.c, collect_for), which only ever tries. */
  _Atomic uint32_t lists;
};
_Static_assert(offsetof(struct hkm_heap, cache_tiny) - offsetof(struct hkm_heap, cache) == HKM_VIEW_TINY,
               "a heap's cache array is laid out as a struct hkm_cache_view");

/* Caches that are always empty and without room: a thread's fast paths see them until the thread has
 * a heap (heap.h). Their table is filled by hkm_slab_init; until then it is zero, which sends every
 * request to class 0's cache, as empty, and the slow exit works from the size. */
extern struct hkm_cache_view hkm_none_view;
#define hkm_cache_none (hkm_none_view.cache)

/* The offset of a Tiny request of n bytes, 0 <= n <= HKM_TINY_MAX, read after the cache array k a
 * thread's fast paths see. */
HKM_INLINE size_t hkm_view_tiny_off(const struct hkm_cache *k, size_t n) {
  return *(const uint16_t *)((const char *)k + HKM_VIEW_TINY + n * sizeof(uint16_t));
}
/* An always-empty slab, so the refill path needs no NULL test. */
extern struct hkm_span hkm_slab_sentinel;
/* What a free block of slab s holds in its key word: the address of s's descriptor, which no program
 * is handed (descriptors live out of band), the same whichever heap owns or adopts the slab, and
 * already in a register where a free checks it (two instructions fewer than the block's address xor a
 * secret). Never zero, so a zeroed block is never mistaken for a freed one. */
HKM_INLINE uintptr_t hkm_slab_key(const struct hkm_span *s) { return (uintptr_t)s; }

/* Whether p is the start of a block slab s has handed out (types.h: one multiplication). */
HKM_INLINE int hkm_slab_block_ok(const struct hkm_span *s, const void *p) {
  return ((uintptr_t)p - s->base) * s->mul < s->limit;
}

/* Refill h's empty cache of class c and take a block. site: the allocation's call site, remembered by
 * a slab when it carves fresh blocks for it. h is a real heap. */
void *hkm_slab_alloc_slow(struct hkm_heap *h, unsigned c, const void *site);
/* The free of b when the cache of its class had no room left (its room is already one below zero).
 * h is a real heap, b's slab is h's. */
void hkm_slab_free_slow(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b);
/* The free of b, whose slab another heap owns (or none, abandoned): straight back to it. */
void hkm_slab_free_remote(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b);
/* A block found free already (a slab block whose key says "free", a free page run, a large block's
 * span): report the double free and abort. */
HKM_COLD __attribute__((noreturn)) void hkm_double_free(const void *p);
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
/* Empty a shadow view (struct hkm_heap's shadow): no blocks, no room, the Tiny table. */
void hkm_slab_shadow_reset(struct hkm_cache_view *v);
/* Fill hkm_none_view's table (after hkm_sizeclass_init). */
void hkm_slab_init(void);
/* The orphan list's lock around fork (heap.c's handlers call these, inside the heaps' lock). */
void hkm_slab_fork_prepare(void);
void hkm_slab_fork_parent(void);
void hkm_slab_fork_child(void);
/* The calling thread's heap h held around fork (init.c takes it before any other lock, so that no thread
 * collecting for h is left holding it in the child), and let go in the parent and the child. */
void hkm_slab_lists_hold(struct hkm_heap *h);
void hkm_slab_lists_let_go(struct hkm_heap *h);
/* Whether block b of slab s, whose key says "free", is free (b's owner h checks its lists). */
int hkm_slab_block_freed(struct hkm_heap *h, struct hkm_span *s, const struct hkm_block *b);

/* The fast paths' halves, written to stay in registers; everything rare is in the _slow functions.
 * k is a heap's cache array (or what stands for it, heap.h), off a class's byte offset in it.
 * Pop a block from the cache at offset off, or NULL when it is empty. */
HKM_INLINE struct hkm_block *hkm_slab_pop(struct hkm_cache *k, size_t off) {
  struct hkm_block *b = ((struct hkm_cache *)((char *)k + off))->head;
  if (hkm_likely(b != 0)) {
    struct hkm_block *next = b->next;
    /* Hidden from GCC here, so that it addresses the cache as k + off in each access instead of
     * computing that sum into a register first (one instruction fewer). */
    __asm__("" : "+r"(off));
    *(struct hkm_block **)((char *)k + off + offsetof(struct hkm_cache, head)) = next;
    ++*(int32_t *)((char *)k + off + offsetof(struct hkm_cache, room));
    b->key = 0;
  }
  return b;
}

/* Push b (of slab s, past hkm_slab_block_ok, s owned by the calling thread's heap) on its class's
 * cache there: 1, or 0 when that cache has no room (its room is then one below zero, as
 * hkm_slab_free_slow expects). */
HKM_INLINE int hkm_slab_push(struct hkm_span *s, struct hkm_block *b) {
  struct hkm_cache *kc = s->okc;
  if (hkm_unlikely(--kc->room < 0)) return 0;
  uintptr_t key = hkm_slab_key(s);
  if (hkm_unlikely(b->key == key)) hkm_double_free(b);
  b->key = key;
  b->next = kc->head;
  kc->head = b;
  return 1;
}

/* With a real heap h. */
HKM_INLINE void *hkm_slab_alloc(struct hkm_heap *h, unsigned c, const void *site) {
  struct hkm_block *b = hkm_slab_pop(h->cache, (size_t)c * sizeof(struct hkm_cache));
  return hkm_likely(b != 0) ? b : hkm_slab_alloc_slow(h, c, site);
}

/* The calling thread's pointer (%fs:0 on x86-64), which the free fast path compares with a slab's tag
 * in one instruction, where a thread-local variable takes two (its offset from the GOT, then the
 * load). */
HKM_INLINE uintptr_t hkm_thread_self(void) {
#if defined(__has_builtin)
#if __has_builtin(__builtin_thread_pointer)
#define HKM_HAVE_THREAD_POINTER 1
#endif
#endif
#ifdef HKM_HAVE_THREAD_POINTER
  return (uintptr_t)__builtin_thread_pointer();
#else
  uintptr_t tp;
  __asm__("mov %%fs:0, %0" : "=r"(tp));
  return tp;
#endif
}

/* The tag a heap's slabs carry, set by its thread (heap.c): the thread's pointer, or that plus one
 * while its fast paths see other caches than the heap's (profiling, heap.h), which no thread's pointer
 * equals, so that every free then leaves the fast path for the profiled exits. */
HKM_INLINE uintptr_t hkm_slab_tag(int other_caches) { return hkm_thread_self() | (other_caches ? 1 : 0); }

/* Whether the calling thread may push a block of s on s->okc: s carries its heap's tag. Only a heap's
 * own thread writes its tag into its slabs (new, adopted, retagged; cleared when it lets a slab go),
 * so no other live thread's pointer matches it. A thread that inherits the pointer of one that died
 * without letting go (its destructors gave up, or a fork left it behind) acts as that heap's owner,
 * which nobody else is. */
HKM_INLINE int hkm_slab_mine(const struct hkm_span *s) { return s->otid == hkm_thread_self(); }

/* The heap whose cache of s's class s->okc is. */
HKM_INLINE struct hkm_heap *hkm_slab_okc_heap(const struct hkm_span *s) {
  return (struct hkm_heap *)(void *)(s->okc - s->cls);
}

/* Give every slab of h (its thread calls this) the tag tid. */
void hkm_slab_retag(struct hkm_heap *h, uintptr_t tid);
/* In a fork child, clear the tags of a heap whose thread did not follow the fork, without its lists
 * lock, which that thread or one collecting for it may have held when the parent forked. */
void hkm_slab_fork_child_untag(struct hkm_heap *h);

/* Whether s is owned by the heap whose cache array is k (a heap's caches come first in it; the arrays
 * fast paths see while a thread has no heap or profiles belong to no owner). */
HKM_INLINE int hkm_slab_owned_by(const struct hkm_span *s, const struct hkm_cache *k) {
  /* A plain read (the field only changes hands between heaps other than k's, whose answer is the
   * same either way), so that the compiler folds it into the comparison. */
  return *(struct hkm_heap *const *)(const void *)&s->owner == (const struct hkm_heap *)k;
}

HKM_INLINE void hkm_slab_free(struct hkm_heap *h, struct hkm_span *s, struct hkm_block *b) {
  if (hkm_unlikely(!hkm_slab_owned_by(s, h->cache)))
    hkm_slab_free_remote(h, s, b);
  else if (hkm_unlikely(!hkm_slab_push(s, b)))
    hkm_slab_free_slow(h, s, b);
}

#endif
