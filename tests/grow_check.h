/* Shared by the tests of blocks resized without a copy (test_region_grow_in_place,
 * test_whale_grow_moves, test_realloc_shrink_kept): a realloc that must keep every byte and give all
 * of its usable size, and a second free of a resized block that must abort with the double-free
 * message. */
#ifndef HKM_GROW_CHECK_H
#define HKM_GROW_CHECK_H

#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_check.h"

/* The second free below is the point. */
#pragma GCC diagnostic ignored "-Wuse-after-free"

/* Block p of from bytes, filled with key, grown to to: every byte kept, all of it writable (and
 * filled with key again). */
static inline char *grow_kept(char *p, size_t from, size_t to, uintptr_t key) {
  char *q = realloc(p, to);
  CHECK(q, "realloc(%zu -> %zu)", from, to);
  CHECK(api_bad_keyed(q, from, key) == from, "realloc %zu -> %zu lost the block's bytes", from, to);
  CHECK(malloc_usable_size(q) >= to, "realloc %zu -> %zu: usable %zu", from, to, malloc_usable_size(q));
  api_fill_keyed(q, malloc_usable_size(q), key);
  return q;
}

/* The exit status of child pid: 0, 1000 + a nonzero exit code, or the signal that killed it. */
static int child_status(pid_t pid) {
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  return WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st) ? 1000 + WEXITSTATUS(st) : 0;
}

/* In a child: freeing resized block p twice aborts, naming a double free. */
static void second_free_aborts(void *p) {
  int fd[2];
  CHECK(pipe(fd) == 0, "pipe");
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    dup2(fd[1], 2);
    free(p);
    free(p);
    _exit(0);
  }
  close(fd[1]);
  char msg[256] = {0};
  ssize_t got = read(fd[0], msg, sizeof msg - 1);
  close(fd[0]);
  int st = child_status(pid);
  printf("child: %s", got > 0 ? msg : "(nothing)\n");
  CHECK(st == SIGABRT, "a second free of a resized block did not abort (status %d)", st);
  CHECK(strstr(msg, "double free"), "no double-free message");
}

#endif
