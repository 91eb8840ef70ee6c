/* Reading a run's collection directory (src/collect_format.h): every process image left a file of
 * counters there, and the images that left through exit() their report after them. Each
 * image becomes one report line for stat_aggregate: its own report when it wrote one, else one made
 * here from its counters, with the same estimator (src/prof_block.h); either way with an "image"
 * number and an "ending" object saying how it ended. The warnings the processes kept in their files
 * are gathered too, each distinct one once. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect_format.h"
#include "hakmem-stat.h"
#include "prof_block.h"

struct image {
  long pid;
  unsigned n;
  char *data; /* the whole counters file */
  size_t len;
  const struct hkm_collect_head *h;
  char *json; /* its exit report, or NULL */
  size_t json_len;
};

static int read_all(const char *path, char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return -1;
  }
  size_t cap = (size_t)st.st_size;
  char *p = stat_xrealloc(NULL, cap + 1);
  while (*len < cap) {
    ssize_t r = read(fd, p + *len, cap - *len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    *len += (size_t)r;
  }
  close(fd);
  p[*len] = 0;
  *out = p;
  return 0;
}

/* "PID.N" with nothing after: a counters file. */
static int parse_name(const char *s, long *pid, unsigned *n) {
  char *end;
  if (*s < '0' || *s > '9') return -1;
  *pid = strtol(s, &end, 10);
  if (*end != '.' || end[1] < '0' || end[1] > '9') return -1;
  *n = (unsigned)strtoul(end + 1, &end, 10);
  return *end ? -1 : 0;
}

static int by_image(const void *a, const void *b) {
  const struct image *x = a, *y = b;
  if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
  return x->n < y->n ? -1 : x->n > y->n;
}

static const char *block_at(const struct image *im, unsigned i) {
  const struct hkm_collect_head *h = im->h;
  size_t off = h->head_bytes + (size_t)i * h->block_bytes;
  return off + h->block_bytes <= im->len ? im->data + off : NULL;
}

static unsigned nblocks(const struct image *im) {
  return im->h->chunks * im->h->chunk_blocks;
}

/* A block's categories with its slots' counts added in (prof.c's effective()). */
static void effective(const struct image *im, const char *blk, struct hkm_prof_cat *out) {
  const struct hkm_collect_head *h = im->h;
  memcpy(out, blk + h->cat_off, h->ncat * sizeof *out);
  const struct hkm_prof_slot *slot = (const struct hkm_prof_slot *)(blk + h->slot_off);
  for (unsigned s = 0; s < h->nslots && s < HKM_COLLECT_SLOT_MAP; s++) {
    int64_t left = slot[s].left;
    uint64_t n = left < 0 || (uint64_t)left > slot[s].end ? 0 : slot[s].end - (uint64_t)left;
    for (int k = 0; k < 2; k++)
      if (n && h->slot_cat[s][k] >= 0 && (unsigned)h->slot_cat[s][k] < h->ncat) out[h->slot_cat[s][k]].count += n;
  }
}

static void merge(struct hkm_prof_cat *into, const struct hkm_prof_cat *c, unsigned ncat) {
  for (unsigned i = 0; i < ncat; i++) hkm_prof_cat_add(&into[i], &c[i]);
}

static int counts_anything(const struct hkm_prof_cat *c, unsigned ncat) {
  for (unsigned i = 0; i < ncat; i++)
    if (c[i].count) return 1;
  return 0;
}

static int usable_block(const char *blk) {
  uint32_t st = ((const struct hkm_prof_block_head *)blk)->state;
  return st == HKM_BLK_LIVE || st == HKM_BLK_EXITED || st == HKM_BLK_OTHERS;
}

/* From block *b on, the next one that counted anything, its categories in one; NULL past the last. */
static const char *next_block(const struct image *im, unsigned *b, struct hkm_prof_cat *one) {
  for (; *b < nblocks(im); (*b)++) {
    const char *blk = block_at(im, *b);
    if (!blk || !usable_block(blk)) continue;
    effective(im, blk, one);
    if (counts_anything(one, im->h->ncat)) return block_at(im, (*b)++);
  }
  return NULL;
}

