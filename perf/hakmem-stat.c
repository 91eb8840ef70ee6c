/* hakmem-stat [options] [--] command [args...]: the command runs on hakmem with the profiler on;
 * when it ends, the report (see hakmem-stat(1)). Exits with the command's status. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem-stat.h"

int main(int argc, char **argv) {
  struct stat_opts o;
  stat_parse_options(argc, argv, &o);
  char *lib = stat_find_lib(&o);
  if (!lib) return STAT_EXIT_NOTFOUND;
  o.library = lib;

  /* Opened first, so that a bad path is known before the command runs, not after. */
  FILE *out = stderr, *svg = NULL;
  if (o.output && !(out = fopen(o.output, "w"))) {
    fprintf(stderr, "hakmem-stat: -o %s: %s\n", o.output, strerror(errno));
    return STAT_EXIT_USAGE;
  }
  if (o.svg && !(svg = fopen(o.svg, "w"))) {
    fprintf(stderr, "hakmem-stat: --svg %s: %s\n", o.svg, strerror(errno));
    return STAT_EXIT_USAGE;
  }

  struct profile *runs = calloc((size_t)o.repeat, sizeof *runs);
  if (!runs) {
    fputs("hakmem-stat: out of memory\n", stderr);
    return STAT_EXIT_FAIL;
  }
  int n = 0, status = 0;
  while (n < o.repeat) {
    struct run_result r;
    int e = stat_run(&o, lib, &r);
    if (e) return e; /* could not run it at all: said why already */
    stat_aggregate(&r, &runs[n++]);
    free(r.profile);
    status = r.status;
    /* like perf stat -r: a run that was killed ends the series, and is reported with the others */
    if (r.signaled || stat_stop_requested()) break;
  }

  if (!o.quiet || o.output) {
    if (o.json)
      stat_print_json(out, &o, runs, n, status);
    else if (o.sep)
      stat_print_csv(out, &o, runs, n);
    else
      stat_print_text(out, &o, runs, n);
  }
  if (out != stderr && fclose(out) != 0) fprintf(stderr, "hakmem-stat: -o %s: %s\n", o.output, strerror(errno));
  if (svg) stat_write_svg(svg, &o, runs, n);
  free(lib);
  return status;
}
