/* The whale ring grows while the mappings it let go are asked for again, and shrinks back when they
 * idle (src/whale.c). Three phases:
 *   1. a block freed and asked for again at its size: one slot serves it, and the ring stays at one;
 *   2. eight blocks of 2.5-8 MiB in flight, four freed and four asked for each round: the ring grows,
 *      and over the last half of the rounds under a quarter of the pages written fault (the library
 *      before, one slot, let three in four freed mappings go to the region cache, which drops their
 *      pages: over half of them faulted);
 *   3. everything freed and left idle: the decay gives the mappings back and the ring is one slot
 *      again within 2 s.
 * With HAKMEM_RECLAIM_DELAY_MS=200 (it runs itself again with it) and the default backend, whose
 * helper thread times the ring out; the sync backend has none, and caps the ring at 16 MiB instead. */
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "api_check.h"
#include "hakmem.h"

#define LIVE 8
#define ROUNDS 60

static long minor_faults(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

/* The ring's size now, from the statistics' "whale ring" line. */
static size_t ring_slots(void) {
  char *text = NULL;
  size_t len = 0, slots = 0;
  FILE *f = open_memstream(&text, &len);
  CHECK(f, "open_memstream");
  hak_stats_print(f);
  fclose(f);
  const char *line = strstr(text, "whale ring"), *of = line ? strstr(line, " of ") : NULL;
  CHECK(of && sscanf(of, " of %zu slots", &slots) == 1, "no ring size in the statistics:\n%s", text);
  free(text);
  return slots;
}

static uint32_t next(uint32_t *s) { return *s = *s * 1664525u + 1013904223u; }

/* Every page written: a page that was not resident faults. */
static void fill(unsigned char *p, size_t n, unsigned key) {
  for (size_t i = 0; i < n; i += 4096) p[i] = (unsigned char)(key + i / 4096);
}

static void check(const unsigned char *p, size_t n, unsigned key) {
  for (size_t i = 0; i < n; i += 4096)
    CHECK(p[i] == (unsigned char)(key + i / 4096), "block %p (%zu bytes) lost byte %zu", (void *)p, n, i);
}

int main(int argc, char **argv) {
  (void)argc;
  /* A ghost counts within the delay, and the decay shrinks the ring after it: 10 ms is a time slice
   * on a loaded machine. The delay is read at start: run again with it. */
  if (!getenv("HAKMEM_RECLAIM_DELAY_MS")) {
    setenv("HAKMEM_RECLAIM_DELAY_MS", "200", 1);
    execv("/proc/self/exe", argv);
    CHECK(0, "execv of itself failed");
  }
  for (int i = 0; i < 200; i++) {
    unsigned char *p = malloc(3 * MiB);
    CHECK(p, "malloc");
    fill(p, 3 * MiB, (unsigned)i);
    free(p);
  }
  size_t one = ring_slots();
  printf("one block freed and asked for again: %zu slot(s)\n", one);
  CHECK(one == 1, "the ring grew to %zu slots for a block that one slot serves", one);

  unsigned char *b[LIVE];
  size_t n[LIVE];
  unsigned key[LIVE];
  uint32_t rng = 7;
  for (int k = 0; k < LIVE; k++) {
    n[k] = 5 * MiB / 2 + next(&rng) % (11 * MiB / 2);
    CHECK((b[k] = malloc(n[k])), "malloc");
    fill(b[k], n[k], key[k] = next(&rng));
  }
  long faults = 0, pages = 0;
  for (int r = 0; r < ROUNDS; r++) {
    int first = (r % 2) * (LIVE / 2);
    for (int k = first; k < first + LIVE / 2; k++) {
      check(b[k], n[k], key[k]);
      free(b[k]);
    }
    long before = minor_faults();
    for (int k = first; k < first + LIVE / 2; k++) {
      n[k] = 5 * MiB / 2 + next(&rng) % (11 * MiB / 2);
      CHECK((b[k] = malloc(n[k])), "malloc(%zu)", n[k]);
      fill(b[k], n[k], key[k] = next(&rng));
      if (r >= ROUNDS / 2) pages += (long)((n[k] + 4095) / 4096);
    }
    if (r >= ROUNDS / 2) faults += minor_faults() - before;
  }
  size_t grown = ring_slots();
  printf("eight in flight: %zu slots, %ld page faults writing %ld pages in the last %d rounds\n", grown, faults,
         pages, ROUNDS / 2);
  CHECK(faults * 4 < pages, "%ld of %ld pages faulted: freed mappings lost their pages", faults, pages);
  CHECK(grown > 1, "the ring stayed at one slot");

  for (int k = 0; k < LIVE; k++) {
    check(b[k], n[k], key[k]);
    free(b[k]);
  }
  size_t idle = grown;
  for (int i = 0; i < 100 && (idle = ring_slots()) > 1; i++) nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
  printf("idle: %zu slot(s)\n", idle);
  CHECK(idle == 1, "the ring kept %zu slots after 2 s idle", idle);
  return 0;
}