/* TSC ticks per second from the image's start to now: the TSC runs at one rate on every CPU. */
static double tsc_hz_since(const struct hkm_collect_head *h) {
  uint32_t lo, hi;
  struct timespec ts;
  __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  uint64_t tsc = ((uint64_t)hi << 32) | lo, ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return ns > h->ns0 && tsc > h->tsc0 ? (double)(tsc - h->tsc0) * 1e9 / (double)(ns - h->ns0) : 0;
}

/* One group's categories as the library's {count, total_cycles} per name; the totals and variances
 * go into tot/var. */
static void put_group(FILE *f, const struct image *im, const struct hkm_prof_cat *c, const struct hkm_prof_cat *pool,
                      uint64_t bias, uint64_t nest, double *tot, double *var, int *unknown) {
  const struct hkm_collect_head *h = im->h;
  int first = 1;
  double *t = stat_xrealloc(NULL, h->ncat * sizeof *t);
  int *parent = stat_xrealloc(NULL, h->ncat * sizeof *parent);
  for (unsigned i = 0; i < h->ncat; i++) {
    double v;
    t[i] = hkm_prof_estimate(&c[i], &pool[i], (double)bias, (double)nest, &v);
    parent[i] = h->cat_parent[i];
    if (v < 0)
      unknown[i] = 1;
    else
      var[i] += v;
  }
  hkm_prof_inclusive(t, parent, h->ncat);
  fputc('{', f);
  for (unsigned i = 0; i < h->ncat; i++) {
    tot[i] += t[i];
    if (!c[i].count) continue;
    fprintf(f, "%s\"%s\":{\"count\":%llu,\"total_cycles\":%.0f}", first ? "" : ",", h->cat_name[i],
            (unsigned long long)c[i].count, t[i]);
    first = 0;
  }
  fputc('}', f);
  free(t);
  free(parent);
}

/* The report an image that wrote none would have written, from its counters. */
static void synthesize(FILE *f, const struct image *im, uint64_t run_bias, uint64_t run_nest) {
  const struct hkm_collect_head *h = im->h;
  uint64_t bias = h->bias ? h->bias : run_bias, nest = h->bias ? h->nest : run_nest;
  unsigned ncat = h->ncat;
  struct hkm_prof_cat *pool = stat_xrealloc(NULL, ncat * sizeof *pool), *one = stat_xrealloc(NULL, ncat * sizeof *one),
                      *all = stat_xrealloc(NULL, ncat * sizeof *all);
  double *tot = stat_xrealloc(NULL, ncat * sizeof *tot), *var = stat_xrealloc(NULL, ncat * sizeof *var);
  int *unknown = stat_xrealloc(NULL, ncat * sizeof *unknown);
  memset(pool, 0, ncat * sizeof *pool);
  memset(all, 0, ncat * sizeof *all);
  memset(tot, 0, ncat * sizeof *tot);
  memset(var, 0, ncat * sizeof *var);
  memset(unknown, 0, ncat * sizeof *unknown);
  unsigned threads = 0, b = 0;
  for (const char *blk; (blk = next_block(im, &b, one));) {
    merge(pool, one, ncat);
    threads += ((const struct hkm_prof_block_head *)blk)->threads;
  }
  double hz = tsc_hz_since(h);
  fprintf(f, "{\"schema\":\"hakmem-profile\",\"version\":2,\"pid\":%d,\"ppid\":%d,\"command\":", h->pid, h->ppid);
  char cmd[HKM_COLLECT_CMDLINE + 1];
  memcpy(cmd, h->cmdline, HKM_COLLECT_CMDLINE);
  cmd[HKM_COLLECT_CMDLINE] = 0;
  json_write_str(f, cmd);
  fprintf(f,
          ",\"timing_compiled\":%s,\"enabled\":true,\"threads\":%u,\"tsc_hz\":%.0f,\"overhead_cycles\":%llu,"
          "\"overhead_subtracted\":true,\"nested_cost_cycles\":%llu,\"inclusive\":true,\"sample_every\":%u,"
          "\"from_counters\":true,\"per_thread\":[",
          h->timing_compiled ? "true" : "false", threads, hz, (unsigned long long)bias, (unsigned long long)nest,
          h->sample_every);
  int first = 1;
  b = 0;
  for (const char *blk; (blk = next_block(im, &b, one));) {
    const struct hkm_prof_block_head *bh = (const struct hkm_prof_block_head *)blk;
    merge(all, one, ncat);
    fprintf(f, "%s{\"tid\":%d,\"exited\":%s,\"threads\":%u,\"categories\":", first ? "" : ",",
            bh->state == HKM_BLK_OTHERS ? -1 : bh->tid, bh->state == HKM_BLK_LIVE ? "false" : "true", bh->threads);
    put_group(f, im, one, pool, bias, nest, tot, var, unknown);
    fputc('}', f);
    first = 0;
  }
  double top = 0;
  for (unsigned i = 0; i < ncat; i++)
    if (!strcmp(h->cat_name[i], "hak_alloc") || !strcmp(h->cat_name[i], "hak_free")) top += tot[i];
  fprintf(f, "],\"top_level_cycles\":%.0f,\"categories\":[", top);
  for (unsigned i = 0; i < ncat; i++) {
    const struct hkm_prof_cat *c = &all[i];
    int p = h->cat_parent[i];
    fprintf(f, "%s{\"name\":\"%s\",\"parent\":", i ? "," : "", h->cat_name[i]);
    if (p >= 0 && (unsigned)p < ncat)
      fprintf(f, "\"%s\"", h->cat_name[p]);
    else
      fputs("null", f);
    unsigned long long timed = c->timed + c->census;
    fprintf(f, ",\"sampled\":%s,\"count\":%llu,\"timed\":%llu,\"total_cycles\":%.0f,\"total_cycles_stderr\":",
            h->cat_sampled[i] ? "true" : "false", (unsigned long long)c->count, timed, tot[i]);
    if (unknown[i] && c->count > timed)
      fputs("null", f);
    else
      fprintf(f, "%.0f", var[i] > 0 ? sqrt(var[i]) : 0);
    double mn = timed ? (double)hkm_prof_extreme(c, c->min, bias, nest) : 0,
           mx = timed ? (double)hkm_prof_extreme(c, c->max, bias, nest) : 0;
    fprintf(f, ",\"avg_cycles\":%.0f,\"min_cycles\":%.0f,\"max_cycles\":%.0f,\"interrupted\":%llu,"
               "\"interrupted_cycles\":%llu,\"total_ns\":%.0f,\"share\":%.6f}",
            c->count ? tot[i] / (double)c->count : 0, mn, mx, (unsigned long long)c->intr,
            (unsigned long long)c->intr_cycles, hz > 0 ? tot[i] * 1e9 / hz : 0, top > 0 ? tot[i] / top : 0);
  }
  fputc(']', f);
  free(pool);
  free(one);
  free(all);
  free(tot);
  free(var);
  free(unknown);
}

