/* --json: schema "hakmem-stat" version 2 (documented in hakmem-stat(1)): the figures added up over
 * processes and averaged over runs, the process totals, and every report the library wrote, as it
 * wrote it (schema "hakmem-profile", documented in hakmem(3)). */
#include "config.h"

#include <string.h>

#include "hakmem-stat.h"

static double get_count(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c ? c->count : 0;
}
static double get_total(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c ? c->total : 0;
}
static double get_ns(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c ? c->ns : 0;
}
static double get_top(const struct profile *p, const void *arg) {
  (void)arg;
  return p->tab.top;
}

static void key(FILE *f, const char *k, int *first) {
  if (!*first) putc(',', f);
  *first = 0;
  json_write_str(f, k);
  putc(':', f);
}

static void num(FILE *f, const char *k, double v, int *first) {
  key(f, k, first);
  json_write_num(f, v);
}

static void category(FILE *f, const struct profile *runs, int n, const struct cat *c, double top) {
  int first = 1;
  putc('{', f);
  key(f, "name", &first);
  json_write_str(f, c->name);
  key(f, "parent", &first);
  if (c->parent)
    json_write_str(f, c->parent);
  else
    fputs("null", f);
  struct stat_mean cnt = stat_mean_of(runs, n, get_count, c->name);
  struct stat_mean tot = stat_mean_of(runs, n, get_total, c->name);
  double mn = -1, mx = 0;
  for (int r = 0; r < n; r++) {
    const struct cat *rc = stat_cat(&runs[r].tab, c->name);
    if (!rc) continue;
    if (rc->has_min && (mn < 0 || rc->min < mn)) mn = rc->min;
    if (rc->max > mx) mx = rc->max;
  }
  num(f, "count", cnt.mean, &first);
  num(f, "total_cycles", tot.mean, &first);
  double se = stat_cat_stderr(runs, n, c->name);
  key(f, "total_cycles_stderr", &first);
  if (se < 0)
    fputs("null", f);
  else
    fprintf(f, "%.0f", se);
  num(f, "avg_cycles", cnt.mean > 0 ? (double)(long long)(tot.mean / cnt.mean + 0.5) : 0, &first);
  num(f, "min_cycles", mn < 0 ? 0 : mn, &first);
  num(f, "max_cycles", mx, &first);
  double intr_cycles, intr = stat_cat_interrupted(runs, n, c->name, &intr_cycles);
  num(f, "interrupted", intr, &first);
  num(f, "interrupted_cycles", intr_cycles, &first);
  num(f, "total_ns", stat_mean_of(runs, n, get_ns, c->name).mean, &first);
  num(f, "share", top > 0 ? (double)(long long)(tot.mean / top * 1e6 + 0.5) / 1e6 : 0, &first);
  if (n > 1) num(f, "rel_stddev_pct", tot.rel_pct, &first);
  if (c->nev) {
    key(f, "events", &first);
    putc('{', f);
    for (int e = 0; e < c->nev; e++) {
      if (e) putc(',', f);
      json_write_str(f, c->ev[e].name);
      putc(':', f);
      if (c->ev[e].unsupported || c->ev[e].uncounted)
        fputs("null", f);
      else
        json_write_num(f, c->ev[e].value);
    }
    putc('}', f);
  }
  if (c->has_induced) num(f, "induced_faults", c->induced, &first);
  putc('}', f);
}

/* The process totals of runs[0..n): their mean when n > 1. */
static void totals(FILE *f, const struct profile *runs, int n) {
  double v[12] = {0};
  for (int r = 0; r < n; r++) {
    const struct profile *p = &runs[r];
    const double one[12] = {p->t.wall_s, p->t.user_s,  p->t.sys_s, p->t.maxrss_kib, p->t.minflt,  p->t.majflt,
                            p->reports,  p->threads,   p->mmaps,   p->munmaps,      p->madvises,  p->unreadable};
    for (int i = 0; i < 12; i++) v[i] += one[i] / n;
  }
  static const char *const names[12] = {"wall_time_s",  "user_time_s", "sys_time_s", "peak_rss_kib",
                                        "minor_faults", "major_faults", "processes", "threads",
                                        "mmap_calls",   "munmap_calls", "madvise_calls", "unreadable_reports"};
  int first = 1;
  putc('{', f);
  for (int i = 0; i < 12; i++) num(f, names[i], v[i], &first);
  putc('}', f);
}

