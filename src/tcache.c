/* Threads' caches of freed page runs by length (see tcache.h). */
#include "config.h"

#include <stddef.h>

#include "tcache.h"

static void unlink_block(struct hkm_tcache *c, struct hkm_cached_block *b) {
  if (b->prev) b->prev->next = b->next; else c->len[b->units] = b->next;
  if (b->next) b->next->prev = b->prev;
  if (b->older) b->older->newer = b->newer; else c->oldest = b->newer;
  if (b->newer) b->newer->older = b->older; else c->newest = b->older;
  c->units -= b->units;
}

void *hkm_tcache_take(struct hkm_tcache *c, unsigned units) {
  struct hkm_cached_block *b = c->len[units];
  if (!b && !(b = c->len[units + 1])) return NULL;
  unlink_block(c, b);
  return b;
}

struct hkm_cached_block *hkm_tcache_put(struct hkm_tcache *c, void *p, unsigned units, unsigned most) {
  struct hkm_cached_block *b = p, *gone = NULL;
  if (units > most) {
    b->next = NULL;
    b->units = units;
    return b;
  }
  while (c->units + units > most) {
    struct hkm_cached_block *o = c->oldest;
    unlink_block(c, o);
    o->next = gone;
    gone = o;
  }
  b->units = units;
  b->prev = NULL;
  b->next = c->len[units];
  if (b->next) b->next->prev = b;
  c->len[units] = b;
  b->newer = NULL;
  b->older = c->newest;
  if (c->newest) c->newest->newer = b; else c->oldest = b;
  c->newest = b;
  c->units += units;
  return gone;
}

struct hkm_cached_block *hkm_tcache_drain(struct hkm_tcache *c) {
  struct hkm_cached_block *gone = NULL, *o;
  while ((o = c->oldest) != NULL) {
    unlink_block(c, o);
    o->next = gone;
    gone = o;
  }
  return gone;
}
