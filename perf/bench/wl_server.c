/* server: the shape of Larson and Krishnan's server simulation ("larson" in mimalloc-bench). The main
 * thread fills one array of blocks per worker; each worker replaces blocks at random in its array for
 * a while, then starts a successor thread that takes the array over, live blocks and all, and exits.
 * So most frees are of blocks a thread that is gone (or the main thread) allocated, and heaps keep
 * being created and given up while the others run. Unlike wl_larson, no thread waits for another.
 *   wl_server [scale] [threads]   (threads default 2)
 * The work is fixed (scale x 24M replacements in all); it prints the throughput, replacements per
 * second. A block holds its array's tag and its length at the front and the tag in its last byte,
 * checked before it is freed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wl_rng.h"

#define SLOTS 5000
#define LIFE 250000 /* replacements a thread makes before its successor takes over */
#define MIN_SIZE 8
#define MAX_SIZE 1000
#define MAX_THREADS 64

struct head {
  uint16_t len;
  uint16_t tag;
};

struct array {
  unsigned char *slot[SLOTS];
  uint64_t rng;
  long left; /* replacements still to make on this array */
  int id;
};

static struct array arrays[MAX_THREADS];
static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int running;
static volatile int failed;

static unsigned char *make(struct array *a) {
  uint64_t r = wl_next(&a->rng);
  struct head h = {(uint16_t)(MIN_SIZE + (r >> 32) % (MAX_SIZE - MIN_SIZE + 1)), (uint16_t)(a->id + 1)};
  unsigned char *p = malloc(h.len);
  if (!p) {
    fprintf(stderr, "server: malloc(%u) failed\n", h.len);
    failed = 1;
    return NULL;
  }
  memcpy(p, &h, sizeof h);
  p[h.len - 1] = (unsigned char)h.tag;
  return p;
}

static int check(const struct array *a, const unsigned char *p) {
  struct head h;
  memcpy(&h, p, sizeof h);
  return h.tag == a->id + 1 && h.len >= MIN_SIZE && h.len <= MAX_SIZE && p[h.len - 1] == (unsigned char)h.tag;
}

static void finished(void) {
  pthread_mutex_lock(&done_lock);
  running--;
  pthread_cond_signal(&done_cond);
  pthread_mutex_unlock(&done_lock);
}

static void *worker(void *arg) {
  struct array *a = arg;
  long n = a->left < LIFE ? a->left : LIFE;
  for (long i = 0; i < n && !failed; i++) {
    unsigned k = (unsigned)(wl_next(&a->rng) % SLOTS);
    if (!check(a, a->slot[k])) {
      fprintf(stderr, "server: slot %u of array %d corrupted\n", k, a->id);
      failed = 1;
      break;
    }
    free(a->slot[k]);
    if (!(a->slot[k] = make(a))) break;
  }
  a->left -= n;
  pthread_t next;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (a->left > 0 && !failed && pthread_create(&next, &attr, worker, a) == 0) return NULL;
  if (a->left > 0 && !failed) {
    fprintf(stderr, "server: pthread_create failed\n");
    failed = 1;
  }
  finished();
  return NULL;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  int nthreads = argc > 2 ? atoi(argv[2]) : 2;
  if (nthreads < 1 || nthreads > MAX_THREADS) return 2;
  long total = (long)(24000000 * scale);
  for (int t = 0; t < nthreads; t++) {
    struct array *a = &arrays[t];
    a->id = t;
    a->rng = WL_RNG_SEED + (uint64_t)(t + 1) * 0x9E3779B97F4A7C15ull;
    a->left = total / nthreads;
    for (unsigned k = 0; k < SLOTS; k++)
      if (!(a->slot[k] = make(a))) return 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  running = nthreads;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  for (int t = 0; t < nthreads; t++) {
    pthread_t th;
    if (pthread_create(&th, &attr, worker, &arrays[t])) {
      fprintf(stderr, "server: pthread_create failed\n");
      return 1;
    }
  }
  pthread_mutex_lock(&done_lock);
  while (running) pthread_cond_wait(&done_cond, &done_lock);
  pthread_mutex_unlock(&done_lock);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  if (!failed) printf("server: %d threads, %.1f M replacements per second\n", nthreads, (double)total / secs / 1e6);
  for (int t = 0; t < nthreads; t++)
    for (unsigned k = 0; k < SLOTS; k++) free(arrays[t].slot[k]);
  return failed;
}