/* How the image ended, as a JSON object: what it said itself, what its reaper saw, whether the same
 * process went on as a later image (an execve into another program on hakmem). */
static void put_ending(FILE *f, const struct image *im, int later) {
  const struct hkm_collect_head *h = im->h;
  int ws = h->wait_status, sig = h->reaped && WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
  const char *how;
  if (sig)
    how = "signal";
  else if (h->ending == HKM_END_EXIT)
    how = "exit";
  else if (h->ending == HKM_END__EXIT)
    how = "_exit";
  else if (later)
    how = "exec";
  else if (h->reaped)
    how = "no_handler"; /* exited, but not through exit() or _exit(): an execve into a program not on hakmem, say */
  else
    how = "unknown";
  fprintf(f, "\"ending\":{\"how\":\"%s\",\"exit_code\":", how);
  if (h->ending == HKM_END__EXIT)
    fprintf(f, "%d", h->exit_code);
  else if (h->reaped && WIFEXITED(ws))
    fprintf(f, "%d", WEXITSTATUS(ws));
  else
    fputs("null", f);
  fputs(",\"signal\":", f);
  if (sig) {
    fputc('"', f);
    const char *name = sigabbrev_np(sig);
    if (name)
      fprintf(f, "SIG%s", name);
    else
      fprintf(f, "%d", sig);
    fputc('"', f);
  } else {
    fputs("null", f);
  }
  fprintf(f, ",\"reaped\":%s}", h->reaped ? "true" : "false");
}

