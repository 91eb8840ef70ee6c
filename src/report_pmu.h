/* The profile's event columns (HAKMEM_PMU) and its induced-fault section (HAKMEM_PMU_FAULTS), in
 * text and JSON; report.c calls these at fixed points of its own output. */
#ifndef HKM_REPORT_PMU_H
#define HKM_REPORT_PMU_H

#include "induced.h"
#include "pmu.h"
#include "prof.h"
#include "strbuf.h"

/* Room the additions may need in a report buffer. */
#define HKM_REPORT_PMU_CAP (HKM_CAT_COUNT * HKM_PMU_MAX * 64 + HKM_INDUCED_EVENTS * 4096 + HKM_INDUCED_SITES * 512)

struct hkm_report_extra {
  struct hkm_pmu_info pmu;
  struct hkm_induced_report ind;
  long minflt; /* the process's minor faults so far (getrusage), for scale */
};

void hkm_report_extra_take(struct hkm_report_extra *x);

/* Text: column titles and one row's cells (appended to the category table), then footer lines and
 * the induced section. */
void hkm_report_pmu_head(struct hkm_buf *b, const struct hkm_report_extra *x);
void hkm_report_pmu_cells(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s,
                          int cat);
void hkm_report_pmu_tail(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s);

/* JSON: members added inside a category object and at the end of the report object; each starts with
 * a comma. */
void hkm_report_pmu_json_cat(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s,
                             int cat);
void hkm_report_pmu_json_tail(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s);

#endif
