/* Many forks in a row, some children forking again, each child using every tier and leaving through
 * exit() or _exit(): fork handlers must leave parent and child consistent every time. */
#include "api_fork_child.h"

enum { FORKS = 200, KEEP = 8 };

int main(void) {
  char *keep[KEEP];
  size_t keep_n[KEEP];
  for (int f = 0; f < FORKS; f++) {
    for (int i = 0; i < KEEP; i++) {
      keep_n[i] = api_tier_sizes[(size_t)(f * 7 + i) % API_NSIZES];
      keep[i] = malloc(keep_n[i]);
      api_fill_sparse(keep[i], keep_n[i]);
    }
    pid_t pid = fork();
    CHECK(pid >= 0, "fork");
    if (pid == 0) {
      if (f % 10 == 0) { /* a grandchild, forked from a process that is itself a fork child */
        pid_t g = fork();
        CHECK(g >= 0, "fork in child");
        if (g == 0) api_child(keep, keep_n, KEEP, (unsigned)f + 1);
        api_expect_clean_exit(g, "grandchild");
      }
      api_child(keep, keep_n, KEEP, (unsigned)f);
    }
    api_expect_clean_exit(pid, "fork loop");
    for (int i = 0; i < KEEP; i++) {
      CHECK(api_sparse_ok(keep[i], keep_n[i]), "parent block overwritten after fork");
      free(keep[i]);
    }
  }
  printf("fork loop: %d children exited cleanly\n", FORKS);
  return 0;
}
