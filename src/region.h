/* The region cache: where spans come from and where released spans wait.
 *
 * Spans up to HKM_REGION_MAX_SPAN are cut from arenas: 64 MiB mappings (or, when the kernel refuses
 * that much, a mapping of the span's own length). A released span keeps its pages ("hot") within the
 * mode's budget (beyond 8 MiB only while HAKMEM_RECLAIM_DELAY_MS has not passed, beyond 1 MiB, once
 * a Whale request has taken cold address space, only while the delay has not passed); over it, the
 * hot span that came back longest ago has its pages dropped (MADV_DONTNEED) and only its address
 * space is kept ("cold"), up to HAKMEM_REGION_CAP_MB, counting the unused rest of the arenas; beyond
 * that the span is unmapped.
 *
 * Cold spans merge with their cold neighbours, whatever their origin (arena, former Whale mapping), so
 * address space freed at one size serves any other: the cold set is one free list by address, with
 * best fit by length and a split on reuse, as jemalloc's extents and glibc's heap. Hot spans merge
 * with their hot neighbours up to HKM_REGION_MAX_SPAN (the merged span takes the newer age): a span's
 * pages are either all resident or all dropped, and a hot span's age decides which pages go first.
 *
 * Reuse takes the lowest hot span of the exact length, else the lowest longer hot one (by address),
 * else the best-fitting cold one, cut to length; else a new arena. */
#ifndef HKM_REGION_H
#define HKM_REGION_H

#include <stddef.h>
#include "types.h"

#define HKM_REGION_MAX_SPAN ((size_t)64 * HKM_GRANULE)

/* A span of bytes (a multiple of HKM_GRANULE, at most HKM_REGION_MAX_SPAN), mapped in the page map to
 * its descriptor, kind FREE; s->zeroed tells whether its pages read as zero. NULL when out of memory
 * even after hkm_os_relieve. */
struct hkm_span *hkm_region_get(size_t bytes);
/* The same, or when no hot span is that long, the longest hot span of at least least bytes (a granule
 * multiple), whole: resident pages of a shorter length before fresh ones. */
struct hkm_span *hkm_region_get_upto(size_t bytes, size_t least);
/* Grow live block s (a run or a BigCache block) in place to bytes (a granule multiple, at most
 * HKM_REGION_MAX_SPAN) with the start of the span right after it, when that one is kept here, long
 * enough, and resident (or not, while no resident span is as long as bytes): 1 when s has grown (its
 * usable bytes too), else 0 and nothing changed. */
int hkm_region_extend(struct hkm_span *s, size_t bytes);
/* A cold span of at least bytes (any length, granule multiple), cut to bytes; NULL when none is kept.
 * Lets Whale reuse address space instead of mapping anew. First the hot spans beyond 1 MiB that waited
 * out the delay lose their pages, oldest first (the request faults in fresh ones), and the decay keeps
 * no more than 1 MiB of the younger ones after it; without a helper all of them go at once. */
struct hkm_span *hkm_region_get_big(size_t bytes);
/* A descriptor for the fresh mapping [p, p + bytes) (granule-aligned), entered in the page map, its
 * pages zero; NULL, the mapping unmapped, when out of memory. */
struct hkm_span *hkm_region_describe(void *p, size_t bytes);
/* Take back a span nobody uses any more: kept with its pages within the mode's budget (spans up to
 * HKM_REGION_MAX_SPAN; the oldest hot spans lose theirs to make room), else its pages are dropped
 * and its address space kept up to HAKMEM_REGION_CAP_MB, else it is unmapped; the last two through
 * reclaim.c, off this thread. */
void hkm_region_put(struct hkm_span *s);
/* Registers the hot spans' decay with reclaim.c (once, at init). */
void hkm_region_init(void);
/* Drop the pages of every hot span now, keeping the address space (malloc_trim). Returns 1 when
 * anything was dropped. */
int hkm_region_trim(void);
/* Give back everything the cache holds, address space too, after the release queue has finished
 * (a mapping was refused: under RLIMIT_AS address space is what is short). Returns 1 when anything
 * was given back. */
int hkm_region_flush(void);

struct hkm_region_stats {
  size_t hot_bytes, cold_bytes, arena_bytes;
};
void hkm_region_stats(struct hkm_region_stats *out);

void hkm_region_fork_prepare(void);
void hkm_region_fork_parent(void);
void hkm_region_fork_child(void);

/* Span s becomes one large block (a run, BigCache or Whale: tier and kind) starting lead bytes in,
 * allocated at site; returns the block's address. */
static inline void *hkm_span_block(struct hkm_span *s, size_t lead, const void *site, int tier, int kind) {
  s->lead = (uint32_t)lead;
  s->usable = s->bytes - lead;
  s->site = site;
  s->tier = (uint8_t)tier;
  s->kind = (uint8_t)kind;
  return (void *)(s->base + lead);
}

#endif
