/* perf_event_open(2) and event names, shared by the counting columns (pmu.c) and the fault sampler
 * (induced.c).
 *
 * With libpfm4 any name it knows is encoded by pfm_get_os_event_encoding. Its header carries its own
 * copy of the perf ABI, which clashes with <linux/perf_event.h>, so exactly one of the two is
 * included, here. Without libpfm4 (--without-pfm, a static program) perf's generic names are known. */
#ifndef HKM_PERFEV_H
#define HKM_PERFEV_H

#include <stddef.h>
#include "config.h"
#if HKM_HAVE_PFM
#include <perfmon/pfmlib_perf_event.h>
#define HKM_CAP_RDPMC(pg) ((pg)->cap_usr_rdpmc) /* libpfm4's copy of the ABI spells it so */
#else
#include <linux/perf_event.h>
#define HKM_CAP_RDPMC(pg) ((pg)->cap_user_rdpmc)
#endif

#define HKM_EVENT_NAME_MAX 64

/* Fill attr for name, counting user space only (perf_event_paranoid 2 allows nothing else for a
 * process watching itself). Returns 0; -1 for a name libpfm4 does not know (a typo: callers drop it
 * with a warning); or HKM_EVENT_UNAVAILABLE for a name that only libpfm4 could encode when libpfm4 is
 * not there (built --without-pfm, a static program, libpfm.so.4 missing), which callers show as
 * <not supported>: perf's generic names (cycles, instructions, page-faults, dTLB-load-misses, ...)
 * are known without it. why says why. Initializes libpfm4 on first use; that may allocate, so
 * callers must be outside hakmem's locks. */
#define HKM_EVENT_UNAVAILABLE (-2)
int hkm_event_encode(const char *name, struct perf_event_attr *attr, char *why, size_t whylen);

/* perf_event_open for the calling thread (pid 0, any CPU), close-on-exec. Returns the fd or -1 with
 * errno set. */
int hkm_event_open(struct perf_event_attr *attr, int group_fd);
/* The same, counting the calling thread only while it runs on cpu. */
int hkm_event_open_on(struct perf_event_attr *attr, int cpu, int group_fd);

/* Why perf_event_open refused attr with err, in words a user can act on, the errno's name after it:
 * "no hardware PMU on this machine: VMs often have none (ENOENT)" rather than "No such file or
 * directory". Written into buf (may open and close one probe event); returns buf. */
const char *hkm_event_why(int err, const struct perf_event_attr *attr, char *buf, size_t len);

/* Split a comma list into at most max names of HKM_EVENT_NAME_MAX; returns how many. Names beyond
 * max or too long get one warning each, naming var. */
int hkm_event_split(const char *list, char names[][HKM_EVENT_NAME_MAX], int max, const char *var);

#endif
