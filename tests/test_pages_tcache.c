/* A thread keeps the page runs (18-64 KiB) it frees in a cache of its own (src/tcache.h): its
 * next request of a run's length, or one page shorter, takes that run back with all its contents; the
 * cache holds at most 512 KiB (the balanced preset) and 64 runs, its oldest going back to their chunks;
 * malloc_trim and the thread's exit empty it, and so does the free that would leave a chunk held by
 * cached runs alone; a cached run freed again, by this thread or another, or handed to realloc, is
 * caught as freed, and a live run whose first words hold a cached run's is not. */
#define _GNU_SOURCE
/* Freed blocks are used on purpose: that is what is tested. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wuse-after-free"
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_check.h"

#define PAGE ((size_t)4096)

/* What malloc_stats says of page runs: the chunks, the bytes in blocks and those in this thread's
 * cache. */
static void page_figures3(size_t *chunks, size_t *in_blocks, size_t *cached) {
  int saved = dup(2);
  fflush(stderr);
  FILE *tmp = tmpfile();
  CHECK(tmp && saved >= 0, "tmpfile");
  dup2(fileno(tmp), 2);
  malloc_stats();
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(tmp);
  char line[512];
  int found = 0;
  while (fgets(line, sizeof line, tmp))
    if (strstr(line, "page runs") &&
        sscanf(line, " page runs %*u bytes in %zu chunks, %zu in blocks (%zu freed", chunks, in_blocks, cached) == 3)
      found = 1;
  fclose(tmp);
  CHECK(found, "malloc_stats has no page-run line with the cache's figure");
}

static void page_figures(size_t *in_blocks, size_t *cached) {
  size_t chunks;
  page_figures3(&chunks, in_blocks, cached);
}

static size_t cached_bytes(void) {
  size_t in_blocks, cached;
  page_figures(&in_blocks, &cached);
  return cached;
}

static void *free_it(void *p) {
  free(p);
  return NULL;
}

static void *churn_and_exit(void *arg) {
  (void)arg;
  void *keeper = malloc(20 * KiB); /* a chunk held by cached runs alone goes back (below) */
  __asm__ volatile("" : : "r"(keeper) : "memory");
  for (int i = 0; i < 8; i++) {
    void *p = malloc(20 * KiB + (size_t)i * PAGE);
    __asm__ volatile("" : : "r"(p) : "memory"); /* not a pair the compiler may drop */
    free(p);
  }
  size_t cached = cached_bytes();
  free(keeper);
  return (void *)cached;
}

/* The child process aborts (the message is checked by the exit signal only: stderr is the test log). */
static void expect_abort(const char *what, void (*fn)(void *), void *arg) {
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    fn(arg);
    _exit(0);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "%s was not caught (status %#x)", what, st);
}

static void free_twice(void *p) { free(p); }
static void realloc_freed(void *p) { free(realloc(p, 50 * KiB)); }
static void usable_freed(void *p) { printf("%zu\n", malloc_usable_size(p)); }
static void free_from_thread(void *p) {
  pthread_t t;
  if (pthread_create(&t, NULL, free_it, p) == 0) pthread_join(t, NULL);
}

