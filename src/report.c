/* The profile report: text for people, JSON for tools, both from one snapshot (prof.c).
 *
 * Written at exit when HAKMEM_TIMING=1, and on demand by hak_prof_report(). The report is formatted
 * into a buffer on the stack and written with write(2), so the exit report needs neither malloc nor
 * stdio; HAKMEM_TIMING_FILE may name a path (opened for append, so that the reports of a forked or
 * exec'd child land beside their parent's instead of over it), "fd:N", or nothing for stderr.
 *
 * Times are inclusive: a category's time includes the categories nested in it (hkm_cat_parent), e.g.
 * tiny_alloc inside hak_alloc. The timer's bias (the least an empty measurement records) is taken off
 * every figure, and what a measurement adds to the timed call (or tier step) it ends in is taken off
 * that call's (a refill's inside a timed slab call, the tier's step inside a timed large one: ~80
 * cycles each, against the 10-20 a slab call costs); an exact category still includes what each
 * measurement nested in it costs.
 * All three figures are printed.
 *
 * Counts are exact. The cycles of the sampled categories (prof.h: the malloc/free calls, the slab
 * tiers' fast paths, remote frees, page runs and L2.5 runs) are those of the first calls of each size
 * class and thread (the census), plus an estimate from the later calls that were timed (about one in
 * HAKMEM_TIMING_SAMPLE), with its standard error; every other category is timed on every call.
 *
 * JSON schema "hakmem-profile", version 2 (version 1 had no sampling: count was the number of
 * measurements and total_cycles their sum). One object per report, on one line (a file may therefore
 * hold several reports, one per line). Fields are only ever added within a version; a removed or
 * changed field gets a new version number.
 *   schema                  "hakmem-profile"
 *   version                 2
 *   pid                     process id of the reporting process
 *   ppid                    its parent's process id
 *   command                 the process's command line (/proc/self/cmdline, arguments joined by
 *                           spaces), at most 256 bytes of it, then "..."; "" when unreadable
 *   timing_compiled         false when built with --disable-timing (everything below is then zero)
 *   enabled                 true when HAKMEM_TIMING=1 was set at startup
 *   threads                 threads that recorded anything since start, fork or hak_prof_reset(),
 *                           exited and live ones
 *   tsc_hz                  TSC frequency: TSC ticks over CLOCK_MONOTONIC_RAW from hakmem's start to
 *                           the report (no waiting; 0 if unknown; with profiling off, from the first
 *                           report, so 0 at that one)
 *   overhead_cycles         timer bias per measurement, calibrated at the first report
 *   overhead_subtracted     true: overhead_cycles is already taken off every count's cycles below
 *   measurement_cost_cycles what one measurement costs the program; not subtracted, and exact
 *                           categories include it once per measurement nested in them
 *   nested_cost_cycles      what a measurement ending inside a timed malloc/free call or tier step
 *                           adds to that call's cycles; subtracted from the sampled categories' figures
 *   inclusive               true: a category's cycles include its nested categories'
 *   sample_every            HAKMEM_TIMING_SAMPLE: the sampled categories time about one call in this
 *                           many (1: every call, and every figure is exact)
 *   top_level_cycles        total_cycles of hak_alloc + hak_free: the denominator of share
 *   categories              array, every category in prof.h's list order, zero counts included:
 *     name                  e.g. "tiny_alloc"
 *     parent                name of the category it runs inside, or null
 *     sampled               true for a sampled category (its cycles are estimated when sample_every
 *                           is above 1), false for one timed on every call
 *     count                 calls (exact)
 *     timed                 of which timed, census included, interrupted ones not (count, for a
 *                           category timed on every call)
 *     total_cycles          cycles of all the calls: the sum over the timed ones when every call was
 *                           timed, else an estimate (see prof_block.h)
 *     total_cycles_stderr   standard error of that estimate, in cycles (0 when every call was timed)
 *     avg_cycles            total_cycles / count, rounded (0 when count is 0)
 *     min_cycles            shortest timed call (0 when none was timed)
 *     max_cycles            longest timed call
 *     interrupted           timed calls of a sampled category past the census set aside as
 *                           interrupted: nothing else measured inside, over 8192 cycles
 *                           (prof_block.h); counted, and estimated from the other calls as untimed
 *                           ones
 *     interrupted_cycles    those calls' cycles less nested exact ones, as measured: in no total
 *     total_ns              total_cycles converted with tsc_hz (0 if tsc_hz is 0)
 *     share                 total_cycles / top_level_cycles, a fraction with 6 decimals (0 when
 *                           top_level_cycles is 0); may exceed 1 for work outside the API calls,
 *                           e.g. syscalls made by the release thread
 *     events_sampled        (with HAKMEM_PMU) measurements that read the events
 *     events                (with HAKMEM_PMU) {event name: inclusive delta; where events_sampled <
 *                           count, the part measured on fewer calls is scaled up (for malloc, free and
 *                           the slab steps only their own events past the census: hakmem(3), "Events
 *                           and induced faults"); 0 for a category with no call; null when the event
 *                           could not be counted: not supported, or calls but none of their
 *                           measurements read it}
 *   pmu                     sample_every (HAKMEM_PMU_SAMPLE), read ("rdpmc" or "read"),
 *                           running_fraction (time the events counted / time enabled, null before any
 *                           read; below 1 when multiplexed), events: [{name, supported, error (string
 *                           or null)}] in HAKMEM_PMU's order, unknown names left out
 *   induced                 null unless HAKMEM_PMU_FAULTS; else period, lost (records dropped by the
 *                           kernel), throttled, process_minor_faults (getrusage, for scale),
 *                           events: [{name, supported, error, samples, total, categories: {allocation
 *                           category of each tier: faults}, other (not hakmem's memory), classes:
 *                           [{class, block_size, faults}] (slab tiers, non-zero only)}],
 *                           site_total (faults of the first event with a call site),
 *                           sites: [{address "0x...", symbol "fn+0x.." or null, object,
 *                           object_offset (as in sites below, or null), category, faults}] (first
 *                           event, most faults first, at most 16)
 *                           Fault figures are samples times period.
 *   os_calls                {mmap, munmap, madvise}: the system calls hakmem made in this process
 *                           since it started (or forked), measured or not (the syscall_* categories
 *                           count only those made while the profiler measures)
 *   reclaim                 the deferred release (reclaim.c) since start:
 *     backend               "uring", "thread" or "sync": the one in use
 *     batches               batches the release path ran
 *     ranges                address ranges released in them
 *     bytes                 bytes of address space released: the ranges' lengths, pages resident
 *                           or not (not a drop in RSS)
 *     avg_batch             ranges / batches, with 2 decimals (0 when batches is 0)
 *     fallbacks             times a backend could not start and the next one took over
 * The last five fields are present when profiling is enabled:
 *   per_thread              array, one object per thread that recorded, in the order they first
 *                           recorded; the first 64 one by one, then one last object with tid -1 for
 *                           the rest and for the threads that had exited before newer ones took
 *                           their counters over, read at the same moment as the categories above,
 *                           so the objects add up to them exactly. A thread's figures include what
 *                           it freed after its exit handler ran:
 *     tid                   kernel thread id, or -1
 *     exited                true when the thread has exited (for tid -1: all it holds have)
 *     threads               threads the object holds: 1, or for tid -1 how many
 *     categories            object: category name -> {"count", "total_cycles"}, only the categories
 *                           with a non-zero count
 *   sites                   array, the allocation call sites (return addresses into the caller of
 *                           malloc, calloc, ..., or the site given to hak_alloc_at) with the most
 *                           hak_alloc cycles, at most 64, most first; only timed allocations are
 *                           recorded per site, and count and total_cycles are scaled up to all of
 *                           them (hak_alloc's count / timed), so they are estimates when
 *                           sample_every is above 1:
 *     addr                  the address, a string "0x..."
 *     object                path of the object (executable or library) holding it, or null
 *     object_offset         addr minus that object's load bias: the address addr2line -e object
 *                           takes, or null
 *     symbol                name of the function holding it, when the object exports one, or null
 *     symbol_offset         addr minus that function's address, or null
 *     count                 allocations made from it
 *     total_cycles          their hak_alloc cycles
 *   sites_distinct          call sites seen among the timed allocations (up to 1024 are told apart)
 *   sites_dropped           allocations whose site found no room in the table of 1024 (scaled up
 *                           like count)
 *   learn                   null unless site rules are on (HAKMEM_MODE=learning or research, or
 *                           HAKMEM_LEARN_FORCE); else the rules per call site of blocks over 2 MiB
 *                           (site_report.h lists the members; hakmem(3) explains them)
 * All cycle, count and ns fields are non-negative integers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "collect.h"
#include "hakmem.h"
#include "options.h"
#include "os.h"
#include "prof.h"
#include "prof_sites.h"
#include "report.h"
#include "report_pmu.h"
#include "strbuf.h"
#include "symbolize.h"
#include "reclaim.h"
#include "site_report.h"

/* The summary fits on the stack: a JSON category line is under 300 bytes even with 20-digit numbers.
 * With the per-thread and per-site detail the report is larger and gets its own mapping (never
 * malloc: the report may run inside the allocator's exit); it stays one write(2), so that reports of
 * processes sharing a file (O_APPEND) never interleave. */
