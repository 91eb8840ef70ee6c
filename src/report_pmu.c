/* Event columns and the induced-fault section of the profile report (see report_pmu.h and the JSON
 * schema at the top of report.c). */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "report_pmu.h"
#include "perfev.h"
#include "sizeclass.h"
#include "symbolize.h"

typedef unsigned long long ull;

extern const int hkm_tier_alloc_cat[HKM_TIER_COUNT];

void hkm_report_extra_take(struct hkm_report_extra *x) {
  hkm_pmu_info(&x->pmu);
  hkm_induced_snapshot(&x->ind);
  struct rusage ru;
  x->minflt = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt : -1;
}

void hkm_report_pmu_head(struct hkm_buf *b, const struct hkm_report_extra *x) {
  for (int e = 0; e < x->pmu.n; e++) hkm_put(b, " %16.16s", x->pmu.name[e]);
}

void hkm_report_pmu_cells(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s,
                          int cat) {
  for (int e = 0; e < x->pmu.n; e++) {
    if (!x->pmu.supported[e])
      hkm_put(b, " %16s", "<not supported>");
    else if (!s->events_measured[cat])
      hkm_put(b, " %16s", "<not counted>");
    else
      hkm_put(b, " %15llu%c", (ull)s->events[cat][e], s->events_scaled[cat] ? '*' : ' ');
  }
}

static const char *cat_of_tier(int t) { return hkm_cat_name[hkm_tier_alloc_cat[t]]; }

/* A call site: "function+0xoff (object)", or "object+0xoff" when the object exports no name for it. */
static void put_site(struct hkm_buf *b, const void *site, int json) {
  struct hkm_sym sym;
  hkm_symbolize(site, &sym);
  const char *obj = sym.object ? sym.object : "?";
  if (json) {
    char name[320];
    hkm_put(b, "\"address\":\"%p\",\"symbol\":", site);
    if (sym.symbol) {
      int n = snprintf(name, sizeof name, "%.256s+0x%llx", sym.symbol, (ull)sym.symbol_off);
      hkm_put_json_str(b, name, (size_t)n, sizeof name);
    } else {
      hkm_put(b, "null");
    }
    hkm_put(b, ",\"object\":");
    hkm_put_json_str(b, obj, strlen(obj), HKM_SYM_PATH_MAX);
    /* the offset addr2line takes, as in the allocation sites: hakmem-stat names both the same way */
    if (sym.object)
      hkm_put(b, ",\"object_offset\":%llu", (ull)sym.object_off);
    else
      hkm_put(b, ",\"object_offset\":null");
    return;
  }
  if (sym.symbol)
    hkm_put(b, "%s+0x%llx (%s)", sym.symbol, (ull)sym.symbol_off, obj);
  else if (sym.object)
    hkm_put(b, "%s+0x%llx", obj, (ull)sym.object_off);
  else
    hkm_put(b, "%p", site);
}

static ull event_total(const struct hkm_induced_event *v) {
  ull t = v->other;
  for (int i = 0; i < HKM_TIER_COUNT; i++) t += v->tier[i];
  return t;
}

static void pct(struct hkm_buf *b, ull part, ull whole) {
  ull pm = whole ? (ull)((double)part * 1000.0 / (double)whole + 0.5) : 0;
  hkm_put(b, "%5llu.%llu%%", pm / 10, pm % 10);
}

static void induced_text(struct hkm_buf *b, const struct hkm_report_extra *x) {
  const struct hkm_induced_report *r = &x->ind;
  hkm_put(b, "induced: faults the program took on memory hakmem handed out (sampling period %u, %llu lost, "
             "%llu throttled)\n", r->period, (ull)r->lost, (ull)r->throttled);
  for (int e = 0; e < r->nevents; e++) {
    const struct hkm_induced_event *v = &r->ev[e];
    if (!v->supported) {
      hkm_put(b, "  %-20s <not supported> (%s)\n", v->name, v->error);
      continue;
    }
    ull all = event_total(v);
    hkm_put(b, "  %-20s %12s  share\n", v->name, "count");
    for (int t = 0; t < HKM_TIER_COUNT; t++) {
      if (!v->tier[t]) continue;
      hkm_put(b, "  %-20s %12llu ", cat_of_tier(t), (ull)v->tier[t]);
      pct(b, v->tier[t], all);
      hkm_put(b, "\n");
    }
    hkm_put(b, "  %-20s %12llu ", "other (not hakmem's)", (ull)v->other);
    pct(b, v->other, all);
    hkm_put(b, "\n");
  }
  if (x->minflt >= 0) hkm_put(b, "  process minor faults (getrusage): %ld\n", x->minflt);
  if (r->nsites && r->nevents) {
    ull all = event_total(&r->ev[0]);
    hkm_put(b, "  top call sites by %s:\n", r->ev[0].name);
    for (int i = 0; i < r->nsites && i < 5; i++) {
      hkm_put(b, "  %12llu ", (ull)r->sites[i].faults);
      pct(b, r->sites[i].faults, all);
      hkm_put(b, "  %-12s ", cat_of_tier(r->sites[i].tier));
      put_site(b, r->sites[i].site, 0);
      hkm_put(b, "\n");
    }
  }
}

