/* TEMPORARY minimal profiler core (the profiler issue replaces this file). */
#include "config.h"
#include <stdio.h>
#include "hakmem.h"
#include "options.h"
#include "prof.h"

const char *const hkm_cat_name[HKM_CAT_COUNT] = {
#define HKM_CAT_NAME(id, name, parent) name,
    HKM_CATEGORIES(HKM_CAT_NAME)
#undef HKM_CAT_NAME
};
const int hkm_cat_parent[HKM_CAT_COUNT] = {
#define HKM_CAT_PARENT(id, name, parent) HKM_CAT_##parent,
    HKM_CATEGORIES(HKM_CAT_PARENT)
#undef HKM_CAT_PARENT
};
int hkm_prof_enabled;
static HKM_TLS uint64_t counts[HKM_CAT_COUNT];
void hkm_prof_record(int cat, uint64_t start) { (void)start; counts[cat]++; }
void hkm_prof_init(void) { hkm_prof_enabled = hkm_cfg.timing; }
HKM_API void hak_prof_report(FILE *out, int flags) { (void)out; (void)flags; }
HKM_API void hak_prof_reset(void) {}
