/* The "learn" member of the JSON profile (see site_report.h). */
#include "config.h"

#include <string.h>

#include "compiler.h"
#include "options.h"
#include "reclaim.h"
#include "site_report.h"
#include "site_rules.h"
#include "site_stats.h"
#include "types.h"

typedef unsigned long long ull;

static const char *const backing_names[HKM_BACK_COUNT] = {"lazy", "huge", "prefault"};

static void put_str_or_null(struct hkm_buf *b, const char *s, size_t cap) {
  if (s)
    hkm_put_json_str(b, s, strlen(s), cap);
  else
    hkm_put(b, "null");
}

static void put_score(struct hkm_buf *b, int64_t v) {
  if (v < 0)
    hkm_put(b, "null");
  else
    hkm_put(b, "%lld", (long long)v);
}

static void site_json(struct hkm_buf *b, int i, const struct hkm_site_view *v, int first) {
  const struct hkm_site_slot *ss = &hkm_site_slots[i];
  uintptr_t site = atomic_load_explicit(&ss->site, memory_order_relaxed);
  struct hkm_sym sym;
  hkm_symbolize((const void *)site, &sym);
  hkm_put(b, "%s{\"addr\":\"%#llx\",\"object\":", first ? "" : ",", (ull)site);
  put_str_or_null(b, sym.object, HKM_SYM_PATH_MAX);
  if (sym.object)
    hkm_put(b, ",\"object_offset\":%llu", (ull)sym.object_off);
  else
    hkm_put(b, ",\"object_offset\":null");
  hkm_put(b, ",\"symbol\":");
  put_str_or_null(b, sym.symbol, 256);
  if (sym.symbol)
    hkm_put(b, ",\"symbol_offset\":%llu", (ull)sym.symbol_off);
  else
    hkm_put(b, ",\"symbol_offset\":null");
  uint64_t allocs = HKM_SITE_GET(ss->allocs), frees = HKM_SITE_GET(ss->frees), pages = 0, faults = 0;
  for (int k = 0; k < HKM_SUMS_N; k++) {
    pages += HKM_SITE_GET(ss->sums[k].pages);
    faults += HKM_SITE_GET(ss->sums[k].faults) + HKM_SITE_GET(ss->sums[k].huge);
  }
  const struct hkm_site_rule *r = &v->rule;
  hkm_put(b,
          ",\"tier\":\"%s\",\"allocations\":%llu,\"frees\":%llu,\"bytes\":%llu,\"hot\":%llu,\"lifetime_ms\":%llu,"
          "\"samples\":%llu,\"faults_per_mib\":",
          HKM_SITE_GET(ss->tier) == HKM_TIER_WHALE ? "whale" : "big", (ull)allocs, (ull)frees,
          (ull)HKM_SITE_GET(ss->bytes), (ull)HKM_SITE_GET(ss->hot),
          (ull)(HKM_SITE_GET(ss->lives) ? HKM_SITE_GET(ss->life_tsc) / HKM_SITE_GET(ss->lives) /
                                               atomic_load_explicit(&hkm_site_tsc_per_ms, memory_order_relaxed)
                                         : 0),
          (ull)HKM_SITE_GET(ss->samples));
  if (pages)
    hkm_put(b, "%llu", (ull)((faults * 256 + pages / 2) / pages));
  else
    hkm_put(b, "null");
  hkm_put(b, ",\"backing\":\"%s\",\"explore\":", backing_names[r->backing < HKM_BACK_COUNT ? r->backing : 0]);
  if (r->explore != r->backing && r->explore < HKM_BACK_COUNT)
    hkm_put(b, "\"%s\"", backing_names[r->explore]);
  else
    hkm_put(b, "null");
  hkm_put(b, ",\"keep\":\"%s\",\"keep_ms\":%u,\"foreign\":%s,\"density_per_mille\":",
          r->keep == HKM_KEEP_OWN ? "own" : "shared", r->keep == HKM_KEEP_OWN ? 1u << r->keep_ms_log2 : (unsigned)(hkm_reclaim_keep_ns() / 1000000u),
          r->foreign ? "true" : "false");
  if (v->density_pm >= 0)
    hkm_put(b, "%d", v->density_pm);
  else
    hkm_put(b, "null");
  hkm_put(b, ",\"score\":{");
  for (int k = 0; k < HKM_BACK_COUNT; k++) {
    hkm_put(b, "%s\"%s\":", k ? "," : "", backing_names[k]);
    put_score(b, v->score[k]);
  }
  hkm_put(b, "},\"available\":{");
  for (int k = 0; k < HKM_BACK_COUNT; k++)
    hkm_put(b, "%s\"%s\":%s", k ? "," : "", backing_names[k], v->score[k] == -2 ? "false" : "true");
  hkm_put(b, "},\"pulls\":{");
  for (int k = 0; k < HKM_BACK_COUNT; k++) hkm_put(b, "%s\"%s\":%u", k ? "," : "", backing_names[k], v->pulls[k]);
  hkm_put(b, "},\"keep_gain_cycles\":%lld,\"changes\":%u,\"learned\":%s,\"from_file\":%s}", (long long)v->keep_gain,
          v->changes, r->known ? "true" : "false", v->from_file ? "true" : "false");
}

