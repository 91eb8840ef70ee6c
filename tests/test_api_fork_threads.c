/* fork while other threads are in the middle of allocating and freeing in every tier: the child
 * must find the allocator usable (no lock held by a thread that does not exist in it), its inherited
 * blocks intact, and exit cleanly. */
#include <pthread.h>
#include <stdatomic.h>

#include "api_fork_child.h"

enum { THREADS = 3, FORKS = 30, KEEP = 16 };

static atomic_int stop;

static void *churn(void *arg) {
  unsigned i = (unsigned)(uintptr_t)arg;
  while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
    size_t n = api_tier_sizes[i++ % API_NSIZES];
    char *p = malloc(n);
    CHECK(p, "malloc(%zu)", n);
    p[0] = 1;
    p[n - 1] = 2;
    char *q = realloc(p, n / 2 + 1);
    CHECK(q && q[0] == 1, "realloc");
    free(q);
  }
  return NULL;
}

int main(void) {
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) CHECK(pthread_create(&t[i], NULL, churn, (void *)(uintptr_t)(i * 3)) == 0, "pthread_create");
  char *keep[KEEP];
  size_t keep_n[KEEP];
  for (int f = 0; f < FORKS; f++) {
    for (int i = 0; i < KEEP; i++) {
      keep_n[i] = api_tier_sizes[(size_t)(f + i) % API_NSIZES];
      keep[i] = malloc(keep_n[i]);
      api_fill_sparse(keep[i], keep_n[i]);
    }
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      /* A thread of the child's own, too: thread creation and exit must work after fork. */
      pthread_t c;
      CHECK(pthread_create(&c, NULL, churn, (void *)(uintptr_t)f) == 0, "child pthread_create");
      atomic_store(&stop, 1);
      pthread_join(c, NULL);
      api_child(keep, keep_n, KEEP, (unsigned)f);
    }
    api_expect_clean_exit(pid, "fork while threads allocate");
    for (int i = 0; i < KEEP; i++) {
      CHECK(api_sparse_ok(keep[i], keep_n[i]), "parent block overwritten after fork");
      free(keep[i]);
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  printf("fork while %d threads allocate: %d children exited cleanly\n", THREADS, FORKS);
  return 0;
}