int main(void) {
  /* A live block in the chunk: one held by cached runs alone goes back at once (the end of main). */
  void *keeper = malloc(20 * KiB);
  __asm__ volatile("" : : "r"(keeper) : "memory"); /* kept: not a pair the compiler may drop */
  /* Its own length, with its contents; then one page shorter. */
  unsigned char *a = malloc(40 * KiB);
  CHECK(a && (uintptr_t)a % PAGE == 0, "malloc(40 KiB) = %p", (void *)a);
  memset(a, 0x5A, 40 * KiB);
  __asm__ volatile("" : : "r"(a) : "memory"); /* the writes before a free are not dead */
  free(a);
  CHECK(cached_bytes() == 40 * KiB, "a freed 10-page run: %zu bytes cached, not 40 KiB", cached_bytes());
  unsigned char *b = malloc(40 * KiB - 100);
  CHECK(b == a, "a 10-page request took %p, not the run this thread freed at %p", (void *)b, (void *)a);
  for (size_t i = 0; i < 40 * KiB - 100; i += 8) /* the first words too: the cache writes nothing into a run */
    CHECK(b[i] == 0x5A, "the cached run came back without its contents: byte %zu is %#x", i, b[i]);
  CHECK(cached_bytes() == 0, "the cache still holds %zu bytes", cached_bytes());
  free(b);
  unsigned char *c = malloc(36 * KiB); /* 9 pages: the 10-page run */
  CHECK(c == a && malloc_usable_size(c) == 40 * KiB, "a 9-page request took %p (%zu usable bytes), not the cached 10-page run %p",
        (void *)c, malloc_usable_size(c), (void *)a);
  unsigned char *z = calloc(1, 40 * KiB);
  memset(z, 0x77, 40 * KiB);
  __asm__ volatile("" : : "r"(z) : "memory");
  free(z);
  z = calloc(1, 40 * KiB);
  for (size_t i = 0; i < 40 * KiB; i++) CHECK(z[i] == 0, "calloc of a cached run: byte %zu is %d", i, z[i]);
  free(z);
  free(c);

  /* Freed again, realloc'd or sized while cached: caught, here and from another thread. */
  void *d = malloc(30 * KiB);
  CHECK(d, "malloc");
  free(d);
  expect_abort("a second free of a cached run", free_twice, d);
  expect_abort("realloc of a cached run", realloc_freed, d);
  expect_abort("malloc_usable_size of a cached run", usable_freed, d);
  expect_abort("another thread's free of a run cached here", free_from_thread, d);
  CHECK(malloc(30 * KiB) == d, "the run the children saw cached was not");

  /* A live run holding in its first words just what a cached one holds there (a program's data may be
   * any bits) is freed like any other: the mark a second free looks for is not in the block. */
  unsigned char *e = malloc(30 * KiB);
  CHECK(e, "malloc");
  free(e);
  unsigned char cached_words[64];
  memcpy(cached_words, e, sizeof cached_words); /* what the cache wrote into the run */
  unsigned char *f = malloc(30 * KiB);
  CHECK(f == e, "a 30 KiB request took %p, not the cached run %p", (void *)f, (void *)e);
  memcpy(f, cached_words, sizeof cached_words);
  __asm__ volatile("" : : "r"(f) : "memory");
  size_t before = cached_bytes();
  free(f); /* must not abort as a second free */
  CHECK(cached_bytes() == before + 32 * KiB, "a live run with a cached run's words, freed: %zu bytes cached, not %zu",
        cached_bytes(), before + 32 * KiB);
  void *e2 = malloc(30 * KiB);
  CHECK(e2 == e, "the run was not cached again");
  free(e2);

  /* At most 512 KiB: the oldest go back. 20 runs of 16 pages freed, 8 stay. */
  void *r[20];
  for (int i = 0; i < 20; i++) CHECK((r[i] = malloc(64 * KiB)) != NULL, "malloc");
  void *keeper2 = malloc(64 * KiB); /* kept in the second chunk, after the runs */
  __asm__ volatile("" : : "r"(keeper2) : "memory");
  for (int i = 0; i < 20; i++) free(r[i]);
  CHECK(cached_bytes() == 512 * KiB, "20 freed runs of 64 KiB: %zu bytes cached, not 512 KiB", cached_bytes());
  void *newest = malloc(64 * KiB);
  CHECK(newest == r[19], "a 16-page request took %p, not the newest cached run %p", newest, r[19]);
  free(newest);

  /* malloc_trim empties it; so does a thread's exit (the other thread's runs are not in ours). */
  malloc_trim(0);
  CHECK(cached_bytes() == 0, "after malloc_trim the cache holds %zu bytes", cached_bytes());

  /* At most 64 runs, in the order they came: a run that stays while 63 later ones pass through the
   * cache goes back at the 64th. */
  void *old = malloc(20 * KiB), *cyc = malloc(24 * KiB), *keeper3 = malloc(20 * KiB);
  CHECK(old && cyc && keeper3, "malloc");
  __asm__ volatile("" : : "r"(keeper3) : "memory");
  free(old);
  for (int i = 0; i < 63; i++) {
    free(cyc);
    void *again = malloc(24 * KiB);
    CHECK(again == cyc, "pass %d: a 6-page request took %p, not the run just freed at %p", i, again, cyc);
  }
  CHECK(cached_bytes() == 20 * KiB, "a run with 63 later ones through the cache: %zu bytes cached, not 20 KiB",
        cached_bytes());
  free(cyc);
  CHECK(cached_bytes() == 24 * KiB, "the 64th run after it: %zu bytes cached, not only that run's 24 KiB", cached_bytes());
  free(keeper3);
  malloc_trim(0);
  pthread_t t;
  void *theirs = NULL;
  CHECK(pthread_create(&t, NULL, churn_and_exit, NULL) == 0 && pthread_join(t, &theirs) == 0, "thread");
  size_t in_blocks, cached;
  page_figures(&in_blocks, &cached);
  CHECK((size_t)theirs > 0 && cached == 0, "the thread cached %zu bytes, this one %zu", (size_t)theirs, cached);
  CHECK(in_blocks == 116 * KiB, "after the thread's exit %zu bytes of page runs are in blocks, not d's and the keepers' 116 KiB",
        in_blocks);
  free(d);
  free(keeper);
  free(keeper2);

  /* A chunk whose blocks are all freed goes back though some of them would fit the cache: 300 runs of
   * 20-64 KiB (several chunks) freed in a shuffled order leave the one empty chunk kept for reuse. */
  enum { NR = 300 };
  static void *many[NR];
  for (int i = 0; i < NR; i++) CHECK((many[i] = malloc(20 * KiB + (size_t)(i * 7919) % (44 * KiB))) != NULL, "malloc");
  unsigned rnd = 1;
  for (int i = NR - 1; i > 0; i--) {
    rnd = rnd * 1103515245u + 12345u;
    int j = (int)(rnd % (unsigned)(i + 1));
    void *tmp = many[i];
    many[i] = many[j];
    many[j] = tmp;
  }
  size_t chunks, before_chunks;
  page_figures3(&before_chunks, &in_blocks, &cached);
  for (int i = 0; i < NR; i++) free(many[i]);
  page_figures3(&chunks, &in_blocks, &cached);
  CHECK(before_chunks > 2 && chunks == 1 && in_blocks == 0,
        "300 runs in %zu chunks, all freed: %zu chunks left, %zu bytes in blocks (%zu of them cached), not 1 and 0",
        before_chunks, chunks, in_blocks, cached);

  /* The chunk's cached pages counted right when the rule looks: two runs of the one chunk left, the
   * first freed stays cached, the second's free finds the first cached and sends both back. */
  void *first = malloc(20 * KiB), *second = malloc(20 * KiB);
  CHECK(first && second, "malloc");
  free(first);
  CHECK(cached_bytes() == 20 * KiB, "the first of two runs freed: %zu bytes cached, not 20 KiB", cached_bytes());
  free(second);
  page_figures3(&chunks, &in_blocks, &cached);
  CHECK(chunks == 1 && in_blocks == 0, "both runs freed: %zu chunks, %zu bytes in blocks (%zu of them cached), not 1 and 0",
        chunks, in_blocks, cached);
  puts("page runs: a thread's freed runs come back to it, at most 512 KiB kept, second frees caught: ok");
  return 0;
}