void hkm_site_report_json(struct hkm_buf *b) {
  if (!hkm_site_mode.on) {
    hkm_put(b, ",\"learn\":null");
    return;
  }
  static HKM_COLD_BSS struct hkm_site_view views[HKM_SITE_SLOTS];
  int order[HKM_SITE_REPORT_SHOWN], n = 0, tracked = 0;
  struct hkm_site_costs c;
  pthread_mutex_lock(&hkm_site_view_lock);
  c = hkm_site_costs;
  for (int i = 0; i < HKM_SITE_SLOTS; i++) {
    if (!atomic_load_explicit(&hkm_site_slots[i].site, memory_order_relaxed)) continue;
    views[i] = hkm_site_slots[i].view;
    if (!views[i].rule.known) { /* not chosen yet: the default rule applies */
      views[i].rule = hkm_site_mode.dflt;
      for (int k = 0; k < HKM_BACK_COUNT; k++) views[i].score[k] = -1;
      views[i].density_pm = -1;
    }
    tracked++;
    uint64_t bytes = HKM_SITE_GET(hkm_site_slots[i].bytes);
    int j = n < HKM_SITE_REPORT_SHOWN ? n++ : HKM_SITE_REPORT_SHOWN;
    if (j == HKM_SITE_REPORT_SHOWN && HKM_SITE_GET(hkm_site_slots[order[j - 1]].bytes) >= bytes) continue;
    if (j == HKM_SITE_REPORT_SHOWN) j--;
    while (j > 0 && HKM_SITE_GET(hkm_site_slots[order[j - 1]].bytes) < bytes) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  pthread_mutex_unlock(&hkm_site_view_lock);
  const char *mode = !hkm_site_mode.learner ? "forced" : hkm_cfg.learn_research ? "research" : "learning";
  hkm_put(b, ",\"learn\":{\"mode\":\"%s\",\"force\":", mode);
  put_str_or_null(b, hkm_site_mode.learner ? NULL : hkm_cfg.learn_force, 64);
  hkm_put(b,
          ",\"thp\":\"%s\",\"costs\":{\"fault_cycles\":%llu,\"huge_fault_cycles\":%llu,\"populate_cycles\":%llu,"
          "\"drop_cycles\":%llu},\"passes\":%llu,\"tables\":%lu,\"sites_tracked\":%d,\"sites\":[",
          hkm_site_mode.thp,
          (ull)c.fault, (ull)c.huge_fault, (ull)c.populate, (ull)c.drop, (ull)c.passes, hkm_site_rules_adopted(), tracked);
  for (int k = 0; k < n; k++) site_json(b, order[k], &views[order[k]], k == 0);
  hkm_put(b, "]}");
}
