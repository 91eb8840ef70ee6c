/* Adding up the reports of one run: every process's line, category by category (counts and cycles
 * add, min and max take the extremes), and the per-process, per-thread and per-site views, with the
 * PMU parts when present: per-category "events" ({name: number or null}), "pmu" (why an event could
 * not be counted) and "induced" (page faults by the category and call site that handed out the
 * memory; hakmem(3) documents them). */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem-stat.h"

void *stat_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) {
    fputs("hakmem-stat: out of memory\n", stderr);
    exit(125);
  }
  return p;
}

static char *xstrdup(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d) {
    fputs("hakmem-stat: out of memory\n", stderr);
    exit(125);
  }
  return d;
}

const struct cat *stat_cat(const struct table *t, const char *name) {
  for (int i = 0; i < t->n; i++)
    if (!strcmp(t->cats[i].name, name)) return &t->cats[i];
  return NULL;
}

/* The category of that name, added (in report order) when new. */
static struct cat *cat_of(struct table *t, const char *name, const char *parent) {
  for (int i = 0; i < t->n; i++)
    if (!strcmp(t->cats[i].name, name)) return &t->cats[i];
  t->cats = stat_xrealloc(t->cats, (size_t)(t->n + 1) * sizeof *t->cats);
  struct cat *c = &t->cats[t->n++];
  memset(c, 0, sizeof *c);
  c->name = xstrdup(name);
  c->parent = parent ? xstrdup(parent) : NULL;
  return c;
}

/* The report being added: its "pmu" says which events it could not count at all. */
static const struct jval *cur_pmu;

static int event_unsupported(const char *name) {
  const struct jval *evs = json_get(cur_pmu, "events");
  for (size_t i = 0; evs && evs->t == J_ARR && i < evs->n; i++) {
    const char *n = json_str(json_get(evs->items[i], "name"));
    const struct jval *sup = json_get(evs->items[i], "supported");
    if (n && !strcmp(n, name)) return !(sup && sup->t == J_BOOL && sup->b);
  }
  return 1; /* a report that does not say: as before, null means not supported */
}

static void add_events(struct cat *c, const struct jval *events) {
  if (!events || events->t != J_OBJ) return;
  for (size_t i = 0; i < events->n; i++) {
    int k;
    for (k = 0; k < c->nev; k++)
      if (!strcmp(c->ev[k].name, events->keys[i])) break;
    if (k == c->nev) {
      if (c->nev == STAT_MAX_EVENTS) continue;
      c->ev[c->nev].name = xstrdup(events->keys[i]);
      c->ev[c->nev].value = 0;
      c->ev[c->nev].unsupported = 0;
      c->ev[c->nev].uncounted = 0;
      c->nev++;
    }
    if (events->items[i]->t == J_NUM)
      c->ev[k].value += events->items[i]->num;
    else if (event_unsupported(events->keys[i]))
      c->ev[k].unsupported = 1; /* null: the event could not be counted in some process */
    else
      c->ev[k].uncounted = 1; /* counted, but on none of this category's measurements there */
  }
}

/* One category object (a report's, or a per-thread entry's {count, total_cycles}) into t. */
static void add_cat(struct table *t, const char *name, const struct jval *o) {
  const char *parent = json_str(json_get(o, "parent"));
  struct cat *c = cat_of(t, name, parent);
  double count = json_num(json_get(o, "count"), 0);
  c->count += count;
  c->total += json_num(json_get(o, "total_cycles"), 0);
  /* a library before sampling (schema version 1) timed every call and has neither field */
  c->timed += json_num(json_get(o, "timed"), count);
  const struct jval *se = json_get(o, "total_cycles_stderr");
  if (se && se->t != J_NUM && count > 0)
    c->var = -1;
  else if (se && c->var >= 0)
    c->var += se->num * se->num;
  c->ns += json_num(json_get(o, "total_ns"), 0);
  const struct jval *mn = json_get(o, "min_cycles"), *mx = json_get(o, "max_cycles");
  if (count > 0 && mn && (!c->has_min || mn->num < c->min)) {
    c->min = mn->num;
    c->has_min = 1;
  }
  if (mx && mx->num > c->max) c->max = mx->num;
  c->intr += json_num(json_get(o, "interrupted"), 0);
  c->intr_cycles += json_num(json_get(o, "interrupted_cycles"), 0);
  add_events(c, json_get(o, "events"));
}

