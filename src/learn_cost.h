/* What page faults, huge-page faults, populates and drops cost on this machine, as the learner
 * measures them itself, and what each backing is predicted to cost a site from them.
 *
 * The figures come from the learner's own mapping on its own thread: 32 first touches of 4 KiB
 * pages, a MADV_POPULATE_WRITE and a MADV_DONTNEED of them, and, once a site could use huge pages,
 * one huge-page fault and its drop; each the least of two rounds (interrupts only add), a
 * new measurement moving a known figure halfway. The host's costs drift (a first touch took 1.6 to
 * 12 us here from one day to the next), so they are measured again every 5 s while the learner works
 * (the huge-page fault every 30 s: it costs 0.1 to 7 ms here). */
#ifndef HKM_LEARN_COST_H
#define HKM_LEARN_COST_H

#include <stdint.h>

#define HKM_HUGE_PAGES 512.0 /* 4 KiB pages in a 2 MiB huge page */

/* TSC cycles each; 0 until measured (huge: also when no huge page was granted; populate: when the
 * kernel refused it). */
struct hkm_learn_cal {
  double fault, huge, populate, drop, drop_huge;
  int done, huge_done;
  uint64_t when; /* last measured (CLOCK_MONOTONIC ns) */
};
extern struct hkm_learn_cal hkm_learn_cal;

/* Measures the 4 KiB figures when they are due (first call, then every 5 s), and the huge-page ones
 * then too once want_huge was given; publishes them for reports. Called under the learner's lock. */
void hkm_learn_calibrate(uint64_t now_ns, int want_huge);

/* Cycles per used page backing b (enum hkm_backing) is predicted to cost a block of pages pages of
 * which the program touches a share d, and of whose whole 2 MiB chunks a share dc; -1 before the
 * first calibration. A page made resident but never touched costs a fault: resident memory is a
 * cost, so a backing that raises RSS without saving time loses. */
double hkm_learn_predict(int b, double pages, double d, double dc);

#endif
