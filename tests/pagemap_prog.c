/* Used by test_api_pagemap_modes.sh: a block of every tier allocated, written and freed, then
 * malloc_stats() on stderr, whose "page map" line says which page map the process runs on.
 *   pagemap_prog          that
 *   pagemap_prog lower    first lowers RLIMIT_AS to what is mapped without the page map's table
 *                         (32 GiB) plus 256 MiB, then allocates 128 MiB and every tier: the refused
 *                         mapping must give the table back (hakmem(3), Memory limits). */
#include <malloc.h>
#include <string.h>
#include <sys/resource.h>

#include "api_check.h"

#define TABLE ((size_t)32 << 30)

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "lower")) {
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages;
    CHECK(f && fscanf(f, "%lu", &pages) == 1, "cannot read /proc/self/statm");
    fclose(f);
    size_t mapped = pages * (size_t)sysconf(_SC_PAGESIZE);
    CHECK(mapped > TABLE, "%zu bytes mapped: no page map table to give back", mapped);
    struct rlimit rl = {(rlim_t)(mapped - TABLE + 256 * MiB), (rlim_t)(mapped - TABLE + 256 * MiB)};
    CHECK(setrlimit(RLIMIT_AS, &rl) == 0, "setrlimit");
    char *big = malloc(128 * MiB);
    CHECK(big, "malloc(128 MiB) under a limit of what is mapped without the table + 256 MiB");
    memset(big, 1, 128 * MiB);
    free(big);
  }
  for (size_t i = 0; i < API_NSIZES; i++) {
    char *p = malloc(api_tier_sizes[i]);
    CHECK(p, "malloc(%zu)", api_tier_sizes[i]);
    memset(p, 1, api_tier_sizes[i]);
    free(p);
  }
  malloc_stats();
  return 0;
}
