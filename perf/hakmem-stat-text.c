/* The report for people (perf stat's layout: a header, one row per category, then totals) and its
 * CSV form for scripts (one figure per line: section, name, field, value, relative stddev). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem-stat.h"
#include "prof_block.h"

#define MAX_ROWS 64

/* 1234567 -> "1,234,567": counts read at a glance */
static const char *grouped(double v, char *buf, size_t cap) {
  char digits[40];
  snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
  size_t n = strlen(digits), o = 0;
  for (size_t i = 0; i < n && o + 2 < cap; i++) {
    if (i && (n - i) % 3 == 0) buf[o++] = ',';
    buf[o++] = digits[i];
  }
  buf[o] = 0;
  return buf;
}

/* Readers for stat_mean_of: a category's figure in one run, by name. */
static double cat_total(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c ? c->total : 0;
}
static double cat_count(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c ? c->count : 0;
}
static double cat_share(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c && p->tab.top > 0 ? c->total / p->tab.top : 0;
}

/* The process totals, by field offset into struct profile. */
struct total_row {
  const char *name, *unit;
  double (*get)(const struct profile *, const void *);
};
static double t_wall(const struct profile *p, const void *a) { (void)a; return p->t.wall_s; }
static double t_user(const struct profile *p, const void *a) { (void)a; return p->t.user_s; }
static double t_sys(const struct profile *p, const void *a) { (void)a; return p->t.sys_s; }
static double t_rss(const struct profile *p, const void *a) { (void)a; return p->t.maxrss_kib; }
static double t_faults(const struct profile *p, const void *a) { (void)a; return p->t.minflt + p->t.majflt; }
static double t_minflt(const struct profile *p, const void *a) { (void)a; return p->t.minflt; }
static double t_majflt(const struct profile *p, const void *a) { (void)a; return p->t.majflt; }
static double t_procs(const struct profile *p, const void *a) { (void)a; return p->reports; }
static double t_threads(const struct profile *p, const void *a) { (void)a; return p->threads; }
static double t_mmap(const struct profile *p, const void *a) { (void)a; return p->mmaps; }
static double t_munmap(const struct profile *p, const void *a) { (void)a; return p->munmaps; }
static double t_madvise(const struct profile *p, const void *a) { (void)a; return p->madvises; }

static const struct total_row totals[] = {
    {"wall_time", "s", t_wall},         {"user_time", "s", t_user},     {"sys_time", "s", t_sys},
    {"peak_rss", "KiB", t_rss},         {"page_faults", "", t_faults},  {"minor_faults", "", t_minflt},
    {"major_faults", "", t_majflt},     {"processes", "", t_procs},     {"threads", "", t_threads},
    {"mmap_calls", "", t_mmap},         {"munmap_calls", "", t_munmap}, {"madvise_calls", "", t_madvise},
};

/* The categories that recorded in the last run (the mean's order), largest total first. */
static int sorted_rows(const struct profile *runs, int n, int *rows) {
  const struct profile *last = &runs[n - 1];
  int k = 0;
  for (int i = 0; i < last->tab.n && k < MAX_ROWS; i++) {
    const struct cat *c = &last->tab.cats[i];
    if (stat_mean_of(runs, n, cat_count, c->name).mean <= 0) continue;
    double tot = stat_mean_of(runs, n, cat_total, c->name).mean;
    int j = k++;
    while (j > 0 && stat_mean_of(runs, n, cat_total, last->tab.cats[rows[j - 1]].name).mean < tot) {
      rows[j] = rows[j - 1];
      j--;
    }
    rows[j] = i;
  }
  return k;
}

/* The events asked for with -e (in that order), then any other a category of the table carries. An
 * event asked for that no category reports is a column of <not supported>, as in perf stat. names
 * point into storage (-e's list split at commas) or into the table. */
