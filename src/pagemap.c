/* The page map's slow side: creating leaves and filling entries. */
#include "config.h"

#include <pthread.h>

#include "os.h"
#include "pagemap.h"

struct hkm_span **hkm_pagemap_top[1u << HKM_PM_TOP_BITS];
static pthread_mutex_t leaf_lock = PTHREAD_MUTEX_INITIALIZER;

static struct hkm_span **leaf_for(uintptr_t a) {
  size_t ti = a >> 32;
  struct hkm_span **leaf = __atomic_load_n(&hkm_pagemap_top[ti], __ATOMIC_ACQUIRE);
  if (leaf) return leaf;
  pthread_mutex_lock(&leaf_lock);
  leaf = hkm_pagemap_top[ti];
  if (!leaf) {
    leaf = hkm_os_map(sizeof(struct hkm_span *) << HKM_PM_LEAF_BITS);
    if (leaf) __atomic_store_n(&hkm_pagemap_top[ti], leaf, __ATOMIC_RELEASE);
  }
  pthread_mutex_unlock(&leaf_lock);
  return leaf;
}

int hkm_pagemap_set(uintptr_t base, size_t bytes, struct hkm_span *s) {
  for (uintptr_t a = base; a < base + bytes; a += HKM_GRANULE) {
    if (a >> (HKM_PM_TOP_BITS + 32)) return -1;
    struct hkm_span **leaf = leaf_for(a);
    if (!leaf) return -1;
    __atomic_store_n(&leaf[(a >> HKM_GRANULE_SHIFT) & ((1u << HKM_PM_LEAF_BITS) - 1)], s, __ATOMIC_RELEASE);
  }
  return 0;
}

void hkm_pagemap_fork_prepare(void) { pthread_mutex_lock(&leaf_lock); }
void hkm_pagemap_fork_parent(void) { pthread_mutex_unlock(&leaf_lock); }
void hkm_pagemap_fork_child(void) { pthread_mutex_init(&leaf_lock, NULL); }