void stat_print_json(FILE *f, const struct stat_opts *o, const struct profile *runs, int n, int status) {
  const struct profile *last = &runs[n - 1];
  int first = 1;
  putc('{', f);
  key(f, "schema", &first);
  json_write_str(f, "hakmem-stat");
  num(f, "version", 2, &first);
  key(f, "command", &first);
  putc('[', f);
  for (char **a = o->argv; *a; a++) {
    if (a != o->argv) putc(',', f);
    json_write_str(f, *a);
  }
  putc(']', f);
  key(f, "library", &first);
  json_write_str(f, o->library ? o->library : "");
  num(f, "exit_status", status, &first);
  num(f, "runs", n, &first);

  double top = stat_mean_of(runs, n, get_top, NULL).mean;
  key(f, "profile", &first);
  int pf = 1;
  putc('{', f);
  num(f, "tsc_hz", last->tsc_hz, &pf);
  num(f, "sample_every", last->sample_every ? last->sample_every : 1, &pf);
  key(f, "timing_compiled", &pf);
  fputs(last->compiled_out ? "false" : "true", f);
  num(f, "top_level_cycles", top, &pf);
  key(f, "categories", &pf);
  putc('[', f);
  for (int i = 0; i < last->tab.n; i++) {
    if (i) putc(',', f);
    category(f, runs, n, &last->tab.cats[i], top);
  }
  putc(']', f);
  if (last->has_induced) {
    key(f, "induced_event", &pf);
    json_write_str(f, last->induced_event);
    num(f, "induced_faults_other", last->induced_other, &pf);
    num(f, "induced_lost", last->induced_lost, &pf);
    key(f, "induced_sites", &pf);
    putc('[', f);
    for (int i = 0; i < last->nisite; i++) {
      int sf = 1;
      if (i) putc(',', f);
      putc('{', f);
      key(f, "site", &sf);
      json_write_str(f, last->isites[i].label);
      key(f, "category", &sf);
      json_write_str(f, last->isites[i].category);
      num(f, "faults", last->isites[i].faults, &sf);
      putc('}', f);
    }
    putc(']', f);
  }
  key(f, "event_errors", &pf);
  putc('[', f);
  for (int i = 0; i < last->nerr; i++) {
    if (i) putc(',', f);
    json_write_str(f, last->event_errors[i]);
  }
  putc(']', f);
  if (last->has_reclaim) {
    key(f, "reclaim", &pf);
    int rf = 1;
    putc('{', f);
    key(f, "backend", &rf);
    json_write_str(f, last->backend);
    num(f, "batches", last->rc_batches, &rf);
    num(f, "ranges", last->rc_ranges, &rf);
    num(f, "bytes", last->rc_bytes, &rf);
    num(f, "avg_batch", last->rc_batches > 0 ? last->rc_ranges / last->rc_batches : 0, &rf);
    num(f, "fallbacks", last->rc_fallbacks, &rf);
    putc('}', f);
  }
  key(f, "sites", &pf);
  putc('[', f);
  for (int i = 0; i < last->nsite; i++) {
    int sf = 1;
    if (i) putc(',', f);
    putc('{', f);
    key(f, "site", &sf);
    json_write_str(f, last->sites[i].label);
    num(f, "count", last->sites[i].count, &sf);
    num(f, "total_cycles", last->sites[i].cycles, &sf);
    putc('}', f);
  }
  putc(']', f);
  putc('}', f);

  key(f, "totals", &first);
  totals(f, runs, n);
  key(f, "run_totals", &first);
  putc('[', f);
  for (int r = 0; r < n; r++) {
    if (r) putc(',', f);
    totals(f, &runs[r], 1);
  }
  putc(']', f);
  key(f, "run_reports", &first);
  putc('[', f);
  for (int r = 0; r < n; r++) {
    if (r) putc(',', f);
    putc('[', f);
    for (int i = 0; i < runs[r].nraw; i++) {
      if (i) putc(',', f);
      json_write(f, runs[r].raw[i]);
    }
    putc(']', f);
  }
  putc(']', f);
  fputs("}\n", f);
}