static void finish_table(struct table *t) {
  const struct cat *a = stat_cat(t, "hak_alloc"), *f = stat_cat(t, "hak_free");
  t->top = (a ? a->total : 0) + (f ? f->total : 0);
}

static void add_categories(struct table *t, const struct jval *cats) {
  if (!cats) return;
  if (cats->t == J_ARR) {
    for (size_t i = 0; i < cats->n; i++) {
      const char *name = json_str(json_get(cats->items[i], "name"));
      if (name) add_cat(t, name, cats->items[i]);
    }
  } else if (cats->t == J_OBJ) { /* per_thread: {name: {count, total_cycles}} */
    for (size_t i = 0; i < cats->n; i++) add_cat(t, cats->keys[i], cats->items[i]);
  }
  finish_table(t);
}

static const char *basename_of(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* A call site's one spelling, for allocation sites and induced-fault sites alike (text, CSV, JSON):
 * "function+0xoff (object)" when the object exports the function, else "object+0xoff" (the offset
 * addr2line -e object takes), else the address. sym may carry its offset already ("fn+0x.."), as the
 * induced sites give it; symoff is then NULL. */
static void site_label(char *label, size_t cap, const char *obj, const char *sym, const struct jval *symoff,
                       const struct jval *objoff, const char *addr) {
  if (sym && obj && symoff && symoff->t == J_NUM)
    snprintf(label, cap, "%s+0x%llx (%s)", sym, (unsigned long long)symoff->num, basename_of(obj));
  else if (sym && obj && !symoff)
    snprintf(label, cap, "%s (%s)", sym, basename_of(obj));
  else if (obj && objoff && objoff->t == J_NUM)
    snprintf(label, cap, "%s+0x%llx", basename_of(obj), (unsigned long long)objoff->num);
  else
    snprintf(label, cap, "%s", addr ? addr : "?");
}

static void add_site(struct profile *p, const struct jval *o) {
  const char *obj = json_str(json_get(o, "object")), *sym = json_str(json_get(o, "symbol"));
  char label[512];
  site_label(label, sizeof label, obj, sym, json_get(o, "symbol_offset"), json_get(o, "object_offset"),
             json_str(json_get(o, "addr")));
  struct site *s = NULL;
  for (int i = 0; i < p->nsite; i++)
    if (!strcmp(p->sites[i].label, label)) s = &p->sites[i];
  if (!s) {
    p->sites = stat_xrealloc(p->sites, (size_t)(p->nsite + 1) * sizeof *p->sites);
    s = &p->sites[p->nsite++];
    memset(s, 0, sizeof *s);
    s->label = xstrdup(label);
  }
  s->count += json_num(json_get(o, "count"), 0);
  s->cycles += json_num(json_get(o, "total_cycles"), 0);
}

static void add_isite(struct profile *p, const struct jval *o) {
  const char *obj = json_str(json_get(o, "object")), *sym = json_str(json_get(o, "symbol"));
  const char *cat = json_str(json_get(o, "category"));
  char label[512];
  site_label(label, sizeof label, obj, sym, NULL, json_get(o, "object_offset"), json_str(json_get(o, "address")));
  struct isite *s = NULL;
  for (int i = 0; i < p->nisite; i++)
    if (!strcmp(p->isites[i].label, label) && !strcmp(p->isites[i].category, cat ? cat : "")) s = &p->isites[i];
  if (!s) {
    p->isites = stat_xrealloc(p->isites, (size_t)(p->nisite + 1) * sizeof *p->isites);
    s = &p->isites[p->nisite++];
    s->label = xstrdup(label);
    s->category = xstrdup(cat);
    s->faults = 0;
  }
  s->faults += json_num(json_get(o, "faults"), 0);
}

/* induced: the first event that could be sampled gives the faults by category and by site. */
static void add_induced(struct profile *p, const struct jval *ind) {
  if (!ind || ind->t != J_OBJ) return;
  const struct jval *evs = json_get(ind, "events"), *ev = NULL;
  for (size_t i = 0; evs && evs->t == J_ARR && i < evs->n && !ev; i++) {
    const struct jval *sup = json_get(evs->items[i], "supported");
    if (sup && sup->t == J_BOOL && sup->b) ev = evs->items[i];
  }
  p->induced_lost += json_num(json_get(ind, "lost"), 0);
  if (!ev) return;
  p->has_induced = 1;
  const char *name = json_str(json_get(ev, "name"));
  if (name && !p->induced_event[0]) snprintf(p->induced_event, sizeof p->induced_event, "%s", name);
  const struct jval *cats = json_get(ev, "categories");
  for (size_t i = 0; cats && cats->t == J_OBJ && i < cats->n; i++) {
    struct cat *c = cat_of(&p->tab, cats->keys[i], NULL);
    c->induced += json_num(cats->items[i], 0);
    c->has_induced = 1;
  }
  p->induced_other += json_num(json_get(ev, "other"), 0);
  const struct jval *sites = json_get(ind, "sites");
  for (size_t i = 0; sites && sites->t == J_ARR && i < sites->n; i++) add_isite(p, sites->items[i]);
}

/* pmu.events: the reason each event that could not be counted gave, once per name. */
static void add_event_errors(struct profile *p, const struct jval *pmu) {
  const struct jval *evs = json_get(pmu, "events");
  for (size_t i = 0; evs && evs->t == J_ARR && i < evs->n; i++) {
    const char *name = json_str(json_get(evs->items[i], "name")), *err = json_str(json_get(evs->items[i], "error"));
    const struct jval *sup = json_get(evs->items[i], "supported");
    if (!name || (sup && sup->t == J_BOOL && sup->b)) continue;
    char line[512];
    snprintf(line, sizeof line, "%s: %s", name, err ? err : "not supported");
    int seen = 0;
    for (int k = 0; k < p->nerr; k++) seen |= !strcmp(p->event_errors[k], line);
    if (seen) continue;
    p->event_errors = stat_xrealloc(p->event_errors, (size_t)(p->nerr + 1) * sizeof *p->event_errors);
    p->event_errors[p->nerr++] = xstrdup(line);
  }
}

static void add_reclaim(struct profile *p, const struct jval *rc) {
  if (!rc || rc->t != J_OBJ) return;
  const char *b = json_str(json_get(rc, "backend"));
  if (b) {
    if (!p->has_reclaim)
      snprintf(p->backend, sizeof p->backend, "%s", b);
    else if (strcmp(p->backend, b))
      snprintf(p->backend, sizeof p->backend, "mixed");
  }
  p->has_reclaim = 1;
  p->rc_batches += json_num(json_get(rc, "batches"), 0);
  p->rc_ranges += json_num(json_get(rc, "ranges"), 0);
  p->rc_bytes += json_num(json_get(rc, "bytes"), 0);
  p->rc_fallbacks += json_num(json_get(rc, "fallbacks"), 0);
}

/* How the processes ended (hakmem-stat-collect.c's "ending"): each process's in words, and a count
 * per way of ending other than exit() for the summary. */
enum { END_EXIT_, END_SIGNAL, END_EXEC, END_NO_HANDLER, END_UNKNOWN, END_KINDS };

static void add_ending(struct profile *p, struct proc *pr, const struct jval *e) {
  const char *how = json_str(json_get(e, "how")), *sig = json_str(json_get(e, "signal"));
  const struct jval *code = json_get(e, "exit_code");
  int have_code = code && code->t == J_NUM;
  if (!how || !strcmp(how, "exit")) {
    if (have_code && code->num != 0) snprintf(pr->ending, sizeof pr->ending, "exit status %.0f", code->num);
    return;
  }
  int kind;
  if (!strcmp(how, "_exit")) {
    kind = END_EXIT_;
    snprintf(pr->ending, sizeof pr->ending, "_exit(%.0f)", have_code ? code->num : 0);
  } else if (!strcmp(how, "signal")) {
    kind = END_SIGNAL;
    snprintf(pr->ending, sizeof pr->ending, "killed by %s", sig ? sig : "a signal");
    if (sig && !strstr(p->signals, sig) && strlen(p->signals) + strlen(sig) + 3 < sizeof p->signals)
      snprintf(p->signals + strlen(p->signals), sizeof p->signals - strlen(p->signals), "%s%s", *p->signals ? ", " : "",
               sig);
  } else if (!strcmp(how, "exec")) {
    kind = END_EXEC;
    snprintf(pr->ending, sizeof pr->ending, "execve into another program on hakmem");
  } else if (!strcmp(how, "no_handler")) {
    kind = END_NO_HANDLER;
    if (have_code)
      snprintf(pr->ending, sizeof pr->ending, "ended without hakmem's exit handler (status %.0f)", code->num);
    else
      snprintf(pr->ending, sizeof pr->ending, "ended without hakmem's exit handler");
  } else {
    kind = END_UNKNOWN;
    snprintf(pr->ending, sizeof pr->ending, "how it ended is not known");
  }
  p->ended[kind]++;
}

/* The summary of the endings other than exit(), in words; "" when every process left through exit(). */
static void summarize_endings(struct profile *p) {
  static const char *const words[END_KINDS] = {"through _exit", "killed by a signal", "by an execve into another program on hakmem",
                                               "without hakmem's exit handler (an execve into a program not on hakmem, or an "
                                               "exit that ran no handlers)",
                                               "in a way not known (still running, or reaped by a parent not on hakmem)"};
  size_t n = 0;
  for (int k = 0; k < END_KINDS; k++) {
    if (!p->ended[k]) continue;
    n += (size_t)snprintf(p->endings + n, sizeof p->endings - n, "%s%d %s%s%s%s", n ? "; " : "", p->ended[k],
                          words[k], k == END_SIGNAL ? " (" : "", k == END_SIGNAL ? p->signals : "",
                          k == END_SIGNAL ? ")" : "");
    if (n >= sizeof p->endings) n = sizeof p->endings - 1;
  }
}

static void add_report(struct profile *p, struct jval *rep) {
  long pid = (long)json_num(json_get(rep, "pid"), 0);
  const struct jval *tc = json_get(rep, "timing_compiled");
  if (tc && tc->t == J_BOOL && !tc->b) p->compiled_out = 1;
  if (!p->tsc_hz) p->tsc_hz = json_num(json_get(rep, "tsc_hz"), 0);
  double every = json_num(json_get(rep, "sample_every"), 1);
  if (every > p->sample_every) p->sample_every = (unsigned)every;
  p->threads += json_num(json_get(rep, "threads"), 0);

  const struct jval *cats = json_get(rep, "categories");
  cur_pmu = json_get(rep, "pmu");
  add_categories(&p->tab, cats);
  const struct jval *os = json_get(rep, "os_calls");
  if (os && os->t == J_OBJ) {
    p->has_os_calls = 1;
    p->mmaps += json_num(json_get(os, "mmap"), 0);
    p->munmaps += json_num(json_get(os, "munmap"), 0);
    p->madvises += json_num(json_get(os, "madvise"), 0);
  }

  p->procs = stat_xrealloc(p->procs, (size_t)(p->nproc + 1) * sizeof *p->procs);
  struct proc *pr = &p->procs[p->nproc++];
  memset(pr, 0, sizeof *pr);
  pr->pid = pid;
  pr->ppid = (long)json_num(json_get(rep, "ppid"), 0);
  pr->command = xstrdup(json_str(json_get(rep, "command")));
  add_ending(p, pr, json_get(rep, "ending"));
  pr->threads = json_num(json_get(rep, "threads"), 0);
  add_categories(&pr->tab, cats);

  const struct jval *pt = json_get(rep, "per_thread");
  for (size_t i = 0; pt && pt->t == J_ARR && i < pt->n; i++) {
    const struct jval *o = pt->items[i];
    p->threads_v = stat_xrealloc(p->threads_v, (size_t)(p->nthread + 1) * sizeof *p->threads_v);
    struct thread *t = &p->threads_v[p->nthread++];
    memset(t, 0, sizeof *t);
    t->pid = pid;
    t->tid = (long)json_num(json_get(o, "tid"), -1);
    const struct jval *ex = json_get(o, "exited");
    t->exited = ex && ex->t == J_BOOL && ex->b;
    t->threads = json_num(json_get(o, "threads"), 1);
    add_categories(&t->tab, json_get(o, "categories"));
  }

  const struct jval *sites = json_get(rep, "sites");
  for (size_t i = 0; sites && sites->t == J_ARR && i < sites->n; i++) add_site(p, sites->items[i]);
  p->sites_distinct += json_num(json_get(rep, "sites_distinct"), 0);
  p->sites_dropped += json_num(json_get(rep, "sites_dropped"), 0);

  add_induced(p, json_get(rep, "induced"));
  add_event_errors(p, json_get(rep, "pmu"));
  add_reclaim(p, json_get(rep, "reclaim"));

  p->raw = stat_xrealloc(p->raw, (size_t)(p->nraw + 1) * sizeof *p->raw);
  p->raw[p->nraw++] = rep;
}

static int by_cycles(const void *a, const void *b) {
  const struct site *x = a, *y = b;
  return x->cycles < y->cycles ? 1 : x->cycles > y->cycles ? -1 : strcmp(x->label, y->label);
}

static int by_faults(const void *a, const void *b) {
  const struct isite *x = a, *y = b;
  return x->faults < y->faults ? 1 : x->faults > y->faults ? -1 : strcmp(x->label, y->label);
}

void stat_aggregate(const struct run_result *r, struct profile *p) {
  memset(p, 0, sizeof *p);
  p->t = r->t;
  const char *s = r->profile, *end = r->profile ? r->profile + r->profile_len : NULL;
  while (s && s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *le = nl ? nl : end;
    if (le > s) {
      const char *err;
      struct jval *rep = json_parse(s, (size_t)(le - s), &err);
      const char *schema = json_str(json_get(rep, "schema"));
      if (rep && schema && !strcmp(schema, "hakmem-profile")) {
        add_report(p, rep);
        p->reports++;
      } else {
        json_free(rep);
        p->unreadable++; /* e.g. a process killed while it wrote its line */
      }
    }
    s = le + 1;
  }
  finish_table(&p->tab);
  summarize_endings(p);
  if (p->nsite) qsort(p->sites, (size_t)p->nsite, sizeof *p->sites, by_cycles);
  if (p->nisite) qsort(p->isites, (size_t)p->nisite, sizeof *p->isites, by_faults);
  const struct cat *c;
  if (!p->has_os_calls) { /* a library from before os_calls */
    p->mmaps = (c = stat_cat(&p->tab, "syscall_mmap")) ? c->count : 0;
    p->munmaps = (c = stat_cat(&p->tab, "syscall_munmap")) ? c->count : 0;
    p->madvises = (c = stat_cat(&p->tab, "syscall_madvise")) ? c->count : 0;
  }
}

double stat_cat_stderr(const struct profile *runs, int n, const char *name) {
  double var = 0;
  for (int i = 0; i < n; i++) {
    const struct cat *c = stat_cat(&runs[i].tab, name);
    if (!c) continue;
    if (c->var < 0) return -1;
    var += c->var;
  }
  return n > 0 ? sqrt(var) / n : 0;
}

double stat_cat_interrupted(const struct profile *runs, int n, const char *name, double *cycles) {
  double calls = 0;
  *cycles = 0;
  for (int r = 0; r < n; r++) {
    const struct cat *c = stat_cat(&runs[r].tab, name);
    if (!c) continue;
    calls += c->intr / n;
    *cycles += c->intr_cycles / n;
  }
  return calls;
}

struct stat_mean stat_mean_of(const struct profile *runs, int n, double (*get)(const struct profile *, const void *),
                              const void *arg) {
  struct stat_mean m = {0, 0};
  if (n <= 0) return m;
  double sum = 0, sq = 0;
  for (int i = 0; i < n; i++) sum += get(&runs[i], arg);
  m.mean = sum / n;
  if (n < 2 || m.mean == 0) return m;
  for (int i = 0; i < n; i++) {
    double d = get(&runs[i], arg) - m.mean;
    sq += d * d;
  }
  /* perf stat's figure: the standard deviation of the mean, relative to the mean */
  m.rel_pct = 100.0 * sqrt(sq / (n - 1) / n) / fabs(m.mean);
  return m;
}