static int event_names(const struct table *t, const char *asked, char *storage, size_t cap, const char **names) {
  int n = 0;
  if (asked) {
    snprintf(storage, cap, "%s", asked);
    for (char *save, *tok = strtok_r(storage, ",", &save); tok && n < STAT_MAX_EVENTS; tok = strtok_r(NULL, ",", &save))
      names[n++] = tok;
  }
  for (int i = 0; i < t->n; i++)
    for (int e = 0; e < t->cats[i].nev; e++) {
      int k;
      for (k = 0; k < n; k++)
        if (!strcmp(names[k], t->cats[i].ev[e].name)) break;
      if (k == n && n < STAT_MAX_EVENTS) names[n++] = t->cats[i].ev[e].name;
    }
  return n;
}

static const struct ev *event_of(const struct cat *c, const char *name) {
  for (int e = 0; e < c->nev; e++)
    if (!strcmp(c->ev[e].name, name)) return &c->ev[e];
  return NULL;
}

static void print_categories(FILE *f, const struct stat_opts *o, const struct profile *runs, int n) {
  const struct profile *last = &runs[n - 1];
  const char *evn[STAT_MAX_EVENTS];
  char storage[1024];
  int nev = event_names(&last->tab, o->events, storage, sizeof storage, evn);
  int rows[MAX_ROWS], k = sorted_rows(runs, n, rows);
  char b1[40], b2[40], b3[40];
  int sampled = last->sample_every > 1; /* a column for the estimates' standard errors */
  fprintf(f, "  %-22s %14s %12s %16s%s %8s", "category", "count", "avg_cyc", "total_cyc", sampled ? "      +-" : "",
          "share");
  for (int e = 0; e < nev; e++) fprintf(f, " %16s", evn[e]);
  fputc('\n', f);
  for (int i = 0; i < k; i++) {
    const struct cat *c = &last->tab.cats[rows[i]];
    struct stat_mean cnt = stat_mean_of(runs, n, cat_count, c->name);
    struct stat_mean tot = stat_mean_of(runs, n, cat_total, c->name);
    struct stat_mean sh = stat_mean_of(runs, n, cat_share, c->name);
    fprintf(f, "  %-22s %14s %12s %16s", c->name, grouped(cnt.mean, b1, sizeof b1),
            grouped(cnt.mean > 0 ? tot.mean / cnt.mean : 0, b2, sizeof b2), grouped(tot.mean, b3, sizeof b3));
    if (sampled) {
      double se = stat_cat_stderr(runs, n, c->name);
      if (se < 0)
        fprintf(f, " %7s", "?");
      else
        fprintf(f, " %6.1f%%", tot.mean > 0 ? 100.0 * se / tot.mean : 0);
    }
    fprintf(f, " %7.2f%%", 100.0 * sh.mean);
    for (int e = 0; e < nev; e++) {
      const struct ev *ev = event_of(c, evn[e]);
      if (!ev || ev->unsupported)
        fprintf(f, " %16s", "<not supported>");
      else if (ev->uncounted)
        fprintf(f, " %16s", "<not counted>");
      else
        fprintf(f, " %16s", grouped(ev->value, b1, sizeof b1));
    }
    if (n > 1) fprintf(f, "  ( +- %5.2f%% )", tot.rel_pct);
    fputc('\n', f);
  }
  if (!k) fprintf(f, "  (nothing recorded)\n");
}

