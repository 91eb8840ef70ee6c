/* hakmem-stat: run a command on hakmem with the profiler on and report where the allocator's time
 * went, the way perf stat reports counters.
 *
 * The pieces, one file each: options (hakmem-stat-options.c), finding the library and running the
 * command (hakmem-stat-run.c), reading and adding up the reports (hakmem-stat-agg.c, with the JSON
 * reader in hakmem-stat-json.c), and the outputs: text and CSV (hakmem-stat-text.c), JSON
 * (hakmem-stat-jsonout.c), SVG (hakmem-stat-svg.c), and learning mode's site rules under --sites
 * (hakmem-stat-sites.c). */
#ifndef HKM_STAT_H
#define HKM_STAT_H

#include <stdio.h>
#include "hakmem-stat-json.h"

/* Exit statuses of hakmem-stat itself; otherwise it exits with the command's status. */
#define STAT_EXIT_USAGE 2     /* bad option */
#define STAT_EXIT_FAIL 125    /* hakmem-stat itself failed (no directory for the reports, fork, memory) */
#define STAT_EXIT_NOEXEC 126  /* the command was found but could not be executed */
#define STAT_EXIT_NOTFOUND 127 /* the command, or libhakmem.so, was not found */

struct stat_opts {
  const char *events; /* -e: passed to the library as HAKMEM_PMU */
  const char *mode;   /* -M: HAKMEM_MODE */
  const char *output; /* -o */
  const char *lib;    /* --lib */
  const char *svg;    /* --svg */
  const char *sep;    /* -x: CSV with this separator */
  const char *library; /* the libhakmem.so found (not an option) */
  int json, repeat, sites, per_process, per_thread, quiet;
  char **argv; /* the command */
};

/* Parses argv; exits 0 after --help/--version and STAT_EXIT_USAGE on a bad option. */
void stat_parse_options(int argc, char **argv, struct stat_opts *o);

/* What one run of the command left behind. */
struct run_totals {
  double wall_s, user_s, sys_s;
  double maxrss_kib, minflt, majflt;
};

/* A warning the library gave in some processes of a run, once. */
struct run_warning {
  char *text;    /* "hakmem: ..." */
  int processes; /* how many gave it */
};

struct run_result {
  int status;   /* the exit status hakmem-stat passes on: code, or 128 + signal */
  int signaled; /* the command was killed by a signal */
  struct run_totals t;
  char *profile; /* one report per process image, one JSON object per line (hakmem-stat-collect.c) */
  size_t profile_len;
  struct run_warning *warn;
  int nwarn;
  int unreadable_files; /* collection files of a layout this hakmem-stat does not know */
};

/* The reports and warnings of a run from its collection directory (HAKMEM_TIMING_DIR). Returns 0, or
 * -1 when the directory cannot be read. */
int stat_collect_read(const char *dir, struct run_result *r);
/* The run's warnings, each once, with how many processes gave it. */
void stat_collect_print_warnings(FILE *f, const struct run_result *r);

/* The library to preload: --lib, else beside hakmem-stat in the build tree, else the install's
 * libdir. Prints one error line and returns NULL when there is none. */
char *stat_find_lib(const struct stat_opts *o);

/* Runs the command once with lib preloaded and profiling on; returns 0, or the exit status to leave
 * with (125/126/127) after printing why when the command could not be started. */
int stat_run(const struct stat_opts *o, const char *lib, struct run_result *r);

/* A SIGTERM or SIGHUP reached hakmem-stat: no more runs. */
int stat_stop_requested(void);

/* Per-event figures of a category: the sum of numbers, and whether any process said null. */
#define STAT_MAX_EVENTS 16
struct ev {
  char *name;
  double value;
  int unsupported; /* some process could not count the event at all */
  int uncounted;   /* some process counted it, but read it on none of this category's measurements */
};

struct cat {
  char *name, *parent;
  double count, total, min, max, ns;
  double timed; /* calls timed: the rest of total is estimated from them (sampled categories) */
  double var;   /* variance of total from the sampling; -1 when some process could not tell it */
  int has_min;
  int nev;
  struct ev ev[STAT_MAX_EVENTS];
  double intr, intr_cycles; /* timed calls set aside as interrupted, and their cycles (hakmem(3)) */
  double induced; /* faults on memory it handed out, when has_induced */
  int has_induced;
};