#define REPORT_CAP (2048 + HKM_CAT_COUNT * 384 + HKM_REPORT_PMU_CAP)
#define SITES_SHOWN 64
#define CMDLINE_CAP 256
#define PATH_SHOWN HKM_SYM_PATH_MAX /* bytes of an object's path; escaping may make each byte 6 */
#define SYMBOL_SHOWN 256
#define DETAIL_CAP \
  (REPORT_CAP + (HKM_PROF_THREADS_KEPT + 1) * (128 + HKM_CAT_COUNT * 96) + SITES_SHOWN * (256 + 6 * (PATH_SHOWN + SYMBOL_SHOWN)) + \
   HKM_SITE_REPORT_CAP)

typedef unsigned long long ull;

static ull to_ns(uint64_t cycles, uint64_t hz) { return hz ? (ull)((double)cycles * 1e9 / (double)hz + 0.5) : 0; }
static ull avg(const struct hkm_prof_stat *s) { return s->count ? (ull)((s->total + s->count / 2) / s->count) : 0; }

/* share in millionths, printed with integers so the output is exact and needs no floating printf */
static ull share_ppm(uint64_t total, uint64_t top) {
  return top ? (ull)((double)total * 1e6 / (double)top + 0.5) : 0;
}

/* Square root by Newton's iteration from above: the library does not link libm (a program that
 * preloads it need not have it). */
