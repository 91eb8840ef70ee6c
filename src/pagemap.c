/* The page map's slow side: leaves, entering and forgetting spans, the index of long spans for
 * lookups inside them, and dropping the pages of emptied leaves. One lock: spans are entered and
 * forgotten only when they change hands (slab refills and releases, large blocks), never on the
 * malloc/free fast paths, which only read. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "meta.h"
#include "os.h"
#include "pagemap.h"

#define LEAF_ENTRIES ((size_t)1 << HKM_PM_LEAF_BITS)
#define LEAF_BYTES (LEAF_ENTRIES * sizeof(struct hkm_span *))
#define PAGE_ENTRIES (HKM_PAGE / sizeof(struct hkm_span *))
#define LEAF_PAGES (LEAF_BYTES / HKM_PAGE)
/* The helper drops emptied leaf pages once this many have gathered: a block mapped and unmapped in a
 * loop at the same address would otherwise fault its entry's page in and drop it again every time. */
#define TRIM_MIN 16

/* Each leaf's bookkeeping, in metadata memory: a page of its own after the leaf's entries was one
 * more resident page in every process (perf/bench/RESULTS.md, "The page map's own pages"). */
struct leaf_tail {
  uint16_t used[LEAF_PAGES];   /* non-NULL entries in each page of the leaf */
  uint8_t written[LEAF_PAGES]; /* page written since it was last dropped (so resident) */
  struct hkm_span **leaf;
  struct leaf_tail *next;      /* every leaf, for the trim */
};

HKM_COLD_BSS struct hkm_span **hkm_pagemap_top[1u << HKM_PM_TOP_BITS];
struct hkm_span **hkm_pagemap_flat;
/* One entry per granule number: 2^32 entries. Read-only until leaf_for makes a leaf's slice
 * writable, so the rest reads as the zero page and is not charged (no overcommit mode charges a
 * read-only private mapping; the slices are, as the leaves mapped one by one were). */
#define FLAT_BYTES (((size_t)1 << (HKM_PM_TOP_BITS + HKM_PM_LEAF_BITS)) * sizeof(struct hkm_span *))
static pthread_mutex_t pm_lock = PTHREAD_MUTEX_INITIALIZER;
static struct leaf_tail *leaves;
static size_t n_leaves, n_written, n_drops;
static size_t n_empty; /* written pages whose entries are all NULL; read without the lock by the trim */
/* Long spans sorted by base, for hkm_pagemap_find. A span that could not be indexed (no memory for
 * a larger index) is only missing from those lookups: a sampled fault inside it goes unattributed.
 * The first IDX_META entries are metadata memory (a program has a few long spans: the arena's
 * untouched rest, whale blocks), a mapping of its own beyond. */
#define IDX_META 32
static struct hkm_span **idx;
static size_t idx_n, idx_cap;

/* A process has a leaf or two (each covers 4 GiB). Under pm_lock. */
static struct leaf_tail *tail_of(struct hkm_span **leaf) {
  struct leaf_tail *t = leaves;
  while (t->leaf != leaf) t = t->next;
  return t;
}

/* RLIMIT_AS's soft limit; 0 when it cannot be read. The raw call: getrlimit lies in a window of
 * libc's text the mmap wrappers' neighbours do not share. */
static rlim_t as_limit(void) {
  struct rlimit rl;
  return syscall(SYS_getrlimit, RLIMIT_AS, &rl) == 0 ? rl.rlim_cur : 0;
}

