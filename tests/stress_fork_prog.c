/* fork while other threads allocate, free and release: run by test_stress_fork.sh under each release
 * backend. Three threads churn blocks of every tier (whales too, so that release work is queued or
 * running when fork comes) and leave some in shared slots. Each child takes the slots' blocks, whose
 * threads do not exist in it, checks and frees them (frees into slabs with no live owner), runs a
 * thread of its own, sometimes forks a grandchild, checks and frees what its forking thread held,
 * and exits. A child that deadlocks is killed by its alarm.
 * HKM_STRESS_SCALE=N: N times the forks (see stress.h). */
#include <pthread.h>
#include <stdatomic.h>

#include "api_fork_child.h"
#include "stress.h"

enum { THREADS = 3, FORKS = 8, QUICK = 64, KEEP = 16, SLOTS = 32, OWN = 8 };

static atomic_int stop;
static _Atomic(unsigned char *) slots[SLOTS];
static atomic_ulong serials;

/* Thread 0 takes sizes as programs do (mostly small); 1 and 2 only L2.5 and larger ones, whose slabs
 * and spans go through the region cache and the release queue all the time. */
static unsigned char *new_block(uint64_t *s, unsigned tid) {
  size_t n = api_random_size(s);
  if (tid % 3) n = 32 * KiB + n % (tid % 3 == 1 ? MiB : 3 * MiB);
  unsigned char *p = malloc(n);
  CHECK(p, "malloc(%zu)", n);
  stress_fill(p, n, atomic_fetch_add(&serials, 1));
  return p;
}

static void *churn(void *arg) {
  unsigned tid = (unsigned)(uintptr_t)arg;
  uint64_t s = 0x9E3779B97F4A7C15ull * (tid + 1);
  unsigned char *own[OWN] = {0};
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    uint64_t r = api_rand(&s);
    unsigned char **at = r % 4 ? &own[(r >> 8) % OWN] : NULL;
    unsigned char *old = at ? *at : atomic_exchange(&slots[(r >> 8) % SLOTS], new_block(&s, tid));
    if (at) *at = new_block(&s, tid);
    if (old) {
      stress_check(old, SIZE_MAX, "churn");
      free(old);
    }
  }
  for (unsigned k = 0; k < OWN; k++) free(own[k]);
  return NULL;
}

static void child(char **keep, const size_t *keep_n, int f) {
  alarm(20);
  for (unsigned i = 0; i < SLOTS; i++) {
    unsigned char *p = atomic_exchange(&slots[i], NULL);
    if (p) {
      stress_check(p, SIZE_MAX, "child: a slot's block");
      free(p);
    }
  }
  pthread_t c;
  atomic_store(&stop, 0);
  CHECK(pthread_create(&c, NULL, churn, (void *)(uintptr_t)(1000 + f)) == 0, "child pthread_create");
  usleep(2000);
  atomic_store(&stop, 1);
  CHECK(pthread_join(c, NULL) == 0, "child pthread_join");
  if (f % 4 == 1) {
    pid_t g = fork();
    CHECK(g >= 0, "child fork");
    if (g == 0) {
      api_child_work((unsigned)f);
      _exit(0);
    }
    api_expect_clean_exit(g, "grandchild");
  }
  api_child(keep, keep_n, KEEP, (unsigned)f);
}

/* A child that only allocates and frees a block of each tier and leaves: many of them, so that some
 * fork lands while a thread holds one of hakmem's locks (a lock not taken around fork is then held
 * in the child by a thread that does not exist there, and the child hangs until its alarm). */
static void quick_children(int n) {
  for (int k = 0; k < n; k++) {
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      alarm(20);
      for (size_t i = 0; i < API_NSIZES; i++) {
        char *p = malloc(api_tier_sizes[i]);
        if (!p) _exit(3);
        p[0] = 1;
        free(p);
      }
      _exit(0);
    }
    api_expect_clean_exit(pid, "quick fork while threads allocate");
  }
}

int main(void) {
  int forks = FORKS * (int)stress_scale();
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)i) == 0, "pthread_create");
  char *keep[KEEP];
  size_t keep_n[KEEP];
  for (int f = 0; f < forks; f++) {
    for (int i = 0; i < KEEP; i++) {
      keep_n[i] = api_tier_sizes[(size_t)(f + i) % API_NSIZES];
      keep[i] = malloc(keep_n[i]);
      CHECK(keep[i], "malloc(%zu)", keep_n[i]);
      api_fill_sparse(keep[i], keep_n[i]);
    }
    usleep(1000); /* the threads go on meanwhile */
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) child(keep, keep_n, f);
    api_expect_clean_exit(pid, "fork while threads allocate");
    quick_children(QUICK / FORKS);
    for (int i = 0; i < KEEP; i++) {
      CHECK(api_sparse_ok(keep[i], keep_n[i]), "parent block overwritten after fork");
      free(keep[i]);
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  for (unsigned i = 0; i < SLOTS; i++) {
    unsigned char *p = atomic_exchange(&slots[i], NULL);
    if (p) {
      stress_check(p, SIZE_MAX, "parent: a slot's block");
      free(p);
    }
  }
  printf("stress fork: %d forks (and %d quick ones) while %d threads allocate: ok\n", forks, forks * (QUICK / FORKS), THREADS);
  return 0;
}