/* A category table: the whole run, one process, or one thread. */
struct table {
  int n;
  struct cat *cats;
  double top; /* hak_alloc + hak_free total cycles */
};

struct proc {
  long pid, ppid;
  char *command;
  char ending[96]; /* how it ended, in words ("" when the report does not say) */
  double threads;
  struct table tab;
};

struct thread {
  long pid, tid;
  int exited;
  double threads;
  struct table tab;
};

struct site {
  char *label; /* symbol+0xoff (object) or object+0xoff, or the address */
  double count, cycles;
};

/* A call site whose memory the program took page faults on (the library's induced.sites), per
 * category that handed the memory out. */
struct isite {
  char *label, *category;
  double faults;
};

/* One run, added up over every process that reported. */
struct profile {
  char endings[512]; /* the processes that did not end through exit(), in words ("" when none) */
  int ended[5];      /* of them: _exit, signal, execve, no exit handler, not known */
  char signals[128]; /* the signals that killed some, "SIGSEGV, SIGKILL" */
  unsigned sample_every; /* HAKMEM_TIMING_SAMPLE, the largest a process reported (1: all exact) */
  struct table tab;
  int reports, unreadable, compiled_out;
  double tsc_hz;
  double threads;
  double induced_other, induced_lost;
  int has_induced;
  char induced_event[64]; /* the event the induced faults were sampled with */
  int nisite;
  struct isite *isites; /* most faults first */
  int nerr;
  char **event_errors; /* "name: reason" of each event that could not be counted */
  char backend[32];
  double rc_batches, rc_ranges, rc_bytes, rc_fallbacks;
  int has_reclaim;
  int nproc, nthread, nsite;
  struct proc *procs;
  struct thread *threads_v;
  struct site *sites; /* most allocation cycles first */
  double sites_distinct, sites_dropped;
  double mmaps, munmaps, madvises; /* hakmem's system calls (os_calls, else the syscall_* counts) */
  int has_os_calls;
  struct run_totals t;
  struct jval **raw; /* the reports as parsed, for --json */
  int nraw;
};

/* Adds up the reports of one run (r->profile) into p. */
void stat_aggregate(const struct run_result *r, struct profile *p);
/* The category of that name in t, or NULL. */
const struct cat *stat_cat(const struct table *t, const char *name);
/* The standard error, from the sampling, of the mean over runs[0..n) of that category's total
 * cycles; 0 when every call was timed, -1 when some process could not tell it. */
double stat_cat_stderr(const struct profile *runs, int n, const char *name);
/* The mean over runs[0..n) of that category's timed calls set aside as interrupted; *cycles gets the
 * mean of their cycles. */
double stat_cat_interrupted(const struct profile *runs, int n, const char *name, double *cycles);

/* The outputs, for runs[0..n) (n > 1 with -r). status is what hakmem-stat exits with. */
void stat_print_text(FILE *f, const struct stat_opts *o, const struct profile *runs, int n);
void stat_print_csv(FILE *f, const struct stat_opts *o, const struct profile *runs, int n);
void stat_print_json(FILE *f, const struct stat_opts *o, const struct profile *runs, int n, int status);
/* Writes the chart to f (opened on o->svg before the run) and closes it. */
int stat_write_svg(FILE *f, const struct stat_opts *o, const struct profile *runs, int n);
/* With --sites, the site rules of learning mode (hakmem-stat-sites.c); nothing when no report has them. */
void stat_print_learned_sites(FILE *f, const struct profile *p, int max);

/* Mean and relative standard deviation (percent of the mean; 0 when n < 2 or the mean is 0) of the
 * value get() reads from each run. */
struct stat_mean {
  double mean, rel_pct;
};
struct stat_mean stat_mean_of(const struct profile *runs, int n, double (*get)(const struct profile *, const void *),
                              const void *arg);

/* realloc, or one line and exit 125 when there is no memory. */
void *stat_xrealloc(void *p, size_t n);

/* The command line as one string, arguments separated by spaces (for headers). */
char *stat_command_string(char **argv);

#endif
