/* Behaviour under an address-space limit (RLIMIT_AS, as `ulimit -v` sets it), and what a huge request
 * leaves behind. Runs on any malloc (LD_PRELOAD or none), so the same run can hold glibc's figures
 * next to hakmem's.
 *   limit_prog refill A B [trim|notrim|wait]   fill with A-byte blocks until malloc fails, free them
 *                                   all (then malloc_trim(0), nothing, or a 100 ms sleep), fill with
 *                                   B-byte blocks; prints "refill A B HOW: fill X MiB, refill Y MiB"
 *   limit_prog pairs [trim|notrim]  the same for every ordered pair of the tiers' sizes (64 B, 8 KiB,
 *                                   200 KiB, 1.5 MiB, 6 MiB), each in a child of its own
 *   limit_prog mixed SEED OPS       a random mix of malloc/realloc/free of every tier kept near the
 *                                   limit; prints "mixed: N NULLs in OPS operations"
 *   limit_prog huge SHIFT           malloc(1 << SHIFT), free, malloc_trim(0); prints RSS before,
 *                                   with the block, after, in KiB
 * The limit is the address space in use after a warm-up (every tier once) plus LIMIT_PROG_MIB
 * (default 256) MiB. */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api_check.h"

#define FAIL(...) (fprintf(stderr, "limit_prog: " __VA_ARGS__), fputc('\n', stderr), exit(1))

