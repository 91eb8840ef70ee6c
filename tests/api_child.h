/* Shared by the test_api_* programs that expect a case to abort: the case runs in a forked child,
 * without a core file, and the parent gets its standard error and how it ended. */
#ifndef HKM_API_CHILD_H
#define HKM_API_CHILD_H

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_check.h"

/* Runs body in a child whose standard error goes to buf (at most size - 1 bytes, NUL-terminated);
 * returns the child's wait status (exit 0 when body returns). */
static inline int api_child_stderr(void (*body)(void), char *buf, size_t size) {
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    close(fds[0]);
    dup2(fds[1], 2);
    body();
    _exit(0);
  }
  close(fds[1]);
  size_t len = 0;
  ssize_t r;
  while (len < size - 1 && (r = read(fds[0], buf + len, size - 1 - len)) > 0) len += (size_t)r;
  buf[len] = 0;
  close(fds[0]);
  int st;
  CHECK(waitpid(pid, &st, 0) == pid, "waitpid");
  return st;
}

#endif