static double root(double v) {
  if (!(v > 0)) return 0;
  double x = v > 1 ? v : 1;
  for (int i = 0; i < 2000; i++) {
    double y = 0.5 * (x + v / x);
    if (y >= x) break;
    x = y;
  }
  return x;
}

static ull stderr_cycles(const struct hkm_prof_stat *st) { return (ull)(root(st->var) + 0.5); }

/* The standard error as a part of the total, in thousandths. */
static ull stderr_permille(const struct hkm_prof_stat *st) {
  return st->total ? (ull)(root(st->var) * 1000.0 / (double)st->total + 0.5) : 0;
}

static uint64_t top_level(const struct hkm_prof_snapshot *s) {
  return s->stat[HKM_CAT_HAK_ALLOC].total + s->stat[HKM_CAT_HAK_FREE].total;
}


/* One category's object; every category-wide figure (and, later, its event columns) goes here. */
static void json_category(struct hkm_buf *b, const struct hkm_prof_snapshot *s, const struct hkm_report_extra *x, int c,
                          uint64_t top) {
  const struct hkm_prof_stat *st = &s->stat[c];
  int parent = hkm_cat_parent[c];
  ull ppm = share_ppm(st->total, top);
  hkm_put(b, "%s{\"name\":\"%s\",\"parent\":%s%s%s,", c ? "," : "", hkm_cat_name[c], parent < 0 ? "" : "\"",
      parent < 0 ? "null" : hkm_cat_name[parent], parent < 0 ? "" : "\"");
  hkm_put(b,
      "\"sampled\":%s,\"count\":%llu,\"timed\":%llu,\"total_cycles\":%llu,\"total_cycles_stderr\":",
      hkm_cat_kind[c] == HKM_KIND_SAMPLED ? "true" : "false", (ull)st->count, (ull)st->timed, (ull)st->total);
  if (st->var < 0)
    hkm_put(b, "null");
  else
    hkm_put(b, "%llu", stderr_cycles(st));
  hkm_put(b, ",\"avg_cycles\":%llu,\"min_cycles\":%llu,\"max_cycles\":%llu,\"interrupted\":%llu,"
             "\"interrupted_cycles\":%llu,\"total_ns\":%llu,\"share\":%llu.%06llu",
      avg(st), (ull)st->min, (ull)st->max, (ull)st->intr, (ull)st->intr_cycles, to_ns(st->total, s->tsc_hz),
      ppm / 1000000, ppm % 1000000);
  hkm_report_pmu_json_cat(b, x, s, c);
  hkm_put(b, "}");
}

