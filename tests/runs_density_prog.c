/* Frees 48 runs of 500 KiB that came from fresh address space, having touched every page of each
 * ("dense") or only the first and last ("sparse"), then prints malloc_stats to stderr and the RSS to
 * stdout. test_region_sparse_runs.sh reads what the region cache kept resident. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

#define N 48
#define BLOCK (500 * KiB) /* a run of 8 granules with its lead */

int main(int argc, char **argv) {
  CHECK(argc == 2 && (!strcmp(argv[1], "sparse") || !strcmp(argv[1], "dense")), "usage: runs_density_prog sparse|dense");
  int dense = !strcmp(argv[1], "dense");
  char *b[N];
  for (int i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    if (dense) {
      memset(b[i], i, BLOCK);
    } else {
      b[i][0] = (char)i;
      b[i][BLOCK - 1] = (char)i;
    }
  }
  for (int i = 0; i < N; i++) {
    CHECK(b[i][0] == (char)i && b[i][BLOCK - 1] == (char)i, "block %d overwritten", i);
    free(b[i]);
  }
  malloc_stats();
  printf("%s: RSS %ld MiB after freeing %d runs of %zu KiB\n", argv[1], api_rss_mib(), N, BLOCK / KiB);
  return 0;
}