static void print_top_level(FILE *f, const struct profile *runs, int n) {
  const struct profile *last = &runs[n - 1];
  double calls = stat_mean_of(runs, n, cat_count, "hak_alloc").mean + stat_mean_of(runs, n, cat_count, "hak_free").mean;
  double top = stat_mean_of(runs, n, cat_total, "hak_alloc").mean + stat_mean_of(runs, n, cat_total, "hak_free").mean;
  char b1[40], b2[40];
  fprintf(f, "\n  top level (hak_alloc + hak_free): %s calls, %s cycles", grouped(calls, b1, sizeof b1),
          grouped(top, b2, sizeof b2));
  if (last->tsc_hz > 0) fprintf(f, ", %.6f s at %.2f GHz", top / last->tsc_hz, last->tsc_hz / 1e9);
  fprintf(f, "\n  times are inclusive (a category includes those nested in it); share = total / top level\n");
  if (last->sample_every > 1)
    fprintf(f, "  counts are exact; malloc/free, the slab tiers' fast paths and blocks of 18 KiB-1 MiB are timed on\n"
               "  ~1 call in %u and their totals estimated, +- one standard error (? when none was timed)\n",
            last->sample_every);
  double ac, fc, intr = stat_cat_interrupted(runs, n, "hak_alloc", &ac) + stat_cat_interrupted(runs, n, "hak_free", &fc);
  if (intr > 0) {
    char b3[40], b4[40];
    fprintf(f, "  interrupted: %s timed malloc/free calls took over %d cycles besides the exact work nested in\n"
               "  them (%s cycles: interrupts, preemption), set aside and estimated from the other calls\n",
            grouped(intr, b3, sizeof b3), HKM_PROF_INTERRUPTED, grouped(ac + fc, b4, sizeof b4));
  }
}

static void print_induced(FILE *f, const struct profile *p) {
  if (!p->has_induced) return;
  double all = p->induced_other;
  for (int i = 0; i < p->tab.n; i++) all += p->tab.cats[i].induced;
  char b[40];
  fprintf(f, "\n  induced %s (taken by the program on memory each category handed out):\n",
          p->induced_event[0] ? p->induced_event : "page faults");
  int order[MAX_ROWS], k = 0;
  for (int i = 0; i < p->tab.n && k < MAX_ROWS; i++) { /* most faults first */
    if (!p->tab.cats[i].has_induced || p->tab.cats[i].induced <= 0) continue;
    int j = k++;
    while (j > 0 && p->tab.cats[order[j - 1]].induced < p->tab.cats[i].induced) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  for (int i = 0; i < k; i++) {
    const struct cat *c = &p->tab.cats[order[i]];
    fprintf(f, "  %-22s %14s %7.2f%%\n", c->name, grouped(c->induced, b, sizeof b), all > 0 ? 100 * c->induced / all : 0);
  }
  fprintf(f, "  %-22s %14s %7.2f%%\n", "other", grouped(p->induced_other, b, sizeof b),
          all > 0 ? 100 * p->induced_other / all : 0);
  if (p->induced_lost > 0) fprintf(f, "  (%s records lost by the kernel)\n", grouped(p->induced_lost, b, sizeof b));
}

static void print_event_errors(FILE *f, const struct profile *p) {
  for (int i = 0; i < p->nerr; i++)
    fprintf(f, "%s  <not supported> %s\n", i ? "" : "\n", p->event_errors[i]);
}

static void print_reclaim(FILE *f, const struct profile *p) {
  if (!p->has_reclaim) return;
  char b1[40], b2[40], b3[40];
  /* bytes: the ranges' lengths, pages resident or not; RSS is what the totals' peak RSS shows */
  fprintf(f, "\n  reclaim (%s): %s batches, %s ranges, %s bytes of address space (resident or not), %.2f ranges/batch, "
             "%.0f fallbacks\n", p->backend,
          grouped(p->rc_batches, b1, sizeof b1), grouped(p->rc_ranges, b2, sizeof b2),
          grouped(p->rc_bytes, b3, sizeof b3), p->rc_batches > 0 ? p->rc_ranges / p->rc_batches : 0,
          p->rc_fallbacks);
}

static void print_totals(FILE *f, const struct profile *runs, int n) {
  static const char *const label[] = {"seconds wall", "seconds user", "seconds sys", "KiB peak RSS",
                                      "page faults", "minor faults", "major faults", "processes on hakmem",
                                      "threads on hakmem", "mmap calls", "munmap calls", "madvise calls"};
  char b[40];
  fputc('\n', f);
  for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
    /* the call counts of a library without os_calls come from the syscall_* categories, which a
     * --disable-timing build lacks */
    if (runs[n - 1].compiled_out && !runs[n - 1].has_os_calls && strstr(totals[i].name, "_calls")) continue;
    struct stat_mean m = stat_mean_of(runs, n, totals[i].get, NULL);
    if (!strcmp(totals[i].unit, "s"))
      fprintf(f, "  %16.6f  %s", m.mean, label[i]);
    else
      fprintf(f, "  %16s  %s", grouped(m.mean, b, sizeof b), label[i]);
    if (n > 1) fprintf(f, "%*s( +- %5.2f%% )", (int)(24 - strlen(label[i])), "", m.rel_pct);
    fputc('\n', f);
  }
}

