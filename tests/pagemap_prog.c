/* Used by test_api_pagemap_modes.sh: a block of every tier allocated, written and freed, then
 * malloc_stats() on stderr, whose "page map" line says which page map the process runs on. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

int main(void) {
  for (size_t i = 0; i < API_NSIZES; i++) {
    char *p = malloc(api_tier_sizes[i]);
    CHECK(p, "malloc(%zu)", api_tier_sizes[i]);
    memset(p, 1, api_tier_sizes[i]);
    free(p);
  }
  malloc_stats();
  return 0;
}
