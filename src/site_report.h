/* The site rules' part of the JSON profile: per allocation call site of blocks over 2 MiB, what the
 * learner chose, its score against the other backings, how often each was measured, faults per MiB
 * and bytes. Members of "learn" (fields are only added, as for the whole report):
 *   mode "learning" | "research" | "forced", force (HAKMEM_LEARN_FORCE or null), thp ("always" |
 *   "madvise" | "never"), costs {fault_cycles, huge_fault_cycles, populate_cycles, drop_cycles} (the
 *   learner's calibration, 0 until measured), passes, tables (rule tables published), sites_tracked,
 *   sites: at most 64, most bytes first, each {addr, object, object_offset, symbol, symbol_offset (as
 *   in the report's sites), tier "big" | "whale", allocations, frees, bytes, hot (allocations served
 *   with pages resident), lifetime_ms (mean), samples, faults_per_mib (of sampled blocks; null before
 *   any), backing, explore (backing being tried, or null), keep "shared" | "own", keep_ms, foreign
 *   (may take another site's freed block), density_per_mille (or null), score {lazy, huge, prefault}
 *   (estimated cycles per KiB used; null unknown), available {lazy, huge, prefault}, pulls {lazy,
 *   huge, prefault} (sampled blocks measured), keep_gain_cycles, changes, learned (false: the default
 *   rule applies), from_file}. */
#ifndef HKM_SITE_REPORT_H
#define HKM_SITE_REPORT_H

#include "strbuf.h"
#include "symbolize.h"

#define HKM_SITE_REPORT_SHOWN 64 /* sites listed, most bytes first */
/* Room the member may need in a report buffer. */
#define HKM_SITE_REPORT_CAP (1024 + HKM_SITE_REPORT_SHOWN * (1024 + 6 * (HKM_SYM_PATH_MAX + 256)))

/* Appends ,"learn":{...} (or ,"learn":null when site rules are off). */
void hkm_site_report_json(struct hkm_buf *b);

#endif
