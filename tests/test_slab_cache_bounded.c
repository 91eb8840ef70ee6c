/* A thread keeps only a small cache of the blocks it frees (slab.h): the others go back to their
 * slabs, and a slab with nothing live goes back to the region cache, which mallinfo2 counts in
 * fordblks. Freeing 32 MiB of 48-byte blocks must put at least 28 MiB there. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

#define BLOCK 48
#define N (32 * MiB / BLOCK)

int main(void) {
  char **b = calloc(N, sizeof *b);
  CHECK(b, "calloc");
  for (size_t i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], (int)i, BLOCK);
  }
  size_t before = mallinfo2().fordblks;
  for (size_t i = 0; i < N; i++) {
    size_t j = (i * 7919) % N; /* an order unrelated to allocation; N is no multiple of 7919 */
    free(b[j]);
  }
  size_t after = mallinfo2().fordblks;
  printf("32 MiB of 48-byte blocks freed: fordblks %zu -> %zu MiB\n", before / MiB, after / MiB);
  CHECK(after >= before + 28 * MiB, "the freed blocks did not go back (fordblks +%zu MiB)",
        (after > before ? after - before : 0) / MiB);
  free(b);
  return 0;
}
