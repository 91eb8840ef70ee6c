/* See trim.h. Sits above the tiers: it empties each of them, in the order that lets each one's
 * spans reach the region cache before the region cache gives back. */
#include "config.h"

#include "bigcache.h"
#include "heap.h"
#include "os.h"
#include "pagemap.h"
#include "pages.h"
#include "region.h"
#include "sitecache.h"
#include "trim.h"
#include "whale.h"

/* Only the caller's heap: other heaps belong to running threads. */
static int trim_tiers(void) {
  struct hkm_heap *h = hkm_tls_heap_owned;
  int any = h ? hkm_slab_trim(h) : 0;
  any |= hkm_bigcache_flush();
  any |= hkm_whale_flush();
  any |= hkm_sitecache_flush();
  any |= hkm_pages_trim();
  return any;
}

int hkm_trim(void) {
  int any = trim_tiers();
  any |= hkm_region_trim();
  return any;
}

/* Whether anything went back is not the question: what the release queue held counts too, and other
 * threads may have freed meanwhile. One more attempt is cheap next to failing. */
static int relieve(void) {
  hkm_pagemap_give_back();
  trim_tiers();
  hkm_region_flush();
  return 1;
}

void hkm_trim_init(void) { hkm_os_set_relief(relieve); }