void hkm_report_pmu_tail(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s) {
  const struct hkm_pmu_info *p = &x->pmu;
  if (p->n) {
    hkm_put(b, "events: inclusive deltas per category, user space only, read with %s", p->rdpmc ? "rdpmc" : "read(2)");
    if (p->sample_every > 1) hkm_put(b, "; * = scaled from 1 in %u measurements (HAKMEM_PMU_SAMPLE)", p->sample_every);
    hkm_put(b, "\n");
    for (int e = 0; e < p->n; e++)
      if (!p->supported[e]) hkm_put(b, "  %s: <not supported> (%s)\n", p->name[e], p->error[e]);
    if (s->pmu_running < s->pmu_enabled)
      hkm_put(b, "  events multiplexed: counting %llu%% of the time, figures not scaled\n",
              (ull)(s->pmu_running * 100 / s->pmu_enabled));
  }
  if (x->ind.enabled) induced_text(b, x);
}

void hkm_report_pmu_json_cat(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s,
                             int cat) {
  if (!x->pmu.n) return;
  hkm_put(b, ",\"events_sampled\":%llu,\"events\":{", (ull)s->events_measured[cat]);
  for (int e = 0; e < x->pmu.n; e++) {
    hkm_put(b, "%s", e ? "," : "");
    hkm_put_json_str(b, x->pmu.name[e], strlen(x->pmu.name[e]), HKM_EVENT_NAME_MAX);
    /* null only when it could not be counted: unsupported, or measurements but none read it */
    if (!x->pmu.supported[e] || (s->stat[cat].count && !s->events_measured[cat]))
      hkm_put(b, ":null");
    else
      hkm_put(b, ":%llu", (ull)s->events[cat][e]);
  }
  hkm_put(b, "}");
}

static void induced_json(struct hkm_buf *b, const struct hkm_report_extra *x) {
  const struct hkm_induced_report *r = &x->ind;
  hkm_put(b, ",\"induced\":{\"period\":%u,\"lost\":%llu,\"throttled\":%llu,\"process_minor_faults\":%ld,\"events\":[",
          r->period, (ull)r->lost, (ull)r->throttled, x->minflt);
  for (int e = 0; e < r->nevents; e++) {
    const struct hkm_induced_event *v = &r->ev[e];
    hkm_put(b, "%s{\"name\":", e ? "," : "");
    hkm_put_json_str(b, v->name, strlen(v->name), sizeof v->name);
    hkm_put(b, ",\"supported\":%s,\"error\":", v->supported ? "true" : "false");
    if (v->supported)
      hkm_put(b, "null");
    else
      hkm_put_json_str(b, v->error, strlen(v->error), sizeof v->error);
    hkm_put(b, ",\"samples\":%llu,\"total\":%llu,\"categories\":{", (ull)v->samples, event_total(v));
    for (int t = 0; t < HKM_TIER_COUNT; t++) hkm_put(b, "%s\"%s\":%llu", t ? "," : "", cat_of_tier(t), (ull)v->tier[t]);
    hkm_put(b, "},\"other\":%llu,\"classes\":[", (ull)v->other);
    int first = 1;
    for (int c = 0; c < HKM_NCLASSES; c++) {
      if (!v->cls[c]) continue;
      hkm_put(b, "%s{\"class\":%d,\"block_size\":%u,\"faults\":%llu}", first ? "" : ",", c,
              (unsigned)hkm_classes[c].bsize, (ull)v->cls[c]);
      first = 0;
    }
    hkm_put(b, "]}");
  }
  hkm_put(b, "],\"site_total\":%llu,\"sites\":[", (ull)r->site_total);
  for (int i = 0; i < r->nsites; i++) {
    hkm_put(b, "%s{", i ? "," : "");
    put_site(b, r->sites[i].site, 1);
    hkm_put(b, ",\"category\":\"%s\",\"faults\":%llu}", cat_of_tier(r->sites[i].tier), (ull)r->sites[i].faults);
  }
  hkm_put(b, "]}");
}

void hkm_report_pmu_json_tail(struct hkm_buf *b, const struct hkm_report_extra *x, const struct hkm_prof_snapshot *s) {
  const struct hkm_pmu_info *p = &x->pmu;
  hkm_put(b, ",\"pmu\":{\"sample_every\":%u,\"read\":\"%s\",\"running_fraction\":", p->sample_every,
          p->rdpmc ? "rdpmc" : "read");
  if (s->pmu_enabled) {
    ull ppm = (ull)((double)s->pmu_running * 1e6 / (double)s->pmu_enabled + 0.5);
    hkm_put(b, "%llu.%06llu", ppm / 1000000, ppm % 1000000);
  } else
    hkm_put(b, "null");
  hkm_put(b, ",\"events\":[");
  for (int e = 0; e < p->n; e++) {
    hkm_put(b, "%s{\"name\":", e ? "," : "");
    hkm_put_json_str(b, p->name[e], strlen(p->name[e]), HKM_EVENT_NAME_MAX);
    hkm_put(b, ",\"supported\":%s,\"error\":", p->supported[e] ? "true" : "false");
    if (p->supported[e])
      hkm_put(b, "null}");
    else {
      hkm_put_json_str(b, p->error[e], strlen(p->error[e]), 128);
      hkm_put(b, "}");
    }
  }
  hkm_put(b, "]}");
  if (x->ind.enabled)
    induced_json(b, x);
  else
    hkm_put(b, ",\"induced\":null");
}
