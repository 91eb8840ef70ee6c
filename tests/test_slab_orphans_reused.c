/* A thread that exits leaves its slabs to the threads that come after it: one that needs blocks of
 * the same size takes over the free blocks in them before it touches new memory (slab.c's orphans).
 * The first thread fills 16 MiB with 64-byte blocks and frees every other one; the second, started
 * after the first has exited, allocates 8 MiB of them: RSS must not grow by more than 2 MiB. */
#include <pthread.h>
#include <string.h>

#include "api_check.h"

#define BLOCK 64
#define N (16 * MiB / BLOCK)

static char **b; /* the first thread's blocks: the even ones stay live */

static void *first(void *arg) {
  (void)arg;
  for (size_t i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], 1, BLOCK);
  }
  for (size_t i = 1; i < N; i += 2) free(b[i]);
  return NULL;
}

static void *second(void *arg) {
  long *grew = arg;
  long before = api_rss_mib();
  for (size_t i = 0; i < N / 2; i++) {
    char *p = malloc(BLOCK);
    CHECK(p, "malloc");
    memset(p, 2, BLOCK);
  }
  *grew = api_rss_mib() - before;
  return NULL;
}

int main(void) {
  b = calloc(N, sizeof *b);
  CHECK(b, "calloc");
  pthread_t t;
  long grew = 0;
  CHECK(pthread_create(&t, NULL, first, NULL) == 0, "pthread_create");
  pthread_join(t, NULL);
  CHECK(pthread_create(&t, NULL, second, &grew) == 0, "pthread_create");
  pthread_join(t, NULL);
  printf("8 MiB of 64-byte blocks after a thread left 8 MiB of them free: RSS +%ld MiB\n", grew);
  CHECK(grew <= 2, "the second thread did not reuse the first one's free blocks (RSS +%ld MiB)", grew);
  for (size_t i = 0; i < N; i += 2) CHECK(b[i][0] == 1 && b[i][BLOCK - 1] == 1, "kept block %zu overwritten", i);
  return 0;
}