void hkm_pagemap_init(void) {
  /* Under an address-space limit the 32 GiB would come out of what the program may map. */
  if (as_limit() != RLIM_INFINITY) return;
  int saved = errno;
  void *t = mmap(NULL, FLAT_BYTES, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  errno = saved;
  if (t == MAP_FAILED) return;
  madvise(t, FLAT_BYTES, MADV_DONTDUMP); /* a core dump would be 32 GiB of holes */
  errno = saved;
  hkm_pagemap_flat = t;
}

int hkm_pagemap_give_back(void) {
  /* A limit at or above the table's size was set with the table counted in (a program's mapped
   * size plus what it allows): giving the table back would hand the program 32 GiB more. */
  rlim_t limit;
  if (!hkm_pagemap_flat || (limit = as_limit()) == 0 || limit >= FLAT_BYTES) return 0;
  int saved = errno;
  pthread_mutex_lock(&pm_lock);
  struct hkm_span **flat = hkm_pagemap_flat;
  __atomic_store_n(&hkm_pagemap_flat, NULL, __ATOMIC_RELEASE);
  for (size_t ti = 1, n = (size_t)1 << HKM_PM_TOP_BITS; ti < n;) {
    if (hkm_pagemap_top[ti]) {
      ti++;
      continue;
    }
    size_t end = ti + 1;
    while (end < n && !hkm_pagemap_top[end]) end++;
    munmap(flat + (ti << HKM_PM_LEAF_BITS), (end - ti) * LEAF_BYTES);
    ti = end;
  }
  pthread_mutex_unlock(&pm_lock);
  errno = saved;
  return 1;
}

struct hkm_span *hkm_pagemap_get_two(const void *p) {
  uint32_t g = hkm_pagemap_granule(p);
  struct hkm_span **leaf = hkm_pagemap_top[g >> HKM_PM_LEAF_BITS];
  return leaf ? leaf[g & (LEAF_ENTRIES - 1)] : NULL;
}

/* Leaf ti (of the top table): its slice of the reserved table made writable, or a mapping of its own. */
static struct hkm_span **new_leaf(size_t ti) {
  if (!hkm_pagemap_flat) return hkm_os_map(LEAF_BYTES);
  struct hkm_span **leaf = hkm_pagemap_flat + (ti << HKM_PM_LEAF_BITS);
  int saved = errno;
  int ok = mprotect(leaf, LEAF_BYTES, PROT_READ | PROT_WRITE) == 0;
  errno = saved;
  return ok ? leaf : NULL;
}

static struct hkm_span **leaf_for(uintptr_t a) {
  size_t ti = a >> 32;
  struct hkm_span **leaf = hkm_pagemap_top[ti];
  if (leaf) return leaf;
  struct leaf_tail *t = hkm_meta_alloc(sizeof *t);
  if (!t) return NULL;
  leaf = new_leaf(ti);
  if (!leaf) return NULL; /* t stays unused: metadata memory is never given back */
  t->leaf = leaf;
  t->next = leaves;
  leaves = t;
  n_leaves++;
  __atomic_store_n(&hkm_pagemap_top[ti], leaf, __ATOMIC_RELEASE);
  return leaf;
}

/* One entry, keeping the leaf page's count of non-NULL entries. NULL over NULL writes nothing, so
 * that forgetting never faults a dropped page back in. */
static void store(uintptr_t a, struct hkm_span *s) {
  struct hkm_span **leaf = hkm_pagemap_top[a >> 32];
  if (!leaf) return;
  size_t i = (a >> HKM_GRANULE_SHIFT) & (LEAF_ENTRIES - 1), pg = i / PAGE_ENTRIES;
  struct leaf_tail *t = tail_of(leaf);
  struct hkm_span *old = leaf[i];
  if (s && !old) {
    if (t->used[pg]++ == 0) {
      if (t->written[pg]) {
        __atomic_sub_fetch(&n_empty, 1, __ATOMIC_RELAXED);
      } else {
        t->written[pg] = 1;
        n_written++;
      }
    }
  } else if (!s) {
    if (!old) return;
    if (--t->used[pg] == 0) __atomic_add_fetch(&n_empty, 1, __ATOMIC_RELAXED);
  }
  __atomic_store_n(&leaf[i], s, __ATOMIC_RELEASE);
}

/* First index whose span starts at or above a. */
static size_t idx_pos(uintptr_t a) {
  size_t lo = 0, hi = idx_n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (idx[mid]->base < a) lo = mid + 1; else hi = mid;
  }
  return lo;
}

static void index_add(struct hkm_span *s) {
  if (idx_n == idx_cap) {
    size_t cap = !idx_cap ? IDX_META : idx_cap == IDX_META ? PAGE_ENTRIES : 2 * idx_cap;
    struct hkm_span **n = cap == IDX_META ? hkm_meta_alloc(cap * sizeof *n) : hkm_os_map(cap * sizeof *n);
    if (!n) return;
    if (idx_n) memcpy(n, idx, idx_n * sizeof *n);
    if (idx_cap > IDX_META) hkm_os_unmap(idx, idx_cap * sizeof *idx);
    idx = n;
    idx_cap = cap;
  }
  size_t pos = idx_pos(s->base);
  memmove(&idx[pos + 1], &idx[pos], (idx_n - pos) * sizeof *idx);
  idx[pos] = s;
  idx_n++;
}

static void index_remove(const struct hkm_span *s) {
  size_t pos = idx_pos(s->base);
  if (pos == idx_n || idx[pos] != s) return;
  memmove(&idx[pos], &idx[pos + 1], (idx_n - pos - 1) * sizeof *idx);
  idx_n--;
}

