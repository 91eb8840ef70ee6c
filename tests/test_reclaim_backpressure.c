/* The release queue pushes back (src/reclaim.c, QUEUE_MAX): a thread that frees spans faster than the
 * helper drops them runs a batch itself once 256 ranges wait, so the pages waiting stay bounded. Under
 * HAKMEM_MODE=minimal every freed run of 64 KiB-1 MiB goes to the queue; before, the queue grew
 * without bound (its ranges resident and their address space not reusable, every request fresh
 * pages): wl_churn peaked at 340 MiB where glibc needs 14. Here 100,000 runs of 128-320 KiB, each
 * written at both ends and freed, must leave the RSS within 64 MiB of where it started. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_check.h"

#define ROUNDS 100000

int main(int argc, char **argv) {
  (void)argc;
  const char *mode = getenv("HAKMEM_MODE");
  if (!mode || strcmp(mode, "minimal")) { /* the mode is read at start: run again with it */
    setenv("HAKMEM_MODE", "minimal", 1);
    execv("/proc/self/exe", argv);
    CHECK(0, "execv of itself failed");
  }
  long base = api_rss_mib(), high = base;
  for (long i = 0; i < ROUNDS; i++) {
    size_t n = 128 * KiB + (size_t)(i % 7) * 32 * KiB;
    char *p = malloc(n);
    CHECK(p, "malloc(%zu)", n);
    p[0] = p[n - 1] = (char)i;
    free(p);
    if (i % 1000 == 0) {
      long now = api_rss_mib();
      if (now > high) high = now;
    }
  }
  printf("RSS %ld MiB at the start, at most %ld over %d runs freed\n", base, high, ROUNDS);
  CHECK(high - base <= 64, "the RSS rose by %ld MiB: the release queue grew without bound", high - base);
  return 0;
}