static void print_table_brief(FILE *f, const struct table *t, const char *indent) {
  char b1[40], b2[40];
  int shown = 0, order[MAX_ROWS], k = 0;
  for (int i = 0; i < t->n && k < MAX_ROWS; i++) { /* largest total first */
    if (t->cats[i].count <= 0) continue;
    int j = k++;
    while (j > 0 && t->cats[order[j - 1]].total < t->cats[i].total) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = i;
  }
  for (int i = 0; i < k; i++) {
    const struct cat *c = &t->cats[order[i]];
    fprintf(f, "%s%-22s %14s %16s %7.2f%%\n", indent, c->name, grouped(c->count, b1, sizeof b1),
            grouped(c->total, b2, sizeof b2), t->top > 0 ? 100 * c->total / t->top : 0);
    shown++;
  }
  if (!shown) fprintf(f, "%s(nothing recorded)\n", indent);
}

static void print_per_process(FILE *f, const struct profile *p) {
  fprintf(f, "\n  per process:\n");
  for (int i = 0; i < p->nproc; i++) {
    const struct proc *pr = &p->procs[i];
    fprintf(f, "  pid %ld (parent %ld, %.0f thread%s): '%s'\n", pr->pid, pr->ppid, pr->threads,
            pr->threads == 1 ? "" : "s", pr->command);
    if (*pr->ending) fprintf(f, "    ended: %s\n", pr->ending);
    print_table_brief(f, &pr->tab, "    ");
  }
}

/* Cycles a thread spent in the system calls hakmem makes (the syscall_* categories): shows which
 * thread really paid for mmap/munmap/madvise, e.g. the release helper rather than the program. */
static double syscall_cycles(const struct table *t) {
  double sum = 0;
  for (int i = 0; i < t->n; i++)
    if (!strncmp(t->cats[i].name, "syscall_", 8)) sum += t->cats[i].total;
  return sum;
}

/* The category a thread spent the most cycles in, or NULL when it recorded nothing: for a thread that
 * made no malloc/free calls (the release helper) it says what the thread did instead. */
static const struct cat *busiest(const struct table *t) {
  const struct cat *best = NULL;
  for (int i = 0; i < t->n; i++)
    if (t->cats[i].count > 0 && (!best || t->cats[i].total > best->total)) best = &t->cats[i];
  return best;
}

