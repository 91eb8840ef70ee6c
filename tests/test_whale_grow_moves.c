/* realloc grows a Whale block (over 2 MiB) by moving its pages to a longer mapping (mremap(2)), not by
 * copying them (src/whale.c, hkm_whale_grow): its bytes are all there, the moved pages fault no
 * second time, the block stays one mapping however often it grows, and a second free of it is
 * caught. Where mremap is refused (seccomp, in a child) the copy still works. The library before
 * copied: 768 page faults for the 3 MiB moved here, and a fresh mapping at every class. */
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "grow_check.h"
#include "seccomp_deny.h"

static long minor_faults(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

static int mappings(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  CHECK(f, "/proc/self/maps");
  int n = 0, c;
  while ((c = fgetc(f)) != EOF) n += c == '\n';
  fclose(f);
  return n;
}

int main(void) {
  char *p = malloc(3 * MiB);
  CHECK(p, "malloc");
  api_fill_keyed(p, 3 * MiB, 1);
  size_t usable = malloc_usable_size(p);
  long before = minor_faults();
  char *q = realloc(p, usable + MiB);
  CHECK(q, "realloc");
  CHECK(api_bad_keyed(q, 3 * MiB, 1) == 3 * MiB, "the grown block lost its bytes");
  long faults = minor_faults() - before;
  printf("3 MiB grown to %zu bytes: %p -> %p, %ld page faults\n", usable + MiB, (void *)p, (void *)q, faults);
  CHECK(faults < 256, "%ld page faults moving 3 MiB: its pages were copied, not moved", faults);
  api_fill_keyed(q, malloc_usable_size(q), 1);

  /* Sixteen blocks grown together through every class to 24 MiB: one mapping each. */
  enum { NB = 16 };
  static char *b[NB];
  size_t n = 0;
  int maps0 = mappings();
  for (size_t to = 2 * MiB + 1; to <= 24 * MiB; to += to / 4) {
    for (int i = 0; i < NB; i++) b[i] = grow_kept(b[i], n, to, 10 + (uintptr_t)i);
    n = to;
  }
  int maps1 = mappings();
  printf("%d blocks grown to %zu bytes: %d mappings before, %d after\n", NB, n, maps0, maps1);
  CHECK(maps1 - maps0 <= 2 * NB, "the grown blocks take %d mappings", maps1 - maps0);
  for (int i = 0; i < NB; i++) free(b[i]);

  /* A block aligned beyond the granule keeps its alignment: it is copied. */
  void *al = NULL;
  CHECK(posix_memalign(&al, 4 * MiB, 3 * MiB) == 0, "posix_memalign");
  api_fill_keyed(al, 3 * MiB, 2);
  char *al2 = grow_kept(al, 3 * MiB, 6 * MiB, 2);
  free(al2);

  /* mremap refused: the growth copies. */
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    CHECK(deny_syscall(SYS_mremap, EPERM) == 0, "seccomp");
    char *c = grow_kept(q, 3 * MiB, 9 * MiB, 1);
    free(c);
    _exit(0);
  }
  int st = child_status(pid);
  CHECK(st == 0, "realloc without mremap failed (status %d)", st);

  /* A second free of a grown block aborts. */
  second_free_aborts(q);
  free(q);
  return 0;
}
