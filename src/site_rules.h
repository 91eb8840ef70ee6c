/* Site rules: how the blocks of each allocation call site over 2 MiB are backed and kept.
 *
 * Whale reads a site's rule at every allocation with one lookup in a frozen table; the
 * learner (learn.c) builds a new table off the allocation path and publishes it with one pointer
 * swap. A published table is never written, so the lookup takes no lock: tables come from a few
 * static buffers used in turn, each with a sequence counter that a reader checks around its read, so a
 * reader that was descheduled for as long as it takes the buffer to come round again retries
 * instead of reading a half-written entry. Keys are raw return addresses, good for this process (and
 * its forks) only; the learn file (learn_file.c) stores object + offset instead. */
#ifndef HKM_SITE_RULES_H
#define HKM_SITE_RULES_H

#include <stdint.h>

/* How a block that comes without resident pages gets them. */
enum hkm_backing {
  HKM_BACK_LAZY,     /* 4 KiB pages faulted in as the program touches them */
  HKM_BACK_HUGE,     /* transparent huge pages (MADV_HUGEPAGE) over the block's aligned 2 MiB chunks */
  HKM_BACK_PREFAULT, /* every page populated at allocation (MADV_POPULATE_WRITE) */
  HKM_BACK_COUNT
};

/* What happens to the site's freed blocks (Whale). */
enum hkm_keep {
  HKM_KEEP_SHARED, /* the whale ring, shared by every site, for HAKMEM_RECLAIM_DELAY_MS */
  HKM_KEEP_OWN,    /* the site's own cache (sitecache.c), for up to 2^keep_ms_log2 ms */
};

struct hkm_site_rule {
  uint8_t backing;       /* enum hkm_backing */
  uint8_t explore;       /* backing tried on one allocation in 2^explore_shift; == backing: none */
  uint8_t explore_shift;
  uint8_t sample_shift;  /* evidence (residency, cost) taken on one block in 2^sample_shift */
  uint8_t keep;          /* enum hkm_keep */
  uint8_t keep_ms_log2;  /* HKM_KEEP_OWN: how long a freed block waits for the site */
  uint8_t foreign;       /* 1: may take a block another site freed with its pages still resident */
  uint8_t known;         /* 0: the site is not in the table (this is the table's default rule) */
  uint8_t probe;         /* the explore allocations take memory with nothing resident (to measure how
                            much of its blocks the site touches, which a reused block cannot show) */
  uint16_t slot;         /* evidence slot + 1 (site_stats.h); 0 = none yet */
};

/* The rule for site: its entry in the published table, or the table's default (known = 0); *def
 * when nothing is published. Timed (site_rules_lookup). */
struct hkm_site_rule hkm_site_rules_lookup(const void *site, const struct hkm_site_rule *def);

/* Building a table (one builder at a time: the caller serializes). begin takes a buffer nobody reads
 * and empties it; put adds a site (returns -1 when the table is full); adopt publishes it, timed
 * (site_rules_adopt). */
#define HKM_SITE_RULES_CAP 512
struct hkm_site_rules;
struct hkm_site_rules *hkm_site_rules_begin(const struct hkm_site_rule *def);
int hkm_site_rules_put(struct hkm_site_rules *t, const void *site, const struct hkm_site_rule *r);
void hkm_site_rules_adopt(struct hkm_site_rules *t);
/* Tables published since start. */
unsigned long hkm_site_rules_adopted(void);

#endif
