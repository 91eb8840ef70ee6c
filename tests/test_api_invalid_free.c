/* A pointer hakmem did not hand out is reported and the program aborted, never written to; a second
 * free of a block, and realloc or malloc_usable_size of a freed one, are reported the same way. Each case runs in a forked child whose stderr and exit
 * signal the parent checks. */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_check.h"
#include "api_child.h"
#include "hakmem.h"

/* Invalid frees are what this file is about: the compiler's warnings about them are right. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wuse-after-free"
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"

static unsigned char *shared; /* a foreign page whose contents the parent can still see */
static void **want;           /* shared too: the pointer the child's case passes, for the message */

/* Runs body in a child and expects it to die of SIGABRT after printing exactly one line that matches
 * ^hakmem: re$ and names the pointer the case stored in *want. */
static void expect_abort(const char *what, void (*body)(void), const char *re) {
  *want = NULL;
  char buf[4096];
  int st = api_child_stderr(body, buf, sizeof buf);
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "%s: child was not aborted (status 0x%x), stderr: %s", what, st, buf);
  char pattern[256];
  snprintf(pattern, sizeof pattern, "^hakmem: %s\n$", re);
  regex_t rx;
  CHECK(regcomp(&rx, pattern, REG_EXTENDED) == 0, "regcomp");
  CHECK(regexec(&rx, buf, 0, NULL, 0) == 0, "%s: stderr is not one line matching /%s/: %s", what, pattern, buf);
  regfree(&rx);
  const char *at = strstr(buf, " 0x");
  CHECK(at && (void *)strtoul(at, NULL, 16) == *want, "%s: message does not name %p: %s", what, *want, buf);
  printf("%s: %s", what, buf);
}

static volatile int sink;

/* Stores what the case is about to pass, then passes it. */
__attribute__((noinline, noipa)) static void *bad(void *p) {
  *want = p;
  return p;
}

static void free_stack(void) {
  char local[64];
  free(bad(local + sink));
}

static void free_static(void) {
  static char data[64];
  free(bad(data + sink));
}

static void free_inside(size_t n, size_t off) {
  char *p = malloc(n);
  free(bad(p + off));
}
static void free_inside_tiny(void) { free_inside(64, 16); }
static void free_inside_pool(void) { free_inside(20000, 4096); }
static void free_inside_l25(void) { free_inside(50000, 4096); }
static void free_inside_page_run(void) { free_inside(30000, 8); }
static void free_inside_run(void) { free_inside(500000, 65536); }
static void free_inside_big(void) { free_inside(1500000, 8); }
static void free_inside_whale(void) { free_inside(5000000, 2 * MiB); }

static void free_foreign_mmap(void) { free(bad(shared + 128)); }
static void free_foreign_page_start(void) { free(bad(shared)); }
static void realloc_foreign(void) { (void)!realloc(bad(shared), 100); }
static void usable_size_foreign(void) { sink = (int)malloc_usable_size(bad(shared)); }

static void hak_free_too_big(void) {
  void *p = hak_alloc_at(100, NULL);
  hak_free_at(bad(p), 100000, NULL);
}

/* A double free with another block of the size keeping the slab alive. */
static void double_free_kept(size_t n) {
  void *keep = malloc(n), *p = malloc(n);
  free(p);
  free(bad(p));
  free(keep);
}
static void double_free_tiny(void) { double_free_kept(48); }
static void double_free_pool(void) { double_free_kept(3000); }
static void double_free_l25(void) { double_free_kept(50000); }
static void double_free_run(void) { double_free_kept(200000); }
static void double_free_big(void) { double_free_kept(1500000); }
static void double_free_whale(void) { double_free_kept(6000000); }

/* Two neighbouring runs, freed low first: the second free merges the high one's span into the low
 * one's (region.c), so its pointer is inside a free span, not at its start. */
static void double_free_run_merged(void) {
  char *lo = malloc(200000), *hi = malloc(200000), *keep = malloc(200000);
  if (hi != lo + 4 * 64 * KiB) _exit(3); /* not neighbours: the case cannot be made here */
  free(lo);
  free(hi);
  free(bad(hi));
  free(keep);
}

/* The only block of its slab: the first free releases the slab. */
static void double_free_lone(void) {
  void *p = malloc(777);
  free(p);
  free(bad(p));
}

/* The only page run of its chunk, after another: the first free gives the chunk back to the region
 * cache, so the pointer is inside a free span there. */
static void double_free_lone_page_run(void) {
  void *a = malloc(30000), *p = malloc(30000);
  free(a);
  free(p);
  free(bad(p));
}

static void *free_it(void *p) {
  free(p);
  return NULL;
}

/* Freed twice by a thread that does not own the slab: only the key can tell. */
static void double_free_remote(void) {
  void *keep = malloc(80), *p = malloc(80);
  pthread_t t;
  pthread_create(&t, NULL, free_it, p);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, free_it, bad(p));
  pthread_join(t, NULL);
  free(keep);
}

