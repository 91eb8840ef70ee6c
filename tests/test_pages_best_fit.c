/* malloc's requests of 18-64 KiB are page runs (src/pages.h): whole 4 KiB pages, page-aligned, shared by every
 * size. A freed run serves the next request it fits best, whatever size it was freed at; two freed
 * neighbours serve a request of both their lengths; calloc clears reused pages; a thread frees what
 * another allocated; each thread takes its runs from an arena of its own. The chunks' own placement,
 * so under HAKMEM_MODE=minimal, which keeps no freed run in a thread cache in front of them
 * (test_pages_tcache tests that cache). */
#define _GNU_SOURCE
#include <malloc.h>
#include <sched.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "api_check.h"

#define PAGE ((size_t)4096)

static void *free_it(void *p) {
  free(p);
  return NULL;
}

static void *malloc_it(void *arg) {
  (void)arg;
  return malloc(5 * PAGE);
}

int main(int argc, char **argv) {
  (void)argc;
  const char *mode = getenv("HAKMEM_MODE");
  if (!mode || strcmp(mode, "minimal")) { /* read at start: run again with it */
    setenv("HAKMEM_MODE", "minimal", 1);
    execv("/proc/self/exe", argv);
    CHECK(0, "execv of itself failed");
  }
  /* In a fresh process the runs follow each other in the first chunk. */
  unsigned char *a = malloc(5 * PAGE - 100), *gap1 = malloc(20 * KiB), *b = malloc(10 * PAGE - 100),
                *gap2 = malloc(20 * KiB), *c = malloc(7 * PAGE), *d = malloc(6 * PAGE);
  CHECK(a && gap1 && b && gap2 && c && d, "malloc");
  CHECK((uintptr_t)a % PAGE == 0, "a page run starts on a page: %p", (void *)a);
  CHECK(malloc_usable_size(a) == 5 * PAGE, "a request of 5 pages less 100 bytes has %zu usable bytes, not 5 pages",
        malloc_usable_size(a));
  CHECK(gap1 == a + 5 * PAGE && b == gap1 + 5 * PAGE, "runs in a row in a fresh process: %p %p %p", (void *)a,
        (void *)gap1, (void *)b);
  uintptr_t at_a = (uintptr_t)a, at_b = (uintptr_t)b, at_c = (uintptr_t)c;
  free(b); /* 10 pages */
  free(a); /* 5 pages */
  unsigned char *x = malloc(5 * PAGE - 1000); /* 5 pages: the 5-page run fits best, not the 10-page one */
  CHECK((uintptr_t)x == at_a, "a 5-page request took %p, not the freed 5-page run at %#lx", (void *)x,
        (unsigned long)at_a);
  unsigned char *y = malloc(9 * PAGE); /* the 10-page run, not the untouched rest of the chunk */
  CHECK((uintptr_t)y == at_b, "a 9-page request took %p, not the freed 10-page run at %#lx", (void *)y,
        (unsigned long)at_b);
  CHECK(malloc_usable_size(y) == 9 * PAGE, "the run cut to 9 pages has %zu usable bytes", malloc_usable_size(y));
  /* Neighbours merge: c (7 pages) and d (6) freed serve a 13-page request at c's address, with their
   * contents. */
  memset(c, 0x11, 7 * PAGE);
  memset(d, 0x22, 6 * PAGE);
  __asm__ volatile("" : : "r"(c), "r"(d) : "memory");
  free(c);
  free(d);
  unsigned char *e = malloc(13 * PAGE);
  CHECK((uintptr_t)e == at_c, "a 13-page request took %p, not the merged run at %#lx", (void *)e, (unsigned long)at_c);
  CHECK(e[0] == 0x11 && e[13 * PAGE - 1] == 0x22, "the merged run's pages are the freed runs' own");
  free(e);
  unsigned char *z = calloc(1, 13 * PAGE);
  CHECK((uintptr_t)z == at_c, "calloc took %p, not the freed run at %#lx", (void *)z, (unsigned long)at_c);
  for (size_t i = 0; i < 13 * PAGE; i++) CHECK(z[i] == 0, "calloc's byte %zu of reused pages is %d", i, z[i]);
  /* A run another thread frees serves this one's next request. */
  pthread_t t;
  CHECK(pthread_create(&t, NULL, free_it, z) == 0 && pthread_join(t, NULL) == 0, "thread");
  unsigned char *w = malloc(13 * PAGE);
  CHECK((uintptr_t)w == at_c, "after another thread's free a 13-page request took %p, not %#lx", (void *)w,
        (unsigned long)at_c);
  free(w);
  /* With two CPUs or more another thread takes its runs from an arena of its own: not from this
   * thread's chunk (the first chunk, which a starts, with room to spare), where one lock for all put it
   * next to this thread's. */
  cpu_set_t cpus;
  int ncpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  void *theirs = NULL;
  CHECK(pthread_create(&t, NULL, malloc_it, NULL) == 0 && pthread_join(t, &theirs) == 0 && theirs, "thread");
  if (ncpu >= 2)
    CHECK((uintptr_t)theirs < at_a || (uintptr_t)theirs >= at_a + MiB,
          "another thread's run at %p is in this thread's chunk at %#lx (%d CPUs)", theirs, (unsigned long)at_a, ncpu);
  else
    printf("one CPU: one arena, the other thread's run is not checked\n");
  free(theirs);
  free(x);
  free(y);
  free(gap1);
  free(gap2);
  puts("page runs: page-aligned, best fit over sizes, freed neighbours merge, calloc clears: ok");
  return 0;
}