/* os.c counts from the process's start; a forked child counts from the fork. */
static struct hkm_os_stats os_base;
static void os_fork_child(void) { hkm_os_stats(&os_base); }

static void os_calls(struct hkm_os_stats *o) {
  hkm_os_stats(o);
  o->mmaps -= os_base.mmaps;
  o->munmaps -= os_base.munmaps;
  o->madvises -= os_base.madvises;
}

static void json_os_calls(struct hkm_buf *b) {
  struct hkm_os_stats o;
  os_calls(&o);
  hkm_put(b, ",\"os_calls\":{\"mmap\":%zu,\"munmap\":%zu,\"madvise\":%zu}", o.mmaps, o.munmaps, o.madvises);
}

static void json_reclaim(struct hkm_buf *b) {
  struct hkm_reclaim_stats r;
  hkm_reclaim_stats(&r);
  ull centi = r.batches ? (ull)((r.ranges * 100 + r.batches / 2) / r.batches) : 0;
  hkm_put(b,
      ",\"reclaim\":{\"backend\":\"%s\",\"batches\":%zu,\"ranges\":%zu,\"bytes\":%zu,\"avg_batch\":%llu.%02llu,"
      "\"fallbacks\":%zu}",
      r.backend, r.batches, r.ranges, r.bytes, centi / 100, centi % 100, r.fallbacks);
}

static void json_thread(struct hkm_buf *b, const struct hkm_prof_thread *t, int first) {
  hkm_put(b, "%s{\"tid\":%ld,\"exited\":%s,\"threads\":%u,\"categories\":{", first ? "" : ",", t->tid,
      t->exited ? "true" : "false", t->threads);
  int none = 1;
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    if (!t->stat[c].count) continue;
    hkm_put(b, "%s\"%s\":{\"count\":%llu,\"total_cycles\":%llu}", none ? "" : ",", hkm_cat_name[c],
        (ull)t->stat[c].count, (ull)t->stat[c].total);
    none = 0;
  }
  hkm_put(b, "}}");
}

/* A site's figures are those of its timed allocations; scale makes them all of its allocations. */
static void json_site(struct hkm_buf *b, const struct hkm_site_stat *st, int first, double scale, uint64_t bias) {
  struct hkm_sym sym;
  hkm_symbolize((const void *)st->site, &sym);
  hkm_put(b, "%s{\"addr\":\"%#llx\",\"object\":", first ? "" : ",", (ull)st->site);
  if (sym.object) {
    hkm_put_json_str(b, sym.object, strlen(sym.object), PATH_SHOWN);
    hkm_put(b, ",\"object_offset\":%llu", (ull)sym.object_off);
  } else {
    hkm_put(b, "null,\"object_offset\":null");
  }
  hkm_put(b, ",\"symbol\":");
  if (sym.symbol) {
    hkm_put_json_str(b, sym.symbol, strlen(sym.symbol), SYMBOL_SHOWN);
    hkm_put(b, ",\"symbol_offset\":%llu", (ull)sym.symbol_off);
  } else {
    hkm_put(b, "null,\"symbol_offset\":null");
  }
  double cycles = ((double)st->cycles - (double)st->count * (double)bias) * scale;
  hkm_put(b, ",\"count\":%llu,\"total_cycles\":%llu}", (ull)((double)st->count * scale + 0.5),
          cycles > 0 ? (ull)(cycles + 0.5) : 0);
}

static void json_sites(struct hkm_buf *b, const struct hkm_prof_snapshot *s) {
  struct hkm_site_stat top[SITES_SHOWN];
  unsigned distinct;
  uint64_t dropped;
  unsigned n = hkm_prof_sites_top(top, SITES_SHOWN, &distinct, &dropped);
  const struct hkm_prof_stat *a = &s->stat[HKM_CAT_HAK_ALLOC];
  double scale = a->timed ? (double)a->count / (double)a->timed : 1;
  hkm_put(b, ",\"sites\":[");
  for (unsigned i = 0; i < n; i++) json_site(b, &top[i], i == 0, scale, s->overhead);
  hkm_put(b, "],\"sites_distinct\":%u,\"sites_dropped\":%llu", distinct, (ull)((double)dropped * scale + 0.5));
}