/* realloc to the same size and malloc_usable_size of a freed block (a kept block holds its slab). */
static void *freed_block(size_t n) {
  void *keep = malloc(n), *p = malloc(n);
  free(p);
  sink = keep != NULL;
  return bad(p);
}
static size_t freed_n;
static void realloc_freed(void) { (void)!realloc(freed_block(freed_n), freed_n); }
static void usable_size_freed(void) { sink = (int)malloc_usable_size(freed_block(freed_n)); }

static void *realloc_it(void *p) { return realloc(p, 80); }

/* realloc of a block another thread freed, from a thread that does not own its slab. */
static void realloc_freed_remote(void) {
  void *keep = malloc(80), *p = malloc(80);
  free(p);
  pthread_t t;
  pthread_create(&t, NULL, realloc_it, bad(p));
  pthread_join(t, NULL);
  free(keep);
}

static void free_after_realloc_zero(void) {
  void *keep = malloc(40), *p = malloc(40);
  if (realloc(p, 0) != NULL) _exit(3);
  free(bad(p)); /* realloc(p, 0) freed p already */
  free(keep);
}

int main(void) {
  shared = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(shared != MAP_FAILED, "mmap");
  want = (void **)(shared + 4096);
  memset(shared, 0x3C, 4096);
  free(malloc(1)); /* hakmem is initialised before the children fork */
#define INV "free\\(\\): invalid pointer 0x[0-9a-f]+"
#define DBL "free\\(\\): double free of 0x[0-9a-f]+"
  expect_abort("free(stack)", free_stack, INV);
  expect_abort("free(static data)", free_static, INV);
  expect_abort("free(inside a tiny block)", free_inside_tiny, INV);
  expect_abort("free(inside an L2 block)", free_inside_pool, INV);
  expect_abort("free(inside an L2.5 block)", free_inside_l25, INV);
  expect_abort("free(inside a page run, off its pages)", free_inside_page_run, INV);
  expect_abort("free(inside an L2.5 run)", free_inside_run, INV);
  expect_abort("free(inside a BigCache block)", free_inside_big, INV);
  expect_abort("free(inside a whale block)", free_inside_whale, INV);
  expect_abort("free(foreign mmap page + 128)", free_foreign_mmap, INV);
  expect_abort("free(foreign mmap page)", free_foreign_page_start, INV);
  /* hakmem(3) documents the free() message for these two as well; the code names the function. */
  expect_abort("realloc(foreign)", realloc_foreign, "(free|realloc)\\(\\): invalid pointer 0x[0-9a-f]+");
  expect_abort("malloc_usable_size(foreign)", usable_size_foreign,
               "(free|malloc_usable_size)\\(\\): invalid pointer 0x[0-9a-f]+");
  expect_abort("hak_free_at(size too big)", hak_free_too_big,
               "hak_free_at\\(\\): size 100000 is larger than the block at 0x[0-9a-f]+ \\([0-9]+ bytes\\)");
  for (int i = 0; i < 4096; i++) CHECK(shared[i] == 0x3C, "the foreign page was written at byte %d", i);
  expect_abort("double free (tiny)", double_free_tiny, DBL);
  expect_abort("double free (L2)", double_free_pool, DBL);
  expect_abort("double free (L2.5)", double_free_l25, DBL);
  expect_abort("double free (L2.5 run)", double_free_run, DBL);
  expect_abort("double free (L2.5 run merged with a freed neighbour)", double_free_run_merged, DBL);
  expect_abort("double free (BigCache)", double_free_big, DBL);
  expect_abort("double free (whale)", double_free_whale, DBL);
  expect_abort("double free (remote thread)", double_free_remote, DBL);
  expect_abort("free after realloc(p, 0)", free_after_realloc_zero, DBL);
  static const size_t tier_sizes[] = {48, 3000, 20000, 50000, 200000, 1500000, 6000000};
  for (unsigned i = 0; i < sizeof tier_sizes / sizeof tier_sizes[0]; i++) {
    char what[64];
    freed_n = tier_sizes[i];
    snprintf(what, sizeof what, "realloc(freed %zu-byte block, same size)", freed_n);
    expect_abort(what, realloc_freed, "realloc\\(\\): 0x[0-9a-f]+ was already freed");
    snprintf(what, sizeof what, "malloc_usable_size(freed %zu-byte block)", freed_n);
    expect_abort(what, usable_size_freed, "malloc_usable_size\\(\\): 0x[0-9a-f]+ was already freed");
  }
  expect_abort("realloc(freed block, another thread)", realloc_freed_remote, "realloc\\(\\): 0x[0-9a-f]+ was already freed");
  /* The slab went back with the first free: either message is a correct report. */
  expect_abort("double free (lone block)", double_free_lone, "free\\(\\): (invalid pointer|double free of) 0x[0-9a-f]+");
  expect_abort("double free (lone page run)", double_free_lone_page_run,
               "free\\(\\): (invalid pointer|double free of) 0x[0-9a-f]+");
  puts("invalid and double frees: ok");
  return 0;
}
