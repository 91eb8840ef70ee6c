/* falseshare: threads each write their own small block, over and over. If the allocator hands
 * threads blocks that share a cache line, every write bounces the line between cores. Two ways in:
 * the main thread allocates the first blocks back to back and hands them out (passive: the threads
 * free them and allocate their own), and each thread's own small allocations (active), as in Hoard's
 * cache-scratch and cache-thrash.
 *   wl_falseshare [scale] [threads]
 * Each thread counts in its block and checks the count before free. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define OBJ 8
#define WRITES 1000

static long rounds;
static volatile int failed;

static void *worker(void *arg) {
  volatile uint64_t *o = arg; /* the main thread's block: passive false sharing */
  for (long r = 0; r < rounds && !failed; r++) {
    if (!o && !(o = malloc(OBJ))) {
      fprintf(stderr, "falseshare: malloc failed\n");
      failed = 1;
      break;
    }
    *o = 0;
    for (int w = 0; w < WRITES; w++) *o = *o + 1;
    if (*o != WRITES) {
      fprintf(stderr, "falseshare: block holds %llu, not %d\n", (unsigned long long)*o, WRITES);
      failed = 1;
    }
    free((void *)o);
    o = NULL;
  }
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  int nthreads = argc > 2 ? atoi(argv[2]) : (int)(ncpu < 2 ? 2 : ncpu > 8 ? 8 : ncpu);
  if (nthreads < 1 || nthreads > 64) return 2;
  rounds = (long)(600000 * scale);
  void *first[64];
  for (int t = 0; t < nthreads; t++)
    if (!(first[t] = malloc(OBJ))) return 1;
  pthread_t th[64];
  for (int t = 0; t < nthreads; t++) pthread_create(&th[t], NULL, worker, first[t]);
  for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
  return failed;
}
