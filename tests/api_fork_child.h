/* What every forked child of the fork tests does: use every tier, check its own blocks and the ones
 * it inherited, free them all and exit through exit() (running hakmem's exit work) or _exit(). A
 * child that deadlocks is killed by its alarm, which the parent sees as SIGALRM. */
#ifndef HKM_API_FORK_CHILD_H
#define HKM_API_FORK_CHILD_H

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_check.h"

/* Only the ends of a child's own blocks are patterned: the child is here to show the allocator works
 * after fork, and touching every page of its whales would make the fork loop a page-fault benchmark. */
static void api_fill_ends(unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i += (i == 4095 && n > 8192) ? n - 8192 : 1) p[i] = api_byte((uintptr_t)p, n, i);
}

static int api_ends_ok(const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i += (i == 4095 && n > 8192) ? n - 8192 : 1)
    if (p[i] != api_byte((uintptr_t)p, n, i)) return 0;
  return 1;
}

static void api_child_work(unsigned seed) {
  /* Many blocks of one small size: the slab fast path, fully patterned. */
  char *small[256];
  for (int i = 0; i < 256; i++) {
    small[i] = malloc(48);
    CHECK(small[i], "child: malloc(48)");
    api_fill(small[i], 48);
  }
  for (int i = 0; i < 256; i++) {
    CHECK(api_bad(small[i], 48) == 48, "child: small block %d overwritten", i);
    free(small[i]);
  }
  enum { N = 2 * API_NSIZES };
  char *p[N];
  size_t n[N];
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < N; i++) {
      n[i] = api_tier_sizes[(i + seed) % API_NSIZES] / (size_t)(1 + round) + i;
      p[i] = malloc(n[i]);
      CHECK(p[i], "child: malloc(%zu)", n[i]);
      api_fill_ends((unsigned char *)p[i], n[i]);
    }
    for (size_t i = 0; i < N; i++) {
      CHECK(api_ends_ok((unsigned char *)p[i], n[i]), "child: block of %zu bytes overwritten", n[i]);
      free(p[i]);
    }
  }
}

/* Checks the inherited blocks, frees them, does its own work and leaves. */
static void api_child(char **inherited, const size_t *sizes, int count, unsigned seed) {
  alarm(20);
  for (int i = 0; i < count; i++) {
    if (!inherited[i]) continue;
    CHECK(api_sparse_ok(inherited[i], sizes[i]), "child: inherited block %d overwritten", i);
    free(inherited[i]);
  }
  api_child_work(seed);
  if (seed % 2)
    exit(0);
  _exit(0);
}

static void api_expect_clean_exit(pid_t pid, const char *what) {
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "%s: waitpid", what);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child status 0x%x (%s%d)", what, st,
        WIFSIGNALED(st) ? "signal " : "exit ", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

#endif