/* The per-thread and per-site parts (threads: NULL when there is no room for them). */
static void format_json(const struct hkm_prof_snapshot *s, const struct hkm_report_extra *x, struct hkm_buf *b,
                        const struct hkm_prof_thread *threads, unsigned nthreads) {
  uint64_t top = top_level(s);
  char cmd[CMDLINE_CAP + 1];
  size_t cmd_len;
  hkm_read_cmdline(cmd, sizeof cmd, &cmd_len);
  hkm_put(b, "{\"schema\":\"hakmem-profile\",\"version\":2,\"pid\":%ld,\"ppid\":%ld,\"command\":", (long)getpid(),
      (long)getppid());
  hkm_put_json_str(b, cmd, cmd_len, CMDLINE_CAP);
  hkm_put(b,
      ",\"timing_compiled\":%s,\"enabled\":%s,"
      "\"threads\":%u,\"tsc_hz\":%llu,\"overhead_cycles\":%llu,\"overhead_subtracted\":true,"
      "\"measurement_cost_cycles\":%llu,\"nested_cost_cycles\":%llu,\"inclusive\":true,\"sample_every\":%u,"
      "\"top_level_cycles\":%llu,\"categories\":[",
      s->compiled ? "true" : "false", s->enabled ? "true" : "false", s->threads, (ull)s->tsc_hz, (ull)s->overhead,
      (ull)s->cost, (ull)s->nest, s->sample_every, (ull)top);
  for (int c = 0; c < HKM_CAT_COUNT; c++) json_category(b, s, x, c, top);
  hkm_put(b, "]");
  json_os_calls(b);
  json_reclaim(b);
  hkm_report_pmu_json_tail(b, x, s);
  if (threads) {
    hkm_put(b, ",\"per_thread\":[");
    for (unsigned i = 0; i < nthreads; i++) json_thread(b, &threads[i], i == 0);
    hkm_put(b, "]");
    json_sites(b, s);
    hkm_site_report_json(b);
  }
  hkm_put(b, "}\n");
}

