/* What a site's rule (site_rules.h) means for one Whale block (over 2 MiB): chosen when the block is
 * allocated, applied to the span the tier found for it, and measured on a sample of blocks until
 * the block is freed (site_stats.h). Whale calls these around its own work; nothing here runs
 * unless site rules are on (HAKMEM_MODE=learning or research, or HAKMEM_LEARN_FORCE), so the other
 * modes pay one predictable branch per Whale allocation and free.
 *
 * Applying a backing never changes what a block holds: THP advice (MADV_HUGEPAGE/NOHUGEPAGE) changes
 * how later faults are served, and MADV_POPULATE_WRITE maps pages without writing them, only on a
 * block whose pages are not resident. A kernel that refuses either (EINVAL on an old kernel, EPERM
 * under seccomp) turns that backing off for the process and the block is served lazily: nothing is
 * lost but the speed-up. */
#ifndef HKM_POLICY_H
#define HKM_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "compiler.h"
#include "site_rules.h"
#include "types.h"

/* hkm_span.lflags */
#define LF_SAMPLED 1u  /* evidence is taken on this block */
#define LF_COLD 2u     /* it started with no page resident (fresh or dropped memory) */
#define LF_EXPLORE 4u  /* its backing is one the learner is trying */
#define LF_ADVISED 16u /* the span's range carries THP advice other than the system's default */

/* Site rules in force; set once at init. */
extern int hkm_policy_on __attribute__((visibility("hidden")));

/* THP as the kernel offers it (/sys/kernel/mm/transparent_hugepage/enabled at init). */
enum hkm_thp { HKM_THP_NEVER, HKM_THP_MADVISE, HKM_THP_ALWAYS };

/* Rule for sites not in the published table; what the learner and HAKMEM_LEARN_FORCE start from. */
extern struct hkm_site_rule hkm_policy_default;

/* Reads the THP mode; called at init when site rules are on. wake: large frees wake the release
 * helper, so that the learner (a decay callback) looks at their evidence. */
void hkm_policy_init(int wake);
int hkm_policy_thp(void);
/* 0 once the kernel refused MADV_POPULATE_WRITE or MADV_HUGEPAGE in this process. */
int hkm_policy_prefault_ok(void);
int hkm_policy_huge_ok(void);

/* fn runs once, on the first allocation that consults the site rules, before its lookup (the learn
 * file's sites are resolved then: by the first large allocation the loader is done). */
void hkm_policy_first_use(void (*fn)(void));

/* One allocation's choice. */
struct hkm_pick {
  struct hkm_site_rule rule;
  int slot;          /* evidence slot, -1 when the table is full */
  uint8_t backing;   /* for this block */
  uint8_t sampled;   /* evidence taken: a regular sample, or an explore allocation (if it comes cold) */
  uint8_t regular;   /* a regular sample (one in 2^sample_shift) */
  uint8_t explore;   /* backing is the rule's explore one (it shows only if the block comes cold) */
  uint8_t cold_only; /* a probe: no cached block, whose resident pages would hide what is touched */
  uint64_t cpu0;     /* the thread's CPU clock when a sampled allocation started (ns) */
};

/* The site's rule and what it means for this block (tier: the tier asking, HKM_TIER_WHALE). */
void hkm_policy_pick(struct hkm_pick *pk, const void *site, int tier);

/* May the block take a cached mapping the site owner freed with its pages resident? Not a probe;
 * its own, and another site's only when the rule says the site touches enough of its blocks for
 * their resident pages to be worth the RSS. */
HKM_INLINE int hkm_policy_may_take(const struct hkm_pick *pk, const void *site, const void *owner) {
  return !pk->cold_only && (owner == site || pk->rule.foreign);
}

/* Alignment for a fresh mapping of this block: 2 MiB for the huge backing. */
size_t hkm_policy_align(const struct hkm_pick *pk, size_t align);

/* The tier's span for the block (req bytes from s->base, lead included): THP advice, prefault, and
 * the block's evidence started. hot: it came from a cache with pages resident. */
void hkm_policy_apply(struct hkm_span *s, const struct hkm_pick *pk, size_t req, int hot);

/* How a freed Whale block may wait in its site's own cache (sitecache.c), by the site's rule now. */
struct hkm_keep_ticket {
  int slot;            /* the site's evidence slot */
  unsigned ms;         /* how long; 0: not kept there */
  unsigned max_blocks; /* how many of the site's blocks may wait at once */
  size_t pages;        /* pages it holds resident (measured when the block was sampled, else estimated) */
};

/* At free, before the tier keeps or releases the span: the block's evidence, and *k. */
void hkm_policy_free(struct hkm_span *s, struct hkm_keep_ticket *k);

/* A Whale span about to leave for the region cache: its THP advice goes back to the default, so that
 * the memory's next user faults it in the ordinary way. */
void hkm_policy_leave(struct hkm_span *s);

#endif
