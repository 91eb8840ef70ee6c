/* Cross-thread stress: blocks are freed and reallocated by threads other than the one that allocated
 * them (a block goes to another thread's mailbox; only when that is full does the poster free it). Each
 * thread allocates blocks of every tier (malloc, calloc, posix_memalign) and posts them to another
 * thread's mailbox; a thread that takes a block from its own checks it, and either frees it, or
 * reallocs it (checking the kept bytes) and posts it on, so that blocks also move between threads
 * after being reallocated by a thread that does not own their slab. Threads end and new ones start
 * meanwhile, leaving blocks in mailboxes for threads that never saw their owner.
 * HKM_STRESS_SCALE=N: N times the operations (see stress.h). */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>

#include "stress.h"

enum { THREADS = 4, GENERATIONS = 3, OPS = 6000, BOX = 64 };

struct mailbox {
  pthread_mutex_t lock;
  unsigned n;
  unsigned char *b[BOX];
};

static struct mailbox box[THREADS];
static atomic_ulong serials, allocs, frees, reallocs;
static unsigned ops;

static unsigned char *take(unsigned t) {
  struct mailbox *m = &box[t];
  pthread_mutex_lock(&m->lock);
  unsigned char *p = m->n ? m->b[--m->n] : NULL;
  pthread_mutex_unlock(&m->lock);
  return p;
}

/* Posts p to mailbox t; when that is full, the block is checked and freed here instead. */
static void post(unsigned t, unsigned char *p) {
  struct mailbox *m = &box[t];
  pthread_mutex_lock(&m->lock);
  if (m->n < BOX) {
    m->b[m->n++] = p;
    p = NULL;
  }
  pthread_mutex_unlock(&m->lock);
  if (p) {
    stress_check(p, SIZE_MAX, "post");
    free(p);
    atomic_fetch_add(&frees, 1);
  }
}

static unsigned char *new_block(uint64_t *s) {
  size_t n = api_random_size(s);
  unsigned char *p;
  unsigned how = (unsigned)(api_rand(s) % 8);
  if (how == 0) {
    p = calloc(1, n);
    CHECK(p, "calloc(1, %zu)", n);
    API_FOR_SPARSE(n, 0, i, CHECK(p[i] == 0, "calloc(1, %zu): byte %zu is not zero", n, i));
  } else if (how == 1) {
    size_t align = (size_t)16 << (api_rand(s) % 12); /* 16 B .. 32 KiB */
    void *q = NULL;
    CHECK(posix_memalign(&q, align, n) == 0, "posix_memalign(%zu, %zu)", align, n);
    CHECK(((uintptr_t)q & (align - 1)) == 0, "posix_memalign(%zu): %p is not aligned", align, q);
    p = q;
  } else {
    p = malloc(n);
    CHECK(p, "malloc(%zu)", n);
  }
  CHECK(malloc_usable_size(p) >= n, "malloc_usable_size(%p) < %zu", (void *)p, n);
  stress_fill(p, n, atomic_fetch_add(&serials, 1));
  atomic_fetch_add(&allocs, 1);
  return p;
}

static void handle(unsigned char *p, uint64_t *s, unsigned self) {
  size_t n = stress_check(p, SIZE_MAX, "take");
  if (api_rand(s) % 3 == 0) {
    size_t m = api_random_size(s);
    unsigned char *q = realloc(p, m);
    CHECK(q, "realloc(%p, %zu)", (void *)p, m);
    stress_check(q, m < n ? m : n, "realloc");
    stress_fill(q, m, atomic_fetch_add(&serials, 1));
    atomic_fetch_add(&reallocs, 1);
    post((self + 1 + (unsigned)(api_rand(s) % (THREADS - 1))) % THREADS, q);
    return;
  }
  free(p);
  atomic_fetch_add(&frees, 1);
}

static void *worker(void *arg) {
  unsigned self = (unsigned)(uintptr_t)arg % THREADS;
  uint64_t s = 0x9E3779B97F4A7C15ull * ((uintptr_t)arg + 1);
  for (unsigned op = 0; op < ops; op++) {
    unsigned char *p = take(self);
    if (p) handle(p, &s, self);
    post((self + 1 + (unsigned)(api_rand(&s) % (THREADS - 1))) % THREADS, new_block(&s));
  }
  return NULL;
}

int main(void) {
  ops = OPS * stress_scale();
  for (unsigned i = 0; i < THREADS; i++) pthread_mutex_init(&box[i].lock, NULL);
  pthread_t t[THREADS];
  unsigned next = 0;
  for (unsigned i = 0; i < THREADS; i++, next++) CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)next) == 0, "pthread_create");
  /* Each generation's thread i takes over mailbox i from the one that ended. */
  for (unsigned g = 1; g < GENERATIONS; g++)
    for (unsigned i = 0; i < THREADS; i++, next++) {
      CHECK(pthread_join(t[i], NULL) == 0, "pthread_join");
      CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)next) == 0, "pthread_create");
    }
  for (unsigned i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  for (unsigned i = 0; i < THREADS; i++)
    for (unsigned char *p; (p = take(i)) != NULL;) {
      stress_check(p, SIZE_MAX, "drain");
      free(p);
      atomic_fetch_add(&frees, 1);
    }
  unsigned long a = atomic_load(&allocs), f = atomic_load(&frees);
  CHECK(a == f, "%lu blocks allocated, %lu freed", a, f);
  printf("stress threads: %u threads, %lu blocks, %lu reallocs after a hand-over: ok\n", next, a, atomic_load(&reallocs));
  return 0;
}