static void print_per_thread(FILE *f, const struct profile *p) {
  char b1[40], b2[40], b3[40], b4[40], b5[40];
  int shown = 0;
  fprintf(f, "\n  per thread:\n  %8s %12s %-8s %14s %14s %16s %8s %16s  %s\n", "pid", "tid", "state", "hak_alloc",
          "hak_free", "top_level_cyc", "share", "syscall_cyc", "busiest (cycles)");
  for (int i = 0; i < p->nthread; i++) {
    const struct thread *t = &p->threads_v[i];
    const struct cat *a = stat_cat(&t->tab, "hak_alloc"), *fr = stat_cat(&t->tab, "hak_free"), *b = busiest(&t->tab);
    if (!b) continue; /* a line of zeros says nothing */
    char tid[32];
    if (t->tid < 0)
      snprintf(tid, sizeof tid, "other(%.0f)", t->threads);
    else
      snprintf(tid, sizeof tid, "%ld", t->tid);
    fprintf(f, "  %8ld %12s %-8s %14s %14s %16s %7.2f%% %16s  %s (%s)\n", t->pid, tid,
            t->tid < 0 ? "-" : t->exited ? "exited" : "live",
            grouped(a ? a->count : 0, b1, sizeof b1), grouped(fr ? fr->count : 0, b2, sizeof b2),
            grouped(t->tab.top, b3, sizeof b3), p->tab.top > 0 ? 100 * t->tab.top / p->tab.top : 0,
            grouped(syscall_cycles(&t->tab), b4, sizeof b4), b->name, grouped(b->total, b5, sizeof b5));
    shown++;
  }
  if (!shown) fprintf(f, "  (no thread recorded)\n");
  else if (shown < p->nthread)
    fprintf(f, "  (%d thread%s with nothing recorded not listed)\n", p->nthread - shown,
            p->nthread - shown == 1 ? "" : "s");
}


static void print_sites(FILE *f, const struct profile *p, int max) {
  const struct site *s = p->sites; /* sorted by cycles */
  char b1[40], b2[40];
  fprintf(f, "\n  top %d call sites by allocation cycles (%.0f sites seen, %.0f allocations not told apart):\n", max,
          p->sites_distinct, p->sites_dropped);
  fprintf(f, "  %16s %8s %14s  %s\n", "cycles", "share", "allocations", "site");
  for (int i = 0; i < p->nsite && i < max; i++)
    fprintf(f, "  %16s %7.2f%% %14s  %s\n", grouped(s[i].cycles, b1, sizeof b1),
            p->tab.top > 0 ? 100 * s[i].cycles / p->tab.top : 0, grouped(s[i].count, b2, sizeof b2), s[i].label);
  if (p->nisite) {
    fprintf(f, "\n  top %d call sites by induced %s:\n  %16s  %-14s %s\n", max,
            p->induced_event[0] ? p->induced_event : "page faults", "faults", "category", "site");
    for (int i = 0; i < p->nisite && i < max; i++)
      fprintf(f, "  %16s  %-14s %s\n", grouped(p->isites[i].faults, b1, sizeof b1), p->isites[i].category,
              p->isites[i].label);
  }
}

void stat_print_text(FILE *f, const struct stat_opts *o, const struct profile *runs, int n) {
  const struct profile *last = &runs[n - 1];
  char *cmd = stat_command_string(o->argv);
  fprintf(f, "\n hakmem profile for '%s'", cmd ? cmd : o->argv[0]);
  if (n > 1) fprintf(f, " (%d runs)", n);
  fprintf(f, ":\n\n");
  free(cmd);
  if (!last->reports)
    fprintf(f, "  no process reported: the command never ran hakmem (static binaries not linked with libhakmem.a "
               "and setuid programs do not load LD_PRELOAD), or it was killed before its exit\n");
  else if (last->compiled_out)
    fprintf(f, "  this libhakmem was built with --disable-timing: no per-category figures, process totals only\n");
  else {
    print_categories(f, o, runs, n);
    print_top_level(f, runs, n);
    print_induced(f, last);
    print_event_errors(f, last);
  }
  print_reclaim(f, last);
  if (o->per_process) print_per_process(f, last);
  if (o->per_thread) print_per_thread(f, last);
  if (o->sites) print_sites(f, last, o->sites);
  if (o->sites) stat_print_learned_sites(f, last, o->sites);
  if (n > 1 && (o->per_process || o->per_thread || o->sites)) fprintf(f, "  (of the last run)\n");
  print_totals(f, runs, n);
  if (*last->endings) fprintf(f, "\n  processes that did not leave through exit(): %s\n", last->endings);
  if (last->unreadable) fprintf(f, "\n  %d report line%s unreadable (a process killed while writing?)\n",
                                last->unreadable, last->unreadable == 1 ? "" : "s");
  fputc('\n', f);
}