static int long_span(const struct hkm_span *s) { return s->bytes > HKM_PM_FULL_SPAN; }

/* Point the entries the rule gives span s at v (s itself, or NULL). Under pm_lock. */
static void write_span(const struct hkm_span *s, struct hkm_span *v) {
  uintptr_t first = s->base, last = s->base + s->bytes - HKM_GRANULE;
  for (uintptr_t a = first; a <= last; a += long_span(s) ? last - first : HKM_GRANULE) {
    store(a, v);
    if (a == last) break;
  }
}

int hkm_pagemap_enter(struct hkm_span *s) {
  uintptr_t first = s->base, last = s->base + s->bytes - HKM_GRANULE;
  if (last >> (HKM_PM_TOP_BITS + 32)) return -1;
  pthread_mutex_lock(&pm_lock);
  int ok = leaf_for(first) && leaf_for(last);
  if (ok) {
    write_span(s, s);
    if (long_span(s)) index_add(s);
  }
  pthread_mutex_unlock(&pm_lock);
  return ok ? 0 : -1;
}

void hkm_pagemap_forget(const struct hkm_span *s) {
  pthread_mutex_lock(&pm_lock);
  write_span(s, NULL);
  if (long_span(s)) index_remove(s);
  pthread_mutex_unlock(&pm_lock);
}

/* Without pm_lock: each entry goes from one span to another, so no leaf page's count of entries
 * changes and the trim cannot drop the page under it (the region lock, held by every caller, keeps
 * the span's granules from changing hands meanwhile). */
void hkm_pagemap_repoint(const struct hkm_span *range, struct hkm_span *v) {
  for (uintptr_t a = range->base; a < range->base + range->bytes; a += HKM_GRANULE) {
    struct hkm_span **leaf = hkm_pagemap_top[a >> 32];
    __atomic_store_n(&leaf[(a >> HKM_GRANULE_SHIFT) & (LEAF_ENTRIES - 1)], v, __ATOMIC_RELEASE);
  }
}

int hkm_pagemap_reserve(uintptr_t a) {
  if (a >> (HKM_PM_TOP_BITS + 32)) return -1;
  if (__atomic_load_n(&hkm_pagemap_top[a >> 32], __ATOMIC_ACQUIRE)) return 0;
  pthread_mutex_lock(&pm_lock);
  struct hkm_span **leaf = leaf_for(a);
  pthread_mutex_unlock(&pm_lock);
  return leaf ? 0 : -1;
}

struct hkm_span *hkm_pagemap_find(const void *p) {
  struct hkm_span *s = hkm_pagemap_get(p);
  if (s) return s;
  uintptr_t a = (uintptr_t)p;
  pthread_mutex_lock(&pm_lock);
  size_t pos = idx_pos(a + 1);
  if (pos && a - idx[pos - 1]->base < idx[pos - 1]->bytes) s = idx[pos - 1];
  pthread_mutex_unlock(&pm_lock);
  return s;
}

void hkm_pagemap_trim(int all) {
  if (__atomic_load_n(&n_empty, __ATOMIC_RELAXED) < (all ? 1u : TRIM_MIN)) return;
  pthread_mutex_lock(&pm_lock);
  for (struct leaf_tail *t = leaves; t && n_empty; t = t->next) {
    char *leaf = (char *)t->leaf;
    for (size_t pg = 0; pg < LEAF_PAGES;) {
      if (t->used[pg] || !t->written[pg]) {
        pg++;
        continue;
      }
      size_t end = pg;
      for (; end < LEAF_PAGES && !t->used[end] && t->written[end]; end++) {
        t->written[end] = 0;
        n_written--;
        __atomic_sub_fetch(&n_empty, 1, __ATOMIC_RELAXED);
      }
      hkm_os_dontneed(leaf + pg * HKM_PAGE, (end - pg) * HKM_PAGE);
      n_drops++;
      pg = end;
    }
  }
  pthread_mutex_unlock(&pm_lock);
}

void hkm_pagemap_stats(struct hkm_pagemap_stats *out) {
  pthread_mutex_lock(&pm_lock);
  out->leaves = n_leaves;
  out->pages_written = n_written;
  out->long_spans = idx_n;
  out->drops = n_drops;
  out->flat = hkm_pagemap_flat != NULL;
  pthread_mutex_unlock(&pm_lock);
}

void hkm_pagemap_fork_prepare(void) { pthread_mutex_lock(&pm_lock); }
void hkm_pagemap_fork_parent(void) { pthread_mutex_unlock(&pm_lock); }
void hkm_pagemap_fork_child(void) { pthread_mutex_init(&pm_lock, NULL); }
