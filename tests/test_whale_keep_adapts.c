/* The keep delay follows the program (src/reclaim.c, src/whale.c): a 4 MiB block freed and asked for
 * again after 60 ms, longer than HAKMEM_RECLAIM_DELAY_MS=10 (it runs itself again with it), is let go
 * by the decay once; the miss raises the keep delay past 60 ms, and from then on the ring still holds
 * the mapping, resident, when it is asked for. The library before, whose delay stayed at 10 ms, let
 * it go every round and the program faulted all its pages in again each time. Then, left idle, the
 * mapping still goes back (the ring empties within 3 s). */
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api_check.h"
#include "hakmem.h"

#define ROUNDS 16
#define BYTES (4 * MiB)

static long minor_faults(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

static void sleep_ms(long ms) { nanosleep(&(struct timespec){ms / 1000, ms % 1000 * 1000000}, NULL); }

/* From the statistics: the keep delay in ms and the bytes the whale ring holds. */
static void stats(double *keep_ms, size_t *ring_bytes) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f, "open_memstream");
  hak_stats_print(f);
  fclose(f);
  const char *k = strstr(text, "keep delay "), *w = strstr(text, "whale ring");
  CHECK(k && sscanf(k, "keep delay %lf ms", keep_ms) == 1, "no keep delay in the statistics:\n%s", text);
  CHECK(w && sscanf(w, "whale ring %zu bytes", ring_bytes) == 1, "no whale ring in the statistics:\n%s", text);
  free(text);
}

int main(int argc, char **argv) {
  (void)argc;
  if (!getenv("HAKMEM_RECLAIM_DELAY_MS") || strcmp(getenv("HAKMEM_RECLAIM_DELAY_MS"), "10") != 0) {
    setenv("HAKMEM_RECLAIM_DELAY_MS", "10", 1);
    execv("/proc/self/exe", argv);
    CHECK(0, "execv of itself failed");
  }
  double keep0, keep;
  size_t ring;
  stats(&keep0, &ring);
  CHECK(keep0 == 10.0, "the keep delay starts at %.1f ms, not HAKMEM_RECLAIM_DELAY_MS", keep0);
  long faults = 0, pages = 0;
  for (int r = 0; r < ROUNDS; r++) {
    long before = minor_faults();
    unsigned char *p = malloc(BYTES);
    CHECK(p, "malloc");
    for (size_t i = 0; i < BYTES; i += 4096) p[i] = (unsigned char)(r + i / 4096);
    if (r >= ROUNDS / 2) {
      faults += minor_faults() - before;
      pages += BYTES / 4096;
    }
    free(p);
    sleep_ms(60);
  }
  stats(&keep, &ring);
  printf("freed for 60 ms between requests: keep delay %.1f ms, %ld page faults writing %ld pages in the last %d rounds\n",
         keep, faults, pages, ROUNDS / 2);
  CHECK(keep > 60.0, "the keep delay stayed at %.1f ms", keep);
  CHECK(faults * 4 < pages, "%ld of %ld pages faulted: the mapping was let go between requests", faults, pages);

  for (int i = 0; i < 150 && (stats(&keep, &ring), ring); i++) sleep_ms(20);
  printf("idle: the ring holds %zu bytes\n", ring);
  CHECK(ring == 0, "the ring kept %zu bytes after 3 s idle", ring);
  return 0;
}