static void format_text(const struct hkm_prof_snapshot *s, const struct hkm_report_extra *x, struct hkm_buf *b) {
  long pid = (long)getpid();
  if (!s->compiled) {
    hkm_put(b, "HAKMEM profile (pid %ld): not available, hakmem was built with --disable-timing\n", pid);
    return;
  }
  if (!s->enabled) {
    hkm_put(b, "HAKMEM profile (pid %ld): profiling is off; set HAKMEM_TIMING=1 to collect it\n", pid);
    return;
  }
  ull cghz = (s->tsc_hz + 5000000) / 10000000; /* hundredths of a GHz */
  hkm_put(b, "HAKMEM profile (pid %ld, %u thread%s, tsc %llu.%02llu GHz, overhead %llu cycles/measurement)\n", pid,
      s->threads, s->threads == 1 ? "" : "s", cghz / 100, cghz % 100, (ull)s->overhead);
  hkm_put(b, "%-22s %12s %10s %10s %9s %10s %12s %15s %6s %7s", "category", "count", "timed", "avg_cyc", "avg_ns",
      "min_cyc", "max_cyc", "total_cyc", "+-", "share");
  hkm_report_pmu_head(b, x);
  hkm_put(b, "\n");

  /* Largest total first; the list order breaks ties so the output is stable. */
  int order[HKM_CAT_COUNT], n = 0;
  for (int c = 0; c < HKM_CAT_COUNT; c++) {
    if (!s->stat[c].count) continue;
    int i = n++;
    while (i > 0 && s->stat[order[i - 1]].total < s->stat[c].total) {
      order[i] = order[i - 1];
      i--;
    }
    order[i] = c;
  }
  uint64_t top = top_level(s);
  for (int i = 0; i < n; i++) {
    const struct hkm_prof_stat *st = &s->stat[order[i]];
    ull pm = (share_ppm(st->total, top) + 500) / 1000; /* tenths of a percent */
    ull se = stderr_permille(st);
    hkm_put(b, "%-22s %12llu %10llu %10llu %9llu %10llu %12llu %15llu ", hkm_cat_name[order[i]], (ull)st->count,
        (ull)st->timed, avg(st), to_ns(avg(st), s->tsc_hz), (ull)st->min, (ull)st->max, (ull)st->total);
    if (st->var < 0)
      hkm_put(b, "%6s", "?");
    else
      hkm_put(b, "%3llu.%llu%%", se / 10, se % 10);
    hkm_put(b, " %5llu.%llu%%", pm / 10, pm % 10);
    hkm_report_pmu_cells(b, x, s, order[i]);
    hkm_put(b, "\n");
  }
  if (!n) hkm_put(b, "(nothing recorded)\n");
  ull calls = s->stat[HKM_CAT_HAK_ALLOC].count + s->stat[HKM_CAT_HAK_FREE].count;
  ull ns = to_ns(top, s->tsc_hz);
  hkm_put(b, "top level (hak_alloc + hak_free): %llu calls, %llu cycles, %llu.%06llu s\n", calls, (ull)top,
      ns / 1000000000, ns % 1000000000 / 1000);
  hkm_put(b, "times are inclusive: a category includes those nested in it (tiny_alloc in hak_alloc, ...);\n"
         "share = total / top level, so shares do not add up to 100%%\n");
  if (s->sample_every > 1)
    hkm_put(b,
        "counts are exact; the malloc/free calls, the slab tiers' fast paths and the blocks of 18 KiB-1 MiB are\n"
        "timed on about 1 call in %u (HAKMEM_TIMING_SAMPLE) and their totals estimated from those, +- one\n"
        "standard error (? when none was timed); the other categories are timed on every call\n",
        s->sample_every);
  const struct hkm_prof_stat *ia = &s->stat[HKM_CAT_HAK_ALLOC], *fr = &s->stat[HKM_CAT_HAK_FREE];
  if (ia->intr + fr->intr)
    hkm_put(b,
        "interrupted: %llu timed malloc/free calls took over %d cycles besides the exact work nested in them\n"
        "(%llu cycles in all: interrupts, preemption); set aside and estimated from the other calls\n",
        (ull)(ia->intr + fr->intr), HKM_PROF_INTERRUPTED, (ull)(ia->intr_cycles + fr->intr_cycles));
  hkm_put(b,
      "overhead: %llu cycles of timer bias per measurement subtracted from every figure, and %llu per\n"
      "measurement ending inside a timed malloc/free call or tier step; a measurement costs ~%llu cycles\n"
      "in all, which the exact categories still include per measurement nested in them\n",
      (ull)s->overhead, (ull)s->nest, (ull)s->cost);
  struct hkm_reclaim_stats r;
  hkm_reclaim_stats(&r);
  ull centi = r.batches ? (ull)((r.ranges * 100 + r.batches / 2) / r.batches) : 0;
  hkm_put(b, "reclaim (%s): %zu batches, %zu ranges, %zu bytes of address space (resident or not), %llu.%02llu "
             "ranges/batch, %zu fallbacks\n", r.backend,
      r.batches, r.ranges, r.bytes, centi / 100, centi % 100, r.fallbacks);
  hkm_report_pmu_tail(b, x, s);
}

