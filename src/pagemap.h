/* Address -> span descriptor, in O(1), for the addresses free() and the region cache look up.
 *
 * Two levels over the 48-bit user address space: the top table (static, 512 KiB of zero BSS that only
 * becomes resident where used) is indexed by address bits 32..47, each leaf by the 64 KiB granule
 * within those 4 GiB. The leaves are slices of one table reserved at init (32 GiB of address space,
 * read-only and reading as zero until a leaf is made writable), so that the fast paths index that
 * table by the whole granule number: one load where the top table made two (wl_small 7%, wl_larson
 * 5-7% faster). Where that reservation is refused (RLIMIT_AS set at start, which the table must not
 * use up) each leaf is a mapping of its own and a lookup takes both loads (hkm_pagemap_get_two).
 *
 * A span of up to HKM_PM_FULL_SPAN (every slab, every BigCache block) has each of its granules in the
 * map, so any address inside a slab finds it. A longer span (Whale, and the region cache's longer free
 * ranges) has only its first and last granule there: free() needs the block's start, the region cache
 * its neighbours' ends, and the metadata stays a few entries whatever the length (a 1 TiB block: two
 * leaf pages, where one entry per granule took 128 MiB and seconds). The rare lookup of an address
 * inside such a span (a sampled page fault) goes through hkm_pagemap_find. Every entry is either NULL
 * or the descriptor of the span that holds its granule.
 *
 * Leaves are never unmapped (a racing reader may hold one), but the pages of a leaf whose entries have
 * all gone back to NULL are dropped (hkm_pagemap_trim): they read as zero again. */
#ifndef HKM_PAGEMAP_H
#define HKM_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "types.h"

#define HKM_PM_TOP_BITS 16
#define HKM_PM_LEAF_BITS 16
/* Spans up to this long have every granule in the map. */
#define HKM_PM_FULL_SPAN ((size_t)64 * HKM_GRANULE)

extern struct hkm_span **hkm_pagemap_top[1u << HKM_PM_TOP_BITS];
/* The table every leaf is a slice of, indexed by granule number; NULL without it. */
extern __attribute__((visibility("hidden"))) struct hkm_span **hkm_pagemap_flat;

_Static_assert(HKM_GRANULE_SHIFT + HKM_PM_LEAF_BITS + HKM_PM_TOP_BITS == 48 && HKM_PM_LEAF_BITS + HKM_PM_TOP_BITS == 32,
               "one 32-bit granule number holds both indexes");

/* Both indexes come from one 32-bit granule number (address bits 16..47), so an address above the
 * 48-bit space is looked up by its low 48 bits with no test on the free path: a caller compares the
 * address itself with the span it gets (the block test, base + lead). */
HKM_INLINE uint32_t hkm_pagemap_granule(const void *p) { return (uint32_t)((uintptr_t)p >> HKM_GRANULE_SHIFT); }

/* The lookup through the top table, for a process without the reserved table. */
struct hkm_span *hkm_pagemap_get_two(const void *p);

HKM_INLINE struct hkm_span *hkm_pagemap_get(const void *p) {
  struct hkm_span **flat = hkm_pagemap_flat;
  if (hkm_likely(flat != 0)) return flat[hkm_pagemap_granule(p)];
  return hkm_pagemap_get_two(p);
}

/* Once, at init, before any span is entered: reserve the table unless RLIMIT_AS is set. */
void hkm_pagemap_init(void);
/* After a refused mapping: when RLIMIT_AS has been set since init below the table's 32 GiB, the
 * table cannot be meant to fit in it, so the map goes back to two levels for good. The top table already holds the slices in use as
 * its leaves; the rest of the table is unmapped, except the first slice (free(NULL) reads it). A
 * lookup that loaded the table's address just before reads an unmapped part only for an address no
 * leaf covers (an invalid free in that instant). Returns 1 when it gave the table back. */
int hkm_pagemap_give_back(void);

/* Enter span s (s->base granule-aligned, s->bytes a multiple of the granule) as the rule above says.
 * Returns 0, or -1 with nothing changed when a leaf could not be mapped. Never fails when the leaves
 * of its first and last granule exist (hkm_pagemap_reserve, or a span entered before over them). */
int hkm_pagemap_enter(struct hkm_span *s);
/* Remove the entries hkm_pagemap_enter made for s (with the same base and bytes). */
void hkm_pagemap_forget(const struct hkm_span *s);
/* Point the entries of range (an entered span of at most HKM_PM_FULL_SPAN bytes, or its part after
 * a cut) at v, which takes those granules over: one write per granule where forgetting and entering
 * again wrote each of the joined span's granules twice. */
void hkm_pagemap_repoint(const struct hkm_span *range, struct hkm_span *v);
/* Map the leaf that holds address a, so that entering a span that ends there cannot fail. */
int hkm_pagemap_reserve(uintptr_t a);
/* The span that holds p, wherever inside it p lies (hkm_pagemap_get sees only the ends of a long
 * span); NULL when none. Slower: takes a lock for long spans. */
struct hkm_span *hkm_pagemap_find(const void *p);
/* Drop the pages of leaves whose entries are all NULL again. all = 0: only when at least a few such
 * pages have gathered (the release helper calls it after each batch). */
void hkm_pagemap_trim(int all);

struct hkm_pagemap_stats {
  size_t leaves;         /* leaves mapped (512 KiB of address space each) */
  size_t pages_written;  /* leaf pages written to since they were last dropped */
  size_t long_spans;     /* spans entered by their ends only */
  size_t drops;          /* madvise calls that dropped emptied leaf pages */
  int flat;              /* the leaves are slices of the reserved table */
};
void hkm_pagemap_stats(struct hkm_pagemap_stats *out);

void hkm_pagemap_fork_prepare(void);
void hkm_pagemap_fork_parent(void);
void hkm_pagemap_fork_child(void);

#endif
