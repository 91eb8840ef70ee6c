/* How fast can N touched ranges be dropped? One madvise per range, one process_madvise per batch,
 * or one io_uring submission of IORING_OP_MADVISE per batch. Times the caller's thread only: that is
 * the cost an application thread would pay if it did the release itself.
 *   release_paths [ranges] [range_kib] [reps] */
#define _GNU_SOURCE
#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 32;
  size_t len = (size_t)(argc > 2 ? atoi(argv[2]) : 2048) << 10;
  int reps = argc > 3 ? atoi(argv[3]) : 15;
  char *base = mmap(NULL, len * n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return 1;
  madvise(base, len * n, MADV_NOHUGEPAGE);
  struct iovec *iov = calloc(n, sizeof *iov);
  for (int i = 0; i < n; i++) iov[i] = (struct iovec){base + i * len, len};
  int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  struct io_uring ring;
  int ring_ok = io_uring_queue_init(64, &ring, 0) == 0;
  if (ring_ok && getenv("IOWQ_MAX")) {
    unsigned v[2] = {(unsigned)atoi(getenv("IOWQ_MAX")), (unsigned)atoi(getenv("IOWQ_MAX"))};
    io_uring_register_iowq_max_workers(&ring, v);
  }
  const char *names[3] = {"madvise x N", "process_madvise", "io_uring batch"};
  double t[3][64];
  int ok[3] = {1, 1, ring_ok};
  for (int r = 0; r < reps; r++)
    for (int m = 0; m < 3; m++) {
      for (size_t off = 0; off < len * n; off += 4096) base[off] = 1; /* fault everything in */
      double t0 = now();
      if (m == 0) {
        for (int i = 0; i < n; i++) madvise(iov[i].iov_base, len, MADV_DONTNEED);
      } else if (m == 1) {
        for (int done = 0; done < n;) { /* the kernel takes at most UIO_MAXIOV per call */
          long got = syscall(SYS_process_madvise, pidfd, iov + done, (size_t)(n - done), MADV_DONTNEED, 0u);
          if (got < 0) {
            if (r == 0) fprintf(stderr, "process_madvise: %s\n", strerror(errno));
            ok[1] = 0;
            break;
          }
          size_t bytes = (size_t)got;
          while (bytes >= len && done < n) bytes -= len, done++;
        }
      } else if (ring_ok) {
        for (int done = 0; done < n;) { /* the ring holds 64 entries */
          int k = 0;
          for (; k < 64 && done + k < n; k++)
            io_uring_prep_madvise(io_uring_get_sqe(&ring), iov[done + k].iov_base, (off_t)len, MADV_DONTNEED);
          io_uring_submit_and_wait(&ring, (unsigned)k);
          struct io_uring_cqe *cqe;
          for (int i = 0; i < k; i++) {
            io_uring_wait_cqe(&ring, &cqe);
            if (cqe->res < 0) ok[2] = 0;
            io_uring_cqe_seen(&ring, cqe);
          }
          done += k;
        }
      }
      t[m][r] = now() - t0;
      /* the pages must really be gone */
      if (ok[m] && (m != 2 || ring_ok) && base[0] != 0) ok[m] = 0;
    }
  printf("%d ranges of %zu KiB, touched, dropped with MADV_DONTNEED; median of %d\n", n, len >> 10, reps);
  double ref = 0;
  for (int m = 0; m < 3; m++) {
    if (!ok[m]) {
      printf("  %-16s not available here\n", names[m]);
      continue;
    }
    qsort(t[m], reps, sizeof(double), cmp);
    double med = t[m][reps / 2];
    if (m == 0) ref = med;
    printf("  %-16s %9.1f us  %6.2f us/range  ratio to madvise %.2f\n", names[m], med * 1e6, med * 1e6 / n, med / ref);
  }
  return 0;
}
