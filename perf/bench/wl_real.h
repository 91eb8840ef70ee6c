/* The real-program workloads (wl_xz, wl_python, wl_sqlite): each execs a Debian program on work of a
 * fixed size, so that perf/bench/run times it under every allocator like the synthetic ones (the
 * preload reaches the program through the environment exec passes on). Input a program reads comes
 * from a memfd filled here, identically under every allocator; what the program prints is its
 * check (perf/bench/run discards it; run the wl_ program by hand to see it). */
#ifndef WL_REAL_H
#define WL_REAL_H

#define _GNU_SOURCE /* memfd_create: this header comes first */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Makes fd 0 a memfd holding n bytes written by gen(buf, n). */
static inline void wl_stdin_from(size_t n, void (*gen)(unsigned char *, size_t)) {
  int fd = memfd_create("wl_input", 0);
  if (fd < 0 || ftruncate(fd, (off_t)n) != 0) {
    perror("memfd");
    exit(1);
  }
  unsigned char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    perror("mmap");
    exit(1);
  }
  gen(p, n);
  munmap(p, n);
  if (dup2(fd, 0) < 0) {
    perror("dup2");
    exit(1);
  }
  close(fd);
}

static inline void wl_exec(char *const argv[]) {
  execv(argv[0], argv);
  fprintf(stderr, "%s: cannot run (%m): install it to run this workload\n", argv[0]);
  exit(1);
}

#endif
