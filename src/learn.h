/* The site learner: per allocation call site of blocks over 2 MiB, which backing (lazy, huge pages,
 * prefault) and which keep (shared ring, own cache) cost the program least, from the evidence its
 * blocks leave (site_stats.h), published as a frozen rule table (site_rules.h).
 *
 * It never runs on an allocation: it is a decay callback of the release helper (reclaim.c), which
 * calls it about every HAKMEM_RECLAIM_DELAY_MS while large blocks are being freed, and sleeps
 * otherwise. See learn.c for the scoring and the bounds on exploration. */
#ifndef HKM_LEARN_H
#define HKM_LEARN_H

/* Site rules on: HAKMEM_MODE=learning or research (the learner, HAKMEM_LEARN_FILE), or
 * HAKMEM_LEARN_FORCE (one fixed rule for every site, no learner). Called once at init. */
void hkm_learn_init(void);

void hkm_learn_fork_prepare(void);
void hkm_learn_fork_parent(void);
void hkm_learn_fork_child(void);

#endif
