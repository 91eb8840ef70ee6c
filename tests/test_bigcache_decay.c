/* BigCache keeps up to 32 MiB of a site's freed 1-2 MiB blocks while the helper can time them out, and
 * gives back all but 8 MiB of them once they have waited HAKMEM_RECLAIM_DELAY_MS unused
 * (src/bigcache.c):
 *   1. twelve 1.5 MiB blocks from one call site, written and freed (18 MiB): the next twelve
 *      requests from that site are all BigCache hits (the library before kept four blocks a site
 *      and 8 MiB in all: four hits);
 *   2. freed again and left idle: within 2 s BigCache is down to 8 MiB at most, and keeps some;
 *   3. with the sync backend (no helper, run again as "sync"), BigCache never holds more than 8 MiB.
 * With HAKMEM_RECLAIM_DELAY_MS=300 (it runs itself again with it), so that a loaded machine does not
 * time the blocks out between the phases. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_check.h"
#include "hakmem.h"

#define BLOCKS 12
#define SIZE (3 * MiB / 2)
#define FLOOR (8 * MiB)

struct big_stats {
  size_t bytes, blocks, hits, misses;
};

/* BigCache's figures now, from the statistics' "bigcache" line. */
static struct big_stats big_stats(void) {
  char *text = NULL;
  size_t len = 0;
  struct big_stats s;
  FILE *f = open_memstream(&text, &len);
  CHECK(f, "open_memstream");
  hak_stats_print(f);
  fclose(f);
  const char *line = strstr(text, "bigcache");
  CHECK(line && sscanf(line, "bigcache %zu bytes in %zu blocks (%zu hits, %zu misses", &s.bytes, &s.blocks, &s.hits,
                       &s.misses) == 4,
        "no BigCache line in the statistics:\n%s", text);
  free(text);
  return s;
}

/* One call site for every block. */
static __attribute__((noinline)) void take(unsigned char **b) {
  for (int k = 0; k < BLOCKS; k++) {
    CHECK((b[k] = malloc(SIZE)), "malloc");
    for (size_t i = 0; i < SIZE; i += 4096) b[k][i] = (unsigned char)(k + i / 4096);
  }
}

static void give(unsigned char **b) {
  for (int k = 0; k < BLOCKS; k++) {
    for (size_t i = 0; i < SIZE; i += 4096)
      CHECK(b[k][i] == (unsigned char)(k + i / 4096), "block %d lost byte %zu", k, i);
    free(b[k]);
  }
}

int main(int argc, char **argv) {
  int sync = argc > 1 && !strcmp(argv[1], "sync");
  if (!getenv("HAKMEM_RECLAIM_DELAY_MS")) { /* read at start: run again with it */
    fflush(stdout);
    setenv("HAKMEM_RECLAIM_DELAY_MS", "300", 1);
    execv("/proc/self/exe", argv);
    CHECK(0, "execv of itself failed");
  }
  unsigned char *b[BLOCKS];
  take(b);
  give(b);
  struct big_stats kept = big_stats(), before = kept;
  printf("%s: %d blocks of %zu bytes freed: BigCache holds %zu bytes in %zu blocks\n", sync ? "sync" : "helper", BLOCKS,
         SIZE, kept.bytes, kept.blocks);
  if (sync) {
    CHECK(kept.bytes <= FLOOR, "without a helper BigCache holds %zu bytes, over 8 MiB", kept.bytes);
    return 0;
  }
  CHECK(kept.blocks == BLOCKS, "BigCache kept %zu of the %d blocks one site freed", kept.blocks, BLOCKS);
  take(b);
  struct big_stats again = big_stats();
  printf("asked for again: %zu hits, %zu misses\n", again.hits - before.hits, again.misses - before.misses);
  CHECK(again.hits - before.hits == BLOCKS, "%zu of %d requests were BigCache hits", again.hits - before.hits, BLOCKS);
  give(b);

  struct big_stats idle = big_stats();
  for (int i = 0; i < 100 && (idle = big_stats()).bytes > FLOOR; i++)
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
  printf("idle: %zu bytes in %zu blocks\n", idle.bytes, idle.blocks);
  CHECK(idle.bytes <= FLOOR, "BigCache still holds %zu bytes after 2 s idle", idle.bytes);
  CHECK(idle.blocks > 0, "BigCache gave back the blocks it keeps however long they wait");

  /* the sync backend, which has no helper to time blocks out */
  setenv("HAKMEM_RECLAIM", "sync", 1);
  fflush(stdout);
  char *args[] = {argv[0], "sync", NULL};
  execv("/proc/self/exe", args);
  CHECK(0, "execv of itself failed");
}
