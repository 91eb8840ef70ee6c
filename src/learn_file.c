/* HAKMEM_LEARN_FILE (see learn_file.h). Reading and writing go through one static buffer: loading
 * runs inside the first large malloc, saving at exit, and neither may allocate. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler.h"
#include "learn_file.h"
#include "options.h"
#include "strbuf.h"
#include "symbolize.h"
#include "types.h"

#define FILE_CAP ((size_t)64 << 10)
#define OBJECTS 64
#define FILE_VERSION 1

struct object {
  char path[HKM_SYM_PATH_MAX + 1];
  uint64_t size, mtime;
};

static HKM_COLD_BSS char buf[FILE_CAP];
static HKM_COLD_BSS struct object objs[OBJECTS];
static int nobj;
static int foreign_file; /* the file at HAKMEM_LEARN_FILE is another program's: never overwrite it */

static const char *const backing_names[HKM_BACK_COUNT] = {"lazy", "huge", "prefault"};

static int exe_path(char *out, size_t cap) {
  ssize_t n = readlink("/proc/self/exe", out, cap - 1);
  if (n <= 0) return -1;
  out[n] = 0;
  return 0;
}

static void bad(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(const char *path, const char *fmt, ...) {
  char why[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  hkm_warn("HAKMEM_LEARN_FILE=%s: %s; ignored", path, why);
}

/* Field parsing over one line: words separated by single spaces. */
struct cursor {
  char *p;
};

static char *word(struct cursor *c) {
  while (*c->p == ' ') c->p++;
  if (!*c->p) return NULL;
  char *w = c->p;
  while (*c->p && *c->p != ' ') c->p++;
  if (*c->p) *c->p++ = 0;
  return w;
}

static int num(struct cursor *c, long long lo, long long hi, long long *out) {
  char *w = word(c), *end;
  if (!w) return -1;
  errno = 0;
  long long v = strtoll(w, &end, 0);
  if (*end || errno || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static int name_of(const char *w, const char *const *names, int n) {
  for (int i = 0; w && i < n; i++)
    if (!strcmp(w, names[i])) return i;
  return -1;
}

/* The rest of the line (a path may hold spaces). */
static char *rest(struct cursor *c) {
  while (*c->p == ' ') c->p++;
  return *c->p ? c->p : NULL;
}

static const char *parse_site(struct cursor *c, struct hkm_learned *e) {
  static const char *const tiers[] = {"big", "whale"}, *const keeps[] = {"shared", "own"};
  long long v;
  memset(e, 0, sizeof *e);
  if (num(c, 0, nobj - 1, &v)) return "bad object index";
  e->object = (unsigned)v;
  char *w = word(c), *end;
  if (!w) return "no offset";
  errno = 0;
  e->offset = strtoull(w, &end, 16);
  if (*end || errno) return "bad offset";
  int t = name_of(word(c), tiers, 2), b = name_of(word(c), backing_names, HKM_BACK_COUNT),
      k = name_of(word(c), keeps, 2);
  if (t < 0 || b < 0 || k < 0) return "bad tier, backing or keep";
  e->tier = (uint8_t)(t ? HKM_TIER_WHALE : HKM_TIER_BIG);
  e->backing = (uint8_t)b;
  e->keep = (uint8_t)k;
  if (num(c, 0, 10, &v)) return "bad keep time";
  e->keep_ms_log2 = (uint8_t)v;
  if (num(c, 0, 1, &v)) return "bad foreign flag";
  e->foreign = (uint8_t)v;
  if (num(c, -1, 1000, &v)) return "bad density";
  e->density_pm = (int32_t)v;
  if (num(c, -1, 1000, &v)) return "bad chunk density";
  e->chunk_density_pm = (int32_t)v;
  if (num(c, 0, 1LL << 34, &v)) return "bad page count";
  e->pages = (uint32_t)(v > UINT32_MAX ? UINT32_MAX : v);
  for (int i = 0; i < HKM_BACK_COUNT; i++) {
    if (num(c, -2, 1LL << 40, &v)) return "bad score";
    e->score[i] = v;
  }
  for (int i = 0; i < HKM_BACK_COUNT; i++) {
    if (num(c, 0, 1LL << 31, &v)) return "bad pull count";
    e->pulls[i] = (uint32_t)v;
  }
  if (word(c)) return "extra fields";
  return NULL;
}

int hkm_learn_file_load(const char *path, struct hkm_learned *out, int max) {
  int saved = errno;
  nobj = 0;
  foreign_file = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) bad(path, "cannot be read (%s)", strerror(errno));
    errno = saved;
    return 0;
  }
  size_t len = 0;
  ssize_t r;
  while (len < FILE_CAP && ((r = read(fd, buf + len, FILE_CAP - len)) > 0 || (r < 0 && errno == EINTR)))
    if (r > 0) len += (size_t)r;
  close(fd);
  errno = saved;
  if (len >= FILE_CAP) return bad(path, "larger than %zu bytes", FILE_CAP - 1), 0;
  buf[len] = 0;
  if (memchr(buf, 0, len)) return bad(path, "not a text file"), 0;
  char me[HKM_SYM_PATH_MAX + 1];
  if (exe_path(me, sizeof me) != 0) me[0] = 0;
  int n = 0, lineno = 0, ended = 0, header = 0;
  for (char *line = buf, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (!next) return bad(path, "cut short (line %d has no end)", lineno + 1), 0;
    *next++ = 0;
    lineno++;
    if (ended && *line) return bad(path, "line %d: text after the end line", lineno), 0;
    if (!*line || *line == '#') continue;
    struct cursor c = {line};
    const char *what = word(&c);
    long long v;
    if (!header) {
      if (lineno != 1 || !what || strcmp(what, "hakmem-learn") != 0) return bad(path, "not a hakmem learn file"), 0;
      if (num(&c, 0, 1 << 30, &v) || v != FILE_VERSION)
        return bad(path, "version is not %d (written by another hakmem)", FILE_VERSION), 0;
      header = 1;
    } else if (!what) {
      continue;
    } else if (!strcmp(what, "program")) {
      const char *p = rest(&c);
      if (!p) return bad(path, "line %d: no program path", lineno), 0;
      if (strcmp(p, me) != 0) {
        foreign_file = 1;
        return bad(path, "written by %s, not by this program (%s)", p, me[0] ? me : "?"), 0;
      }
    } else if (!strcmp(what, "object")) {
      if (nobj == OBJECTS || num(&c, nobj, nobj, &v)) return bad(path, "line %d: objects out of order", lineno), 0;
      long long size, mtime;
      if (num(&c, 0, 1LL << 62, &size) || num(&c, 0, 1LL << 62, &mtime))
        return bad(path, "line %d: bad object size or time", lineno), 0;
      const char *p = rest(&c);
      if (!p || strlen(p) > HKM_SYM_PATH_MAX) return bad(path, "line %d: bad object path", lineno), 0;
      strcpy(objs[nobj].path, p);
      objs[nobj].size = (uint64_t)size;
      objs[nobj].mtime = (uint64_t)mtime;
      nobj++;
    } else if (!strcmp(what, "site")) {
      if (n == max) return bad(path, "more than %d sites", max), 0;
      const char *why = parse_site(&c, &out[n]);
      if (why) return bad(path, "line %d: %s", lineno, why), 0;
      n++;
    } else if (!strcmp(what, "end")) {
      if (num(&c, 0, 1 << 30, &v) || v != n) return bad(path, "line %d: %d sites, but the end line says otherwise", lineno, n), 0;
      ended = 1;
    } else {
      return bad(path, "line %d: unknown item '%s'", lineno, what), 0;
    }
  }
  if (!ended) return bad(path, "cut short (no end line)"), 0;
  return n;
}

struct find {
  const char *path, *exe;
  uintptr_t bias;
  int found;
};

static int find_object(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  struct find *f = arg;
  const char *name = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : f->exe;
  if (!name || strcmp(name, f->path) != 0) return 0;
  f->bias = (uintptr_t)info->dlpi_addr;
  f->found = 1;
  return 1;
}

static int same_file(const struct object *o) {
  struct stat st;
  return stat(o->path, &st) == 0 && (uint64_t)st.st_size == o->size && (uint64_t)st.st_mtime == o->mtime;
}

void hkm_learn_file_resolve(struct hkm_learned *e, int n) {
  int saved = errno;
  char me[HKM_SYM_PATH_MAX + 1];
  if (exe_path(me, sizeof me) != 0) me[0] = 0;
  for (int o = 0; o < nobj; o++) {
    struct find f = {objs[o].path, me, 0, 0};
    int changed = !same_file(&objs[o]);
    if (!changed) dl_iterate_phdr(find_object, &f);
    int dropped = 0;
    for (int i = 0; i < n; i++) {
      if (e[i].object != (unsigned)o) continue;
      e[i].addr = !changed && f.found ? f.bias + (uintptr_t)e[i].offset : 0;
      dropped += changed;
    }
    if (dropped)
      hkm_warn("HAKMEM_LEARN_FILE=%s: %s changed since the file was written; its %d site%s ignored",
               hkm_cfg.learn_file ? hkm_cfg.learn_file : "", objs[o].path, dropped, dropped == 1 ? "" : "s");
  }
  errno = saved;
}

/* The object of a site, added to the table when new; -1 when unknown or the table is full. */
static int object_of(uintptr_t addr, uint64_t *off) {
  struct hkm_sym sym;
  if (!hkm_symbolize((const void *)addr, &sym) || !sym.object || strlen(sym.object) > HKM_SYM_PATH_MAX) return -1;
  *off = sym.object_off;
  for (int i = 0; i < nobj; i++)
    if (!strcmp(objs[i].path, sym.object)) return i;
  struct stat st;
  if (nobj == OBJECTS || stat(sym.object, &st) != 0) return -1;
  strcpy(objs[nobj].path, sym.object);
  objs[nobj].size = (uint64_t)st.st_size;
  objs[nobj].mtime = (uint64_t)st.st_mtime;
  return nobj++;
}

int hkm_learn_file_save(const char *path, const struct hkm_learned *e, int n) {
  if (foreign_file) return 0;
  int saved = errno;
  static HKM_COLD_BSS int obj_of[HKM_LEARN_FILE_SITES];
  static HKM_COLD_BSS uint64_t off_of[HKM_LEARN_FILE_SITES];
  char me[HKM_SYM_PATH_MAX + 1];
  if (exe_path(me, sizeof me) != 0) me[0] = 0;
  nobj = 0;
  if (n > HKM_LEARN_FILE_SITES) n = HKM_LEARN_FILE_SITES;
  for (int i = 0; i < n; i++) obj_of[i] = object_of(e[i].addr, &off_of[i]);
  struct hkm_buf b = {buf, 0, sizeof buf};
  hkm_put(&b, "hakmem-learn %d\nprogram %s\n", FILE_VERSION, me);
  hkm_put(&b, "# object index size mtime path\n");
  for (int o = 0; o < nobj; o++)
    hkm_put(&b, "object %d %llu %llu %s\n", o, (unsigned long long)objs[o].size, (unsigned long long)objs[o].mtime,
            objs[o].path);
  hkm_put(&b, "# site object offset tier backing keep keep_ms_log2 foreign density_per_mille chunk_density_per_mille pages"
              " score(cycles/KiB used: lazy huge prefault; -1 unknown, -2 unavailable) pulls(lazy huge prefault)\n");
  int sites = 0;
  for (int i = 0; i < n; i++) {
    if (obj_of[i] < 0) continue;
    const struct hkm_learned *s = &e[i];
    hkm_put(&b, "site %d %#llx %s %s %s %u %u %d %d %u", obj_of[i], (unsigned long long)off_of[i],
            s->tier == HKM_TIER_WHALE ? "whale" : "big", backing_names[s->backing < HKM_BACK_COUNT ? s->backing : 0],
            s->keep ? "own" : "shared", s->keep_ms_log2, s->foreign, s->density_pm, s->chunk_density_pm, s->pages);
    for (int k = 0; k < HKM_BACK_COUNT; k++) hkm_put(&b, " %lld", (long long)s->score[k]);
    for (int k = 0; k < HKM_BACK_COUNT; k++) hkm_put(&b, " %u", s->pulls[k]);
    hkm_put(&b, "\n");
    sites++;
  }
  hkm_put(&b, "end %d\n", sites);
  if (b.len + 1 >= b.cap) {
    hkm_warn("HAKMEM_LEARN_FILE=%s: more than %zu bytes to save; not saved", path, FILE_CAP);
    errno = saved;
    return -1;
  }
  char tmp[HKM_SYM_PATH_MAX + 32];
  int ok = snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) < (int)sizeof tmp;
  int fd = ok ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
  size_t done = 0;
  while (fd >= 0 && done < b.len) {
    ssize_t w = write(fd, buf + done, b.len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    done += (size_t)w;
  }
  int err = fd < 0 ? errno : 0;
  if (fd >= 0 && close(fd) != 0 && !err) err = errno;
  if (fd >= 0 && done == b.len && !err && rename(tmp, path) == 0) {
    errno = saved;
    return 0;
  }
  if (!err) err = errno ? errno : EIO;
  if (fd >= 0) unlink(tmp);
  hkm_warn("HAKMEM_LEARN_FILE=%s: cannot be written (%s); not saved", path, strerror(err));
  errno = saved;
  return -1;
}