/* CSV: one figure per line, so that columns never shift as fields come and go. With several runs
 * every line has the stddev column; it is empty (rel < 0) for figures of the last run only. Each
 * column has one number format whatever the figure (a count, a mean over runs, a fraction): a
 * reader never meets "300" in one row and "0.500000" in the next. */
static void csv_line(FILE *f, const char *sep, const char *section, const char *name, const char *field, double v,
                     double rel, int n) {
  fprintf(f, "%s%s%s%s%s%s", section, sep, name, sep, field, sep);
  if (isnan(v))
    fputs("<not supported>", f);
  else
    fprintf(f, "%.6f", v);
  if (n > 1) {
    fputs(sep, f);
    if (rel >= 0) fprintf(f, "%.2f", rel);
  }
  fputc('\n', f);
}

void stat_print_csv(FILE *f, const struct stat_opts *o, const struct profile *runs, int n) {
  const char *sep = o->sep;
  const struct profile *last = &runs[n - 1];
  fprintf(f, "section%sname%sfield%svalue", sep, sep, sep);
  if (n > 1) fprintf(f, "%srel_stddev_pct", sep);
  fputc('\n', f);
  int rows[MAX_ROWS], k = sorted_rows(runs, n, rows);
  for (int i = 0; i < k; i++) {
    const struct cat *c = &last->tab.cats[rows[i]];
    struct stat_mean cnt = stat_mean_of(runs, n, cat_count, c->name);
    struct stat_mean tot = stat_mean_of(runs, n, cat_total, c->name);
    struct stat_mean sh = stat_mean_of(runs, n, cat_share, c->name);
    csv_line(f, sep, "category", c->name, "count", cnt.mean, cnt.rel_pct, n);
    csv_line(f, sep, "category", c->name, "total_cycles", tot.mean, tot.rel_pct, n);
    csv_line(f, sep, "category", c->name, "share", sh.mean, sh.rel_pct, n);
    for (int e = 0; e < c->nev; e++)
      csv_line(f, sep, "event", c->name, c->ev[e].name, c->ev[e].unsupported || c->ev[e].uncounted ? NAN : c->ev[e].value,
               -1, n);
    if (c->has_induced) csv_line(f, sep, "induced_faults", c->name, "faults", c->induced, -1, n);
  }
  if (last->has_induced) csv_line(f, sep, "induced_faults", "other", "faults", last->induced_other, -1, n);
  if (last->has_reclaim) {
    csv_line(f, sep, "reclaim", last->backend, "batches", last->rc_batches, -1, n);
    csv_line(f, sep, "reclaim", last->backend, "ranges", last->rc_ranges, -1, n);
    csv_line(f, sep, "reclaim", last->backend, "bytes", last->rc_bytes, -1, n);
    csv_line(f, sep, "reclaim", last->backend, "fallbacks", last->rc_fallbacks, -1, n);
  }
  for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
    struct stat_mean m = stat_mean_of(runs, n, totals[i].get, NULL);
    csv_line(f, sep, "total", totals[i].name, totals[i].unit[0] ? totals[i].unit : "count", m.mean, m.rel_pct, n);
  }
  if (o->sites) {
    const struct site *s = last->sites; /* sorted by cycles */
    for (int i = 0; i < last->nsite && i < o->sites; i++) {
      csv_line(f, sep, "site", s[i].label, "cycles", s[i].cycles, -1, n);
      csv_line(f, sep, "site", s[i].label, "allocations", s[i].count, -1, n);
    }
    for (int i = 0; i < last->nisite && i < o->sites; i++)
      csv_line(f, sep, "induced_site", last->isites[i].label, last->isites[i].category, last->isites[i].faults, -1, n);
  }
}
