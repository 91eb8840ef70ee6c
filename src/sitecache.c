/* Blocks kept per site (see sitecache.h): one list per evidence slot, earliest deadline first, under
 * one lock (a whale allocation or free costs far more than the lock). */
#include "config.h"

#include <pthread.h>

#include "options.h"
#include "os.h"
#include "policy.h"
#include "reclaim.h"
#include "region.h"
#include "site_stats.h"
#include "sitecache.h"

/* Without a helper thread nothing times kept blocks out while the program sleeps: keep few. */
#define NO_DECAY_BYTES ((size_t)16 << 20)
#define MAX_VICTIMS 16

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static HKM_COLD_BSS struct hkm_span *head[HKM_SITE_SLOTS], *tail[HKM_SITE_SLOTS];
static HKM_COLD_BSS unsigned count[HKM_SITE_SLOTS];
/* kept_bytes: what the kept blocks are charged (their resident pages, kept in s->lres0 meanwhile) */
static size_t kept_bytes, kept_blocks, mapped_bytes, hits, expired;

static void unlink_span(int slot, struct hkm_span *s) {
  if (s->prev) s->prev->next = s->next; else head[slot] = s->next;
  if (s->next) s->next->prev = s->prev; else tail[slot] = s->prev;
  s->next = s->prev = NULL;
  count[slot]--;
  kept_bytes -= (size_t)s->lres0 * HKM_PAGE;
  mapped_bytes -= s->bytes;
  kept_blocks--;
}

/* Insert keeping the list ordered by deadline (s->stamp). */
static void insert(int slot, struct hkm_span *s) {
  struct hkm_span *after = tail[slot];
  while (after && after->stamp > s->stamp) after = after->prev;
  s->prev = after;
  s->next = after ? after->next : head[slot];
  if (s->next) s->next->prev = s; else tail[slot] = s;
  if (after) after->next = s; else head[slot] = s;
  count[slot]++;
  kept_bytes += (size_t)s->lres0 * HKM_PAGE;
  mapped_bytes += s->bytes;
  kept_blocks++;
}

/* The slot whose first block has the earliest deadline, or -1. */
static int earliest(void) {
  int best = -1;
  for (int i = 0; i < HKM_SITE_SLOTS; i++)
    if (head[i] && (best < 0 || head[i]->stamp < head[best]->stamp)) best = i;
  return best;
}

static void release(struct hkm_span *s) {
  hkm_policy_leave(s);
  hkm_region_put(s);
}

int hkm_sitecache_put(struct hkm_span *s, const struct hkm_keep_ticket *k) {
  size_t cap = hkm_cfg.whale_cache_bytes, pages = k->pages;
  int slot = k->slot, decays = hkm_reclaim_can_decay();
  if (!decays && cap > NO_DECAY_BYTES) cap = NO_DECAY_BYTES;
  if (pages > s->bytes / HKM_PAGE) pages = s->bytes / HKM_PAGE;
  if (!pages) pages = 1;
  if (slot < 0 || slot >= HKM_SITE_SLOTS || pages * HKM_PAGE > cap) return 0;
  s->lres0 = (uint32_t)pages;
  struct hkm_span *victims[MAX_VICTIMS];
  unsigned nv = 0;
  s->stamp = hkm_reclaim_now_ns() + (uint64_t)k->ms * 1000000u;
  pthread_mutex_lock(&lock);
  while (count[slot] >= (k->max_blocks ? k->max_blocks : 1) && nv < MAX_VICTIMS) {
    struct hkm_span *old = head[slot];
    unlink_span(slot, old);
    victims[nv++] = old;
  }
  insert(slot, s);
  int v;
  while (kept_bytes > cap && nv < MAX_VICTIMS && (v = earliest()) >= 0) {
    struct hkm_span *old = head[v];
    unlink_span(v, old);
    victims[nv++] = old;
  }
  int left = kept_blocks > 0;
  pthread_mutex_unlock(&lock);
  if (left && decays) hkm_reclaim_arm_decay();
  for (unsigned i = 0; i < nv; i++) release(victims[i]);
  return 1;
}

struct hkm_span *hkm_sitecache_take(int slot, size_t bytes, size_t align) {
  if (slot < 0 || slot >= HKM_SITE_SLOTS || !__atomic_load_n(&head[slot], __ATOMIC_RELAXED)) return NULL;
  struct hkm_span *best = NULL;
  pthread_mutex_lock(&lock);
  for (struct hkm_span *s = head[slot]; s; s = s->next)
    if (s->bytes >= bytes && s->bytes / 4 <= bytes && (s->base & (align - 1)) == 0 && (!best || s->bytes < best->bytes))
      best = s;
  if (best) {
    unlink_span(slot, best);
    hits++;
  }
  pthread_mutex_unlock(&lock);
  return best;
}

/* Called by the reclaim helper: blocks past their deadline go back. */
static int decay(uint64_t now) {
  struct hkm_span *victims[MAX_VICTIMS];
  unsigned nv;
  int left;
  do {
    nv = 0;
    pthread_mutex_lock(&lock);
    int v;
    while (nv < MAX_VICTIMS && (v = earliest()) >= 0 && head[v]->stamp <= now) {
      struct hkm_span *s = head[v];
      unlink_span(v, s);
      victims[nv++] = s;
      expired++;
    }
    left = kept_blocks > 0;
    /* Put back before the lock goes, as whale.c does: a malloc_trim that flushes next then finds them
     * in the region cache it trims. */
    for (unsigned i = 0; i < nv; i++) release(victims[i]);
    pthread_mutex_unlock(&lock);
  } while (nv == MAX_VICTIMS);
  return left;
}

void hkm_sitecache_init(void) { hkm_reclaim_add_decay(decay); }

int hkm_sitecache_flush(void) {
  int any = 0;
  for (;;) {
    struct hkm_span *s = NULL;
    pthread_mutex_lock(&lock);
    int v = earliest();
    if (v >= 0) {
      s = head[v];
      unlink_span(v, s);
    }
    pthread_mutex_unlock(&lock);
    if (!s) return any;
    release(s);
    any = 1;
  }
}

void hkm_sitecache_flush_slot(int slot) {
  if (slot < 0 || slot >= HKM_SITE_SLOTS) return;
  for (;;) {
    pthread_mutex_lock(&lock);
    struct hkm_span *s = head[slot];
    if (s) unlink_span(slot, s);
    pthread_mutex_unlock(&lock);
    if (!s) return;
    release(s);
  }
}

void hkm_sitecache_stats(struct hkm_sitecache_stats *out) {
  pthread_mutex_lock(&lock);
  out->blocks = kept_blocks;
  out->bytes = mapped_bytes;
  out->resident = kept_bytes;
  out->hits = hits;
  out->expired = expired;
  pthread_mutex_unlock(&lock);
}

void hkm_sitecache_fork_prepare(void) { pthread_mutex_lock(&lock); }
void hkm_sitecache_fork_parent(void) { pthread_mutex_unlock(&lock); }
void hkm_sitecache_fork_child(void) { pthread_mutex_init(&lock, NULL); }
