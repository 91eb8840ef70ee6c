/* hakmem stamps what it caches and queues (spans put back in the region cache, Whale blocks, remote
 * frees waiting for an idle owner) with the kernel's vDSO clock, never through libc's clock_gettime,
 * whose page of libc's text a program that does not read the clock would otherwise map with 64 KiB of
 * fault-around (src/clock.h). This program defines clock_gettime itself, so that a call the library
 * makes through its PLT lands here and is counted, and then puts blocks of every tier back, from a
 * thread that exits and from the main thread: the library must not have called it. */
#include <pthread.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>

#include "api_check.h"

static volatile int libc_calls;

int clock_gettime(clockid_t id, struct timespec *ts) {
  libc_calls++;
  return (int)syscall(SYS_clock_gettime, id, ts);
}

static void churn(void) {
  for (unsigned round = 0; round < 3; round++)
    for (size_t i = 0; i < API_NSIZES; i++) {
      size_t n = api_tier_sizes[i];
      char *p = malloc(n);
      CHECK(p, "malloc(%zu)", n);
      api_fill_sparse(p, n);
      CHECK(api_sparse_ok(p, n), "block of %zu bytes overwritten", n);
      free(p);
    }
}

static void *thread_main(void *arg) {
  (void)arg;
  churn();
  return NULL;
}

int main(void) {
  if (!getauxval(AT_SYSINFO_EHDR)) {
    printf("SKIP: no vDSO in this process's auxiliary vector\n");
    return 77;
  }
  struct timespec ts;
  CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && libc_calls == 1, "the test's own clock_gettime is not the one called");
  libc_calls = 0;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, thread_main, NULL) == 0, "pthread_create");
  CHECK(pthread_join(t, NULL) == 0, "pthread_join");
  churn();
  CHECK(libc_calls == 0, "the library called libc's clock_gettime %d times", libc_calls);
  printf("no call of clock_gettime through the PLT\n");
  return 0;
}