/* The warnings of one image into the run's list: each distinct text once, with the processes that gave it. */
static void add_warnings(struct run_result *r, const struct hkm_collect_head *h) {
  for (unsigned i = 0; i < h->nwarn && i < HKM_COLLECT_WARNINGS; i++) {
    char text[HKM_COLLECT_WARNING + 1];
    memcpy(text, h->warn[i].text, HKM_COLLECT_WARNING);
    text[HKM_COLLECT_WARNING] = 0;
    size_t len = strlen(text);
    while (len && text[len - 1] == '\n') text[--len] = 0;
    int k;
    for (k = 0; k < r->nwarn; k++)
      if (!strcmp(r->warn[k].text, text)) break;
    if (k == r->nwarn) {
      r->warn = stat_xrealloc(r->warn, (size_t)(r->nwarn + 1) * sizeof *r->warn);
      r->warn[k].text = stat_xrealloc(NULL, len + 1);
      memcpy(r->warn[k].text, text, len + 1);
      r->warn[k].processes = 0;
      r->nwarn++;
    }
    r->warn[k].processes++;
  }
}

int stat_collect_read(const char *dir, struct run_result *r) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  struct image *im = NULL;
  int n = 0;
  char *text = NULL;
  size_t text_len = 0;
  FILE *out = open_memstream(&text, &text_len);
  if (!out) {
    closedir(d);
    return -1;
  }
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d))) {
    long pid;
    unsigned k;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (!strcmp(e->d_name, "profile.jsonl")) { /* a library from before the collection files */
      char *lines;
      size_t len;
      if (read_all(path, &lines, &len) == 0) fwrite(lines, 1, len, out);
      free(lines);
      continue;
    }
    if (parse_name(e->d_name, &pid, &k) != 0) continue;
    struct image one = {pid, k, NULL, 0, NULL, NULL, 0};
    if (read_all(path, &one.data, &one.len) != 0) continue;
    one.h = (const struct hkm_collect_head *)one.data;
    if (one.len < sizeof *one.h || one.h->magic != HKM_COLLECT_MAGIC || one.h->version != HKM_COLLECT_VERSION ||
        one.h->ncat > HKM_COLLECT_CATS || one.h->head_bytes < sizeof *one.h) {
      free(one.data);
      r->unreadable_files++;
      continue;
    }
    if (one.h->json_len && one.h->json_off >= one.h->head_bytes && one.h->json_off + one.h->json_len <= one.len) {
      one.json = stat_xrealloc(NULL, one.h->json_len + 1);
      memcpy(one.json, one.data + one.h->json_off, one.h->json_len);
      one.json_len = one.h->json_len;
      one.json[one.json_len] = 0;
    }
    im = stat_xrealloc(im, (size_t)(n + 1) * sizeof *im);
    im[n++] = one;
  }
  closedir(d);
  if (n) qsort(im, (size_t)n, sizeof *im, by_image);
  uint64_t run_bias = 0, run_nest = 0; /* the same library on the same machine: any image's calibration will do */
  for (int i = 0; i < n && !run_bias; i++) {
    run_bias = im[i].h->bias;
    run_nest = im[i].h->nest;
  }
  for (int i = 0; i < n; i++) {
    int later = i + 1 < n && im[i + 1].pid == im[i].pid;
    add_warnings(r, im[i].h);
    /* a forked child's file that it never wrote in before its execve: not a process of its own */
    struct hkm_prof_cat *one = stat_xrealloc(NULL, im[i].h->ncat * sizeof *one);
    unsigned b = 0;
    int any = next_block(&im[i], &b, one) != NULL;
    free(one);
    if (!any && !im[i].json && later) continue;
    if (im[i].json) {
      size_t len = im[i].json_len;
      while (len && (im[i].json[len - 1] == '\n' || im[i].json[len - 1] == '}')) {
        int brace = im[i].json[len - 1] == '}';
        len--;
        if (brace) break;
      }
      fwrite(im[i].json, 1, len, out);
    } else {
      synthesize(out, &im[i], run_bias, run_nest);
    }
    fprintf(out, ",\"image\":%u,", im[i].n);
    put_ending(out, &im[i], later);
    fputs("}\n", out);
  }
  for (int i = 0; i < n; i++) {
    free(im[i].data);
    free(im[i].json);
  }
  free(im);
  fclose(out);
  r->profile = text;
  r->profile_len = text_len;
  return 0;
}

void stat_collect_print_warnings(FILE *f, const struct run_result *r) {
  for (int k = 0; k < r->nwarn; k++)
    fprintf(f, "%s (%d process%s)\n", r->warn[k].text, r->warn[k].processes, r->warn[k].processes == 1 ? "" : "es");
}