/* Address space and resident set, in bytes. */
static void statm(size_t *size, size_t *res) {
  FILE *f = fopen("/proc/self/statm", "r");
  long s, r;
  if (!f || fscanf(f, "%ld %ld", &s, &r) != 2) FAIL("cannot read /proc/self/statm");
  fclose(f);
  *size = (size_t)s * (size_t)sysconf(_SC_PAGESIZE);
  *res = (size_t)r * (size_t)sysconf(_SC_PAGESIZE);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A size in each tier: Tiny, L2, L2.5, BigCache, Whale. */
static const size_t tier_sizes[] = {64, 8192, 200 << 10, 1536 << 10, 6 << 20};

/* One block of each tier, allocated and freed, so that every allocator has set itself up (and hakmem
 * has started its release helper) before the limit counts what is mapped. */
static void warm_up(void) {
  void *p[5];
  for (int i = 0; i < 5; i++)
    if (!(p[i] = malloc(tier_sizes[i]))) FAIL("warm-up malloc(%zu) failed", tier_sizes[i]);
  for (int i = 0; i < 5; i++) free(p[i]);
}

static void set_limit(void) {
  warm_up();
  const char *e = getenv("LIMIT_PROG_MIB");
  size_t extra = (e ? strtoul(e, NULL, 10) : 256) * MiB, size, res;
  statm(&size, &res);
  struct rlimit rl = {(rlim_t)(size + extra), (rlim_t)(size + extra)};
  if (setrlimit(RLIMIT_AS, &rl) != 0) FAIL("setrlimit: %s", strerror(errno));
}

/* Blocks of n bytes chained through their first word until malloc fails; returns the chain. */
static void *fill(size_t n, size_t *count) {
  void *head = NULL;
  *count = 0;
  for (;;) {
    void **p = malloc(n);
    if (!p) {
      if (errno != ENOMEM) FAIL("malloc(%zu) failed with errno %d, not ENOMEM", n, errno);
      return head;
    }
    *p = head;
    head = p;
    ++*count;
  }
}

static void free_chain(void *head) {
  while (head) {
    void *next = *(void **)head;
    free(head);
    head = next;
  }
}

static void refill(size_t a, size_t b, const char *how) {
  set_limit();
  size_t na, nb;
  void *chain = fill(a, &na);
  free_chain(chain);
  if (!strcmp(how, "trim"))
    malloc_trim(0);
  else if (!strcmp(how, "wait"))
    usleep(100 * 1000);
  chain = fill(b, &nb);
  printf("refill %zu %zu %s: fill %zu MiB, refill %zu MiB\n", a, b, how, na * a / MiB, nb * b / MiB);
  free_chain(chain);
}

static void pairs(const char *how) {
  for (int a = 0; a < 5; a++)
    for (int b = 0; b < 5; b++) {
      if (a == b) continue;
      pid_t pid = fork();
      if (pid < 0) FAIL("fork: %s", strerror(errno));
      if (pid == 0) {
        refill(tier_sizes[a], tier_sizes[b], how);
        _exit(0);
      }
      int st;
      if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        FAIL("refill %zu %zu %s: child failed (status 0x%x)", tier_sizes[a], tier_sizes[b], how, st);
    }
}

static uint64_t rng = 88172645463325252ull;

/* Sizes of every tier, weighted towards small ones as programs are; the large ones dominate the
 * bytes. */
static size_t mixed_size(void) {
  unsigned r = (unsigned)(api_rand(&rng) % 100);
  size_t lo, hi;
  if (r < 50) lo = 16, hi = 1024;
  else if (r < 75) lo = 1025, hi = 32 << 10;
  else if (r < 90) lo = (32 << 10) + 1, hi = 1 << 20;
  else if (r < 97) lo = (1 << 20) + 1, hi = 2 << 20;
  else lo = (2 << 20) + 1, hi = 16 << 20;
  return lo + api_rand(&rng) % (hi - lo + 1);
}

static void mixed(uint64_t seed, unsigned long ops) {
  enum { SLOTS = 768 };
  static void *slot[SLOTS];
  static size_t len[SLOTS];
  rng ^= seed * 0x9E3779B97F4A7C15ull;
  set_limit();
  unsigned long nulls = 0;
  for (unsigned long i = 0; i < ops; i++) {
    unsigned k = (unsigned)(api_rand(&rng) % SLOTS);
    unsigned r = (unsigned)(api_rand(&rng) % 10);
    if (slot[k] && r < 2) {
      size_t n = mixed_size();
      void *q = realloc(slot[k], n);
      if (!q) {
        nulls++;
        continue;
      }
      slot[k] = q;
      len[k] = n;
    } else if (slot[k]) {
      if (((unsigned char *)slot[k])[len[k] - 1] != (unsigned char)len[k]) FAIL("block %u corrupted", k);
      free(slot[k]);
      slot[k] = NULL;
      continue;
    } else {
      size_t n = mixed_size();
      if (!(slot[k] = malloc(n))) {
        nulls++;
        continue;
      }
      len[k] = n;
    }
    memset(slot[k], 1, len[k] < 4096 ? len[k] : 4096); /* the program uses its memory */
    ((unsigned char *)slot[k])[len[k] - 1] = (unsigned char)len[k];
  }
  printf("mixed: %lu NULLs in %lu operations\n", nulls, ops);
  for (unsigned k = 0; k < SLOTS; k++) free(slot[k]);
}

static void huge(unsigned shift) {
  size_t size, before, with, after;
  warm_up();
  malloc_trim(0);
  statm(&size, &before);
  double t0 = now_s();
  char *p = malloc((size_t)1 << shift);
  double t1 = now_s();
  if (p) p[0] = 1;
  statm(&size, &with);
  double t2 = now_s();
  free(p);
  malloc_trim(0);
  double t3 = now_s();
  statm(&size, &after);
  printf("huge %u: %s; RSS %zu KiB before, %zu KiB with the block, %zu KiB after free + malloc_trim "
         "(malloc %.3f s, free + trim %.3f s)\n",
         shift, p ? "allocated" : "NULL", before >> 10, with >> 10, after >> 10, t1 - t0, t3 - t2);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc >= 4 && !strcmp(argv[1], "refill"))
    refill(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), argc > 4 ? argv[4] : "trim");
  else if (argc >= 2 && !strcmp(argv[1], "pairs"))
    pairs(argc > 2 ? argv[2] : "trim");
  else if (argc == 4 && !strcmp(argv[1], "mixed"))
    mixed(strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
  else if (argc == 3 && !strcmp(argv[1], "huge"))
    huge((unsigned)strtoul(argv[2], NULL, 0));
  else
    FAIL("usage: limit_prog refill A B [trim|notrim|wait] | pairs [trim|notrim] | mixed SEED OPS | huge SHIFT");
  return 0;
}