/* threads: room for the per-thread figures (JSON only), or NULL. */
static size_t format(int json, struct hkm_prof_thread *threads, char *p, size_t cap) {
  struct hkm_prof_snapshot snap;
  unsigned n = 0;
  struct hkm_report_extra x;
  hkm_report_extra_take(&x); /* first: it drains the fault ring, which may measure */
  hkm_prof_snapshot_threads(&snap, json ? threads : NULL, &n);
  struct hkm_buf b = {p, 0, cap};
  if (json)
    format_json(&snap, &x, &b, threads, n);
  else
    format_text(&snap, &x, &b);
  return b.len;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Standard error as it was when hakmem started, kept under a high number: programs such as ls and
 * sort close their standard error before exit, and the report comes after that. -1: none kept. */
static int saved_stderr = -1;

void hkm_report_init(void) {
  if (!hkm_cfg.timing) return;
  pthread_atfork(NULL, NULL, os_fork_child);
  if (hkm_cfg.timing_file || hkm_cfg.timing_dir) return;
  struct rlimit rl;
  int low = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= 64 && rl.rlim_cur != RLIM_INFINITY
                ? (int)(rl.rlim_cur / 2 > 1 << 20 ? 1 << 20 : rl.rlim_cur / 2)
                : 10;
  saved_stderr = fcntl(2, F_DUPFD_CLOEXEC, low);
}

/* HAKMEM_TIMING_FILE, or stderr. A destination that fails gets one warning and stderr instead: a
 * profile is never worth stopping the program for. With HAKMEM_TIMING_QUIET=1 the program's stderr
 * is not ours: such a report is dropped without a word. */
static void write_configured(const char *p, size_t n) {
  const char *f = hkm_cfg.timing_file;
  int quiet = hkm_cfg.timing_quiet;
  int fd = saved_stderr >= 0 ? saved_stderr : 2, own = 0;
  if (hkm_collect_active()) { /* hakmem-stat: after this image's counters */
    hkm_collect_report(p, n);
    return;
  }
  if (f && !strncmp(f, "fd:", 3)) {
    char *end;
    errno = 0;
    long v = strtol(f + 3, &end, 10);
    if (f[3] >= '0' && f[3] <= '9' && !*end && !errno && v <= 1 << 30)
      fd = (int)v;
    else if (quiet)
      return;
    else
      hkm_warn("HAKMEM_TIMING_FILE=%s is not fd:N; profile written to stderr", f);
  } else if (f) {
    int o = open(f, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (o >= 0) {
      fd = o;
      own = 1;
    } else if (quiet) {
      return;
    } else {
      int e = errno;
      hkm_warn("HAKMEM_TIMING_FILE=%s cannot be opened (%s); profile written to stderr", f, strerror(e));
    }
  } else if (quiet) {
    return; /* stderr by default, and stderr is not ours */
  }
  int to_stderr = fd == 2 || fd == saved_stderr;
  if (write_all(fd, p, n) != 0 && !to_stderr && !quiet) {
    int e = errno;
    hkm_warn("HAKMEM_TIMING_FILE=%s cannot be written (%s); profile written to stderr", f, strerror(e));
    write_all(saved_stderr >= 0 ? saved_stderr : 2, p, n);
  }
  if (own) close(fd);
}

/* Formats the report and hands it to out (a FILE, or the configured destination when NULL). The JSON
 * report carries its detail when the mapping for it can be had, the summary alone otherwise. */
static void report(FILE *out, int json) {
  char small[REPORT_CAP];
  char *p = small;
  size_t cap = sizeof small;
  struct hkm_prof_thread *threads = NULL;
  void *m = MAP_FAILED;
  const size_t threads_size = (HKM_PROF_THREADS_KEPT + 1) * sizeof *threads;
  if (json && hkm_prof_enabled) {
    m = mmap(NULL, threads_size + DETAIL_CAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED) {
      threads = m;
      p = (char *)m + threads_size;
      cap = DETAIL_CAP;
    }
  }
  size_t n = format(json, threads, p, cap);
  if (!out) {
    write_configured(p, n);
  } else {
    fwrite(p, 1, n, out);
    fflush(out);
  }
  if (m != MAP_FAILED) munmap(m, threads_size + DETAIL_CAP);
}

HKM_API void hak_prof_report(FILE *out, int flags) { report(out, flags & HAK_PROF_JSON); }

/* The profiler core, the call sites and the fault sampler each forget what they hold. */
HKM_API void hak_prof_reset(void) {
  hkm_induced_reset();
  hkm_prof_reset();
  hkm_prof_sites_reset();
}

/* Also when timing was asked for but compiled out: the report then says so, and a tool reading it
 * (hakmem-stat) still learns that the process ran on hakmem. */
__attribute__((destructor)) static void report_at_exit(void) {
  if (!hkm_cfg.timing) return;
  /* A program linked with libhakmem.a and run with libhakmem.so preloaded (hakmem-stat preloads into
   * every program) holds two copies of hakmem: the executable's serves malloc, and the preloaded one,
   * idle, must not report a second, empty process. */
  if (hkm_sym_defined_elsewhere((const void *)&malloc, (const void *)report_at_exit)) return;
  /* reclaim.c drains at exit too, but destructors run in link order: drain here, so that the
   * report counts every release whichever runs first (a second drain finds nothing to do). */
  hkm_reclaim_drain();
  report(NULL, hkm_cfg.timing_json);
}
