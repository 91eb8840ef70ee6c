/* Blocks that other threads free to the slabs of a thread that keeps running but no longer allocates
 * are collected for it, and its slabs that emptied go back for any thread to use (slab.c, collect_for):
 * the owner would never look at them. The main thread fills 8 MiB with 64-byte blocks and waits in
 * pthread_join; a second thread frees them all, pauses (the collection waits until the owner has left
 * the class alone for 10 ms), then allocates 8 MiB of them: RSS must not grow by more than 2 MiB
 * (without the collection it grew by the whole 8). */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "api_check.h"

#define BLOCK 64
#define N (8 * MiB / BLOCK)

static char **b;

static void *other(void *arg) {
  long *grew = arg;
  for (size_t i = 0; i < N; i++) {
    CHECK(b[i][0] == 1 && b[i][BLOCK - 1] == 1, "block %zu overwritten", i);
    free(b[i]);
  }
  struct timespec pause = {0, 30 * 1000 * 1000};
  nanosleep(&pause, NULL);
  long before = api_rss_mib();
  for (size_t i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], 2, BLOCK);
  }
  *grew = api_rss_mib() - before;
  for (size_t i = 0; i < N; i++) free(b[i]);
  return NULL;
}

int main(void) {
  b = calloc(N, sizeof *b);
  CHECK(b, "calloc");
  for (size_t i = 0; i < N; i++) {
    CHECK((b[i] = malloc(BLOCK)), "malloc");
    memset(b[i], 1, BLOCK);
  }
  pthread_t t;
  long grew = 0;
  CHECK(pthread_create(&t, NULL, other, &grew) == 0, "pthread_create");
  pthread_join(t, NULL);
  printf("8 MiB of 64-byte blocks after another thread freed the waiting main thread's 8 MiB: RSS +%ld MiB\n", grew);
  CHECK(grew <= 2, "the blocks freed to the waiting thread's slabs were not reused (RSS +%ld MiB)", grew);
  free(b);
  return 0;
}
