/* --sites in learning mode: the rule the learner chose for each call site of blocks over 2 MiB,
 * read from the "learn" member of the reports (hakmem(3), LEARNING), added up over the processes
 * that reported the same site (object + offset: the same code in each process, whatever its load
 * address). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hakmem-stat.h"

#define BACKINGS 3
static const char *const backing_names[BACKINGS] = {"lazy", "huge", "prefault"};

struct lsite {
  char label[512];
  double bytes, allocs, samples, faults_mib_x_samples;
  const struct jval *rule; /* the site object of the process with the most bytes there */
  double rule_bytes;
};

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

static void label_of(const struct jval *o, char *out, size_t cap) {
  const char *obj = json_str(json_get(o, "object")), *sym = json_str(json_get(o, "symbol"));
  if (sym && obj)
    snprintf(out, cap, "%s+%#llx (%s)", sym, (unsigned long long)json_num(json_get(o, "symbol_offset"), 0), base_name(obj));
  else if (obj)
    snprintf(out, cap, "%s+%#llx", base_name(obj), (unsigned long long)json_num(json_get(o, "object_offset"), 0));
  else
    snprintf(out, cap, "%s", json_str(json_get(o, "addr")) ? json_str(json_get(o, "addr")) : "?");
}

static int by_bytes(const void *a, const void *b) {
  const struct lsite *x = a, *y = b;
  return x->bytes < y->bytes ? 1 : x->bytes > y->bytes ? -1 : 0;
}

/* "1.5 GiB" */
static const char *size_str(double v, char *buf, size_t cap) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    u++;
  }
  snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

/* One backing's score cell: its cycles per KiB used, starred when chosen; "-" where it is not
 * available, "?" before it was measured or predicted. */
static void score_cell(const struct jval *r, int k, char *out, size_t cap) {
  const struct jval *v = json_get(json_get(r, "score"), backing_names[k]);
  const struct jval *a = json_get(json_get(r, "available"), backing_names[k]);
  const char *chosen = json_str(json_get(r, "backing"));
  const char *star = chosen && !strcmp(chosen, backing_names[k]) ? "*" : "";
  if (a && a->t == J_BOOL && !a->b)
    snprintf(out, cap, "-");
  else if (v && v->t == J_NUM)
    snprintf(out, cap, "%s%.0f", star, v->num);
  else
    snprintf(out, cap, "%s?", star);
}

void stat_print_learned_sites(FILE *f, const struct profile *p, int max) {
  struct lsite *ls = NULL;
  int n = 0;
  const char *mode = NULL;
  double fault = 0;
  for (int i = 0; i < p->nraw; i++) {
    const struct jval *l = json_get(p->raw[i], "learn");
    if (!l || l->t != J_OBJ) continue;
    if (!mode) mode = json_str(json_get(l, "mode"));
    if (!fault) fault = json_num(json_get(json_get(l, "costs"), "fault_cycles"), 0);
    const struct jval *sites = json_get(l, "sites");
    for (size_t k = 0; sites && sites->t == J_ARR && k < sites->n; k++) {
      const struct jval *o = sites->items[k];
      char label[512];
      label_of(o, label, sizeof label);
      struct lsite *s = NULL;
      for (int j = 0; j < n && !s; j++)
        if (!strcmp(ls[j].label, label)) s = &ls[j];
      if (!s) {
        struct lsite *grown = realloc(ls, (size_t)(n + 1) * sizeof *ls);
        if (!grown) break;
        ls = grown;
        s = &ls[n++];
        memset(s, 0, sizeof *s);
        snprintf(s->label, sizeof s->label, "%s", label);
      }
      double bytes = json_num(json_get(o, "bytes"), 0), samples = json_num(json_get(o, "samples"), 0);
      s->bytes += bytes;
      s->allocs += json_num(json_get(o, "allocations"), 0);
      s->samples += samples;
      s->faults_mib_x_samples += json_num(json_get(o, "faults_per_mib"), 0) * samples;
      if (!s->rule || bytes > s->rule_bytes) {
        s->rule = o;
        s->rule_bytes = bytes;
      }
    }
  }
  if (!mode) return;
  if (n) qsort(ls, (size_t)n, sizeof *ls, by_bytes);
  char b1[40], cell[BACKINGS][24], keep[40], meas[48];
  fprintf(f, "\n  site rules (%s) of the %d call sites of blocks over 2 MiB with the most bytes", mode, n < max ? n : max);
  if (fault > 0) fprintf(f, " (a 4 KiB fault costs %.0f cycles here)", fault);
  fprintf(f, ":\n  %10s %9s %10s  %8s %8s %8s  %-12s %-6s %-9s %s\n", "bytes", "allocs", "faults/MiB", "lazy", "huge",
          "prefault", "keep", "reuses", "measured", "site");
  for (int i = 0; i < n && i < max; i++) {
    const struct jval *r = ls[i].rule;
    for (int k = 0; k < BACKINGS; k++) score_cell(r, k, cell[k], sizeof cell[k]);
    const char *kp = json_str(json_get(r, "keep"));
    snprintf(keep, sizeof keep, "%s %.0f ms", kp ? kp : "?", json_num(json_get(r, "keep_ms"), 0));
    const struct jval *fo = json_get(r, "foreign"), *pu = json_get(r, "pulls");
    snprintf(meas, sizeof meas, "%.0f/%.0f/%.0f", json_num(json_get(pu, "lazy"), 0), json_num(json_get(pu, "huge"), 0),
             json_num(json_get(pu, "prefault"), 0));
    char fm[24] = "-";
    if (ls[i].samples > 0) snprintf(fm, sizeof fm, "%.0f", ls[i].faults_mib_x_samples / ls[i].samples);
    fprintf(f, "  %10s %9.0f %10s  %8s %8s %8s  %-12s %-6s %-9s %s\n", size_str(ls[i].bytes, b1, sizeof b1), ls[i].allocs,
            fm, cell[0], cell[1], cell[2], keep, fo && fo->t == J_BOOL && fo->b ? "any" : "own", meas, ls[i].label);
  }
  if (!n)
    fprintf(f, "  (no site allocated a block over 2 MiB)\n");
  else
    fprintf(f, "  lazy/huge/prefault: each backing's cycles per KiB the program used (* chosen, - not available here,\n"
               "  ? not known yet); keep: where freed blocks wait; reuses: whose freed blocks the site may take;\n"
               "  measured: sampled blocks under lazy/huge/prefault\n");
  free(ls);
}
