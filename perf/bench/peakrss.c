/* peakrss: run a program and report its peak RSS as wait4(2) sees it.
 *   peakrss FD [LD_PRELOAD-path|-] program [args...]
 * writes "<ru_maxrss KiB>\n" on descriptor FD and exits with the program's status (128+signal when
 * killed).
 *
 * Why not wait4 from the Python runner directly: at exec the kernel folds the exec'ing image's own peak
 * into the new program's ru_maxrss, and a child forked from Python starts as a copy of the
 * interpreter (~12 MiB), which would then be the floor of every measurement. A child forked from this
 * small program carries ~1 MiB in. The preload is set in the child only, so this program itself runs
 * on glibc's malloc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: peakrss FD PRELOAD|- program [args...]\n");
    return 2;
  }
  int fd = atoi(argv[1]);
  const char *preload = argv[2];
  pid_t pid = fork();
  if (pid < 0) {
    perror("peakrss: fork");
    return 2;
  }
  if (pid == 0) {
    close(fd);
    if (strcmp(preload, "-") != 0 && setenv("LD_PRELOAD", preload, 1) != 0) _exit(127);
    execv(argv[3], argv + 3);
    perror("peakrss: exec");
    _exit(127);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) {
    perror("peakrss: wait4");
    return 2;
  }
  dprintf(fd, "%ld\n", ru.ru_maxrss);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
