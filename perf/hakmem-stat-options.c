/* Command-line options, with perf stat's letters where perf stat has the option. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem-stat.h"

static const char usage_text[] =
    "usage: hakmem-stat [options] [--] command [args...]\n"
    "  -e, --events LIST   count these PMU events per category (libpfm4 names, comma-separated)\n"
    "  -M, --mode MODE     HAKMEM_MODE: minimal, fast, balanced, learning or research\n"
    "                      (not perf stat's -M/--metrics: any other word is refused)\n"
    "  -o, --output FILE   write the report to FILE instead of standard error\n"
    "  -j, --json          the report as JSON (the library's reports and the process totals);\n"
    "      --json-output   the same, as perf stat spells it\n"
    "  -x SEP              the report as CSV, fields separated by SEP\n"
    "  -r, --repeat N      run the command N times; mean and relative stddev per row\n"
    "      --sites N       the N call sites with the most allocation cycles (at most 64);\n"
    "                      with -M learning, the learner's rule for each site of blocks over 2 MiB too\n"
    "      --per-process   one table per process as well as the total\n"
    "      --per-thread    one line per thread\n"
    "      --svg FILE      a bar chart of the category shares, as SVG\n"
    "      --lib PATH      the library to preload (default: libhakmem-prof.so, else libhakmem.so)\n"
    "  -q, --quiet         no report (still writes -o FILE and --svg FILE)\n"
    "  -h, --help          this help\n"
    "      --version       the version\n";

enum { OPT_SITES = 256, OPT_PER_PROCESS, OPT_PER_THREAD, OPT_SVG, OPT_LIB, OPT_VERSION };

static const struct option longopts[] = {
    {"events", required_argument, NULL, 'e'},
    {"mode", required_argument, NULL, 'M'},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, 'j'},
    {"json-output", no_argument, NULL, 'j'},
    {"repeat", required_argument, NULL, 'r'},
    {"sites", required_argument, NULL, OPT_SITES},
    {"per-process", no_argument, NULL, OPT_PER_PROCESS},
    {"per-thread", no_argument, NULL, OPT_PER_THREAD},
    {"svg", required_argument, NULL, OPT_SVG},
    {"lib", required_argument, NULL, OPT_LIB},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* One line saying what is wrong, then the usage; exit 2. */
static __attribute__((noreturn, format(printf, 1, 2))) void bad(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("hakmem-stat: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fputs(usage_text, stderr);
  exit(STAT_EXIT_USAGE);
}

static int number(const char *s, int lo, int hi, const char *what) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) bad("%s wants a number from %d to %d, not '%s'", what, lo, hi, s);
  return (int)v;
}

void stat_parse_options(int argc, char **argv, struct stat_opts *o) {
  static const char *const modes[] = {"minimal", "fast", "balanced", "learning", "research"};
  memset(o, 0, sizeof *o);
  o->repeat = 1;
  opterr = 0; /* our own one-line messages */
  int c;
  /* '+': options end at the command, whose own options are its business */
  while ((c = getopt_long(argc, argv, "+:e:M:o:jx:r:qh", longopts, NULL)) != -1) {
    switch (c) {
    case 'e':
      if (!*optarg) bad("-e wants a list of events");
      o->events = optarg;
      break;
    case 'M': {
      int ok = 0;
      for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) ok |= !strcmp(optarg, modes[i]);
      /* perf stat's -M takes metrics: a perf habit must not pass for a mode, or silently for none */
      if (!ok)
        bad("-M/--mode wants minimal, fast, balanced, learning or research, not '%s' (-M is hakmem's mode here, "
            "not perf stat's --metrics)",
            optarg);
      o->mode = optarg;
      break;
    }
    case 'o': o->output = optarg; break;
    case 'j': o->json = 1; break;
    case 'x':
      if (!*optarg) bad("-x wants a separator");
      o->sep = optarg;
      break;
    case 'r': o->repeat = number(optarg, 1, 1000, "-r"); break;
    case OPT_SITES: o->sites = number(optarg, 1, 64, "--sites"); break;
    case OPT_PER_PROCESS: o->per_process = 1; break;
    case OPT_PER_THREAD: o->per_thread = 1; break;
    case OPT_SVG: o->svg = optarg; break;
    case OPT_LIB: o->lib = optarg; break;
    case 'q': o->quiet = 1; break;
    case 'h': fputs(usage_text, stdout); exit(0);
    case OPT_VERSION: printf("hakmem-stat (hakmem) %s\n", PACKAGE_VERSION); exit(0);
    case ':': bad("option '%s' needs an argument", argv[optind - 1]);
    default: {
      char opt[3] = {'-', (char)optopt, 0};
      bad("unknown option '%s'", optopt ? opt : argv[optind - 1]);
    }
    }
  }
  if (o->json && o->sep) bad("-j/--json and -x cannot be combined");
  if (optind >= argc) bad("no command given");
  o->argv = argv + optind;
}

char *stat_command_string(char **argv) {
  size_t n = 1;
  for (char **a = argv; *a; a++) n += strlen(*a) + 1;
  char *s = malloc(n), *p = s;
  if (!s) return NULL;
  for (char **a = argv; *a; a++) p += sprintf(p, "%s%s", a == argv ? "" : " ", *a);
  *p = 0;
  return s;
}
