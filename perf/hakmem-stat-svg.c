/* --svg FILE: a bar chart of the category shares (and of induced page faults per category when the
 * library reports them), one self-contained SVG file that any browser shows. Each bar carries its
 * figure in a data- attribute, so tools (and the tests) can read the numbers back. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem-stat.h"

#define WIDTH 900
#define LABEL_W 200
#define BAR_MAX 560
#define ROW_H 22
#define TOP 50

static void xml_text(FILE *f, const char *s) {
  for (; *s; s++) switch (*s) {
    case '&': fputs("&amp;", f); break;
    case '<': fputs("&lt;", f); break;
    case '>': fputs("&gt;", f); break;
    case '"': fputs("&quot;", f); break;
    case '\'': fputs("&apos;", f); break;
    default:
      /* XML 1.0 forbids most control characters even escaped */
      if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n') putc(*s, f);
    }
}

static double share_of(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c && p->tab.top > 0 ? c->total / p->tab.top : 0;
}
static double count_of(const struct profile *p, const void *name) {
  const struct cat *c = stat_cat(&p->tab, name);
  return c ? c->count : 0;
}

struct bar {
  const char *name;
  double value;
};

static int by_value(const void *a, const void *b) {
  const struct bar *x = a, *y = b;
  return x->value < y->value ? 1 : x->value > y->value ? -1 : strcmp(x->name, y->name);
}

/* The full bar length: the largest value, or for shares the largest one within the API calls (at
 * most 1). Work outside the calls (the release thread's reclaim_complete, its system calls) can be
 * many times the top level; scaled to it, every other bar would shrink to a sliver. */
static double scale_of(const struct bar *bars, int n, int percent) {
  double max = 0;
  for (int i = 0; i < n; i++)
    if ((!percent || bars[i].value <= 1) && bars[i].value > max) max = bars[i].value;
  return max > 0 ? max : n ? bars[0].value : 0;
}

/* One chart of bars, from y; returns the y below it. A bar past the scale is drawn to its end, cut
 * (a white break near its end), in its own colour, and marked data-offscale. */
static int chart(FILE *f, int y, const char *title, const char *cls, const char *attr, struct bar *bars, int n,
                 int percent) {
  qsort(bars, (size_t)n, sizeof *bars, by_value);
  double max = scale_of(bars, n, percent);
  int cut = n && bars[0].value > max;
  fprintf(f, "<text x=\"10\" y=\"%d\" class=\"h\">", y);
  xml_text(f, title);
  fprintf(f, "</text>\n");
  if (cut) {
    y += 18;
    fprintf(f, "<text x=\"10\" y=\"%d\">cut bars: work outside malloc/free (the release thread), over 100%% of "
               "the top level</text>\n",
            y);
  }
  y += 12;
  for (int i = 0; i < n; i++, y += ROW_H) {
    int off = bars[i].value > max;
    double w = off ? BAR_MAX : max > 0 ? bars[i].value / max * BAR_MAX : 0;
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8, y + 15);
    xml_text(f, bars[i].name);
    fprintf(f, "</text>\n");
    fprintf(f, "<rect class=\"%s%s\" data-category=\"", cls, off ? " offscale" : "");
    xml_text(f, bars[i].name);
    fprintf(f, "\" %s=\"%.6f\"%s x=\"%d\" y=\"%d\" width=\"%.3f\" height=\"%d\"/>\n", attr, bars[i].value,
            off ? " data-offscale=\"true\"" : "", LABEL_W, y + 3, w, ROW_H - 6);
    if (off) {
      int x = LABEL_W + BAR_MAX - 40;
      fprintf(f, "<polygon fill=\"white\" points=\"%d,%d %d,%d %d,%d %d,%d\"/>\n", x, y + 1, x + 6, y + 1, x + 2, y + ROW_H - 1,
              x - 4, y + ROW_H - 1);
    }
    if (percent)
      fprintf(f, "<text x=\"%.3f\" y=\"%d\">%.2f%%%s</text>\n", LABEL_W + w + 6, y + 15, 100 * bars[i].value,
              off ? " (off scale)" : "");
    else
      fprintf(f, "<text x=\"%.3f\" y=\"%d\">%.0f</text>\n", LABEL_W + w + 6, y + 15, bars[i].value);
  }
  if (!n) {
    fprintf(f, "<text x=\"%d\" y=\"%d\">(nothing recorded)</text>\n", LABEL_W, y + 15);
    y += ROW_H;
  }
  return y + 20;
}

int stat_write_svg(FILE *f, const struct stat_opts *o, const struct profile *runs, int n) {
  const struct profile *last = &runs[n - 1];
  struct bar *shares = calloc((size_t)last->tab.n + 1, sizeof *shares);
  struct bar *faults = calloc((size_t)last->tab.n + 2, sizeof *faults);
  if (!shares || !faults) {
    free(shares);
    free(faults);
    fclose(f);
    fprintf(stderr, "hakmem-stat: out of memory for --svg\n");
    return -1;
  }
  int ns = 0, nf = 0;
  for (int i = 0; i < last->tab.n; i++) {
    const struct cat *c = &last->tab.cats[i];
    if (stat_mean_of(runs, n, count_of, c->name).mean <= 0) continue;
    shares[ns].name = c->name;
    shares[ns++].value = stat_mean_of(runs, n, share_of, c->name).mean;
  }
  for (int i = 0; i < last->tab.n; i++) { /* a tier's category may hand out memory it never timed */
    const struct cat *c = &last->tab.cats[i];
    if (!c->has_induced) continue;
    faults[nf].name = c->name;
    faults[nf++].value = c->induced;
  }
  if (last->has_induced) {
    faults[nf].name = "other";
    faults[nf++].value = last->induced_other;
  }

  int height = TOP + (ns + 3) * ROW_H + 40 + (last->has_induced ? (nf + 2) * ROW_H + 40 : 0);
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
          "<style>text{font:13px sans-serif;fill:#222}.h{font-weight:bold;font-size:15px}"
          ".share{fill:#4a7ebb}.offscale{fill:#8fa9c9}.induced{fill:#c0504d}</style>\n"
          "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
          WIDTH, height, WIDTH, height);
  char *cmd = stat_command_string(o->argv);
  fprintf(f, "<title>hakmem profile for ");
  xml_text(f, cmd ? cmd : o->argv[0]);
  fprintf(f, "</title>\n<text x=\"10\" y=\"22\" class=\"h\">hakmem profile for '");
  xml_text(f, cmd ? cmd : o->argv[0]);
  fprintf(f, "'%s</text>\n", n > 1 ? " (mean of the runs)" : "");
  free(cmd);
  int y = chart(f, TOP, "share of the top level (hak_alloc + hak_free) cycles; times are inclusive", "share",
                "data-share", shares, ns, 1);
  if (last->has_induced)
    chart(f, y, "induced page faults, by the category that handed out the memory", "induced", "data-faults", faults,
          nf, 0);
  fprintf(f, "</svg>\n");
  free(shares);
  free(faults);
  if (fclose(f) != 0) {
    fprintf(stderr, "hakmem-stat: --svg %s: %s\n", o->svg, strerror(errno));
    return -1;
  }
  return 0;
}
