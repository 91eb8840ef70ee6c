/* Drives the site rules and the learner (HAKMEM_MODE=learning, HAKMEM_LEARN_FORCE) through what they
 * do to blocks: which pages back them (the THP advice on their mapping, from /proc/self/smaps) and
 * whether their contents survive. Blocks of 8 MiB come from two call sites of their own: "dense"
 * writes every page of its blocks, "sparse" one page in 20.
 *   learn_prog learn THREADS fork|nofork  rounds of both sites on THREADS threads, then prints the
 *                                         backing of a new block of each ("dense=huge sparse=small");
 *                                         with fork, a child prints the same, then learns on
 *   learn_prog relearn                    the dense site turns sparse: its blocks must go back to small
 *                                         pages, and a block of it kept live all along stays intact
 *   learn_prog first                      the backing of the dense site's very first block, then rounds
 *                                         and both sites' ("after dense=... sparse=...")
 *   learn_prog calloc                     big calloc()s read zero whatever backing is forced
 *   learn_prog refuse huge|prefault       the kernel refuses that madvise (seccomp, EINVAL): blocks
 *                                         still work, and calloc still reads zero
 * Exits 1 with a line on stderr when a check fails, 77 when THP is off on this machine and the mode
 * needs it. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB ((size_t)1 << 20)
#define SIZE (8 * MiB)
#define PAGE ((size_t)4096)
#define HUGE (2 * MiB)
#define BLOCKS 4
#define FAIL(...) (fprintf(stderr, "learn_prog: " __VA_ARGS__), fputc('\n', stderr), exit(1))

/* One call instruction each, whoever calls them: their return addresses are the sites. Neither
 * inlined, cloned nor folded into one (noipa), and the empty asm after the call keeps it from becoming
 * a jump (a tail call would make the caller's return address the site). */
#define SITE __attribute__((noipa)) static unsigned char *
SITE dense_alloc(size_t n) {
  unsigned char *p = malloc(n);
  __asm__ __volatile__("" : "+r"(p));
  return p;
}
SITE sparse_alloc(size_t n) {
  unsigned char *p = malloc(n);
  __asm__ __volatile__("" : "+r"(p));
  return p;
}
SITE dense_calloc(size_t n) {
  unsigned char *p = calloc(1, n);
  __asm__ __volatile__("" : "+r"(p));
  return p;
}

static void fill(unsigned char *p, size_t n, size_t stride, unsigned seed) {
  for (size_t o = 0; o < n; o += stride) p[o] = (unsigned char)(seed + o / PAGE);
  p[n - 1] = (unsigned char)(seed ^ 0x5a);
}

static void check(const unsigned char *p, size_t n, size_t stride, unsigned seed, const char *what) {
  for (size_t o = 0; o < n; o += stride)
    if (p[o] != (unsigned char)(seed + o / PAGE)) FAIL("%s: block %p corrupted at %zu", what, (void *)p, o);
  if (p[n - 1] != (unsigned char)(seed ^ 0x5a)) FAIL("%s: block %p tail corrupted", what, (void *)p);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int thp_mode(void) { /* 0 never, 1 madvise, 2 always */
  char buf[128] = "";
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!f) return 0;
  if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
  fclose(f);
  return strstr(buf, "[always]") ? 2 : strstr(buf, "[madvise]") ? 1 : 0;
}

/* How faults in the block's first whole 2 MiB chunk are served: "huge" or "small" (the VmFlags of
 * its mapping: hg = MADV_HUGEPAGE, nh = MADV_NOHUGEPAGE). */
static const char *backing(const void *p, size_t n) {
  uintptr_t a = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
  if (a + HUGE > (uintptr_t)p + n) FAIL("block %p holds no whole 2 MiB chunk", p);
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) FAIL("cannot read /proc/self/smaps");
  char line[512];
  int in = 0, hg = 0, nh = 0, found = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
      in = a >= lo && a < hi;
      continue;
    }
    if (in && !strncmp(line, "VmFlags:", 8)) {
      hg = strstr(line, " hg") != NULL;
      nh = strstr(line, " nh") != NULL;
      found = 1;
      break;
    }
  }
  fclose(f);
  if (!found) FAIL("no mapping holds %p", p);
  int mode = thp_mode();
  return (mode == 2 && !nh) || (mode == 1 && hg) ? "huge" : "small";
}

/* The sparse site's blocks of one thread, held from one round to the next. */
struct sparse {
  unsigned char *p[BLOCKS];
  unsigned seed[BLOCKS];
};

/* One round: the dense site's blocks written (every dense_stride bytes), checked and freed; the
 * sparse site's blocks of the round before checked and freed, new ones written and held. */
static void round_of(struct sparse *sp, unsigned seed, size_t dense_stride) {
  unsigned char *b[BLOCKS];
  for (int k = 0; k < BLOCKS; k++) {
    if (!(b[k] = dense_alloc(SIZE))) FAIL("malloc failed");
    fill(b[k], SIZE, dense_stride, seed + (unsigned)k);
  }
  for (int k = 0; k < BLOCKS; k++) {
    check(b[k], SIZE, dense_stride, seed + (unsigned)k, "dense");
    free(b[k]);
  }
  for (int k = 0; k < BLOCKS; k++) {
    if (sp->p[k]) {
      check(sp->p[k], SIZE, 20 * PAGE, sp->seed[k], "sparse");
      free(sp->p[k]);
    }
    if (!(sp->p[k] = sparse_alloc(SIZE))) FAIL("malloc failed");
    sp->seed[k] = seed + 1000 + (unsigned)k;
    fill(sp->p[k], SIZE, 20 * PAGE, sp->seed[k]);
  }
}

static void sparse_free(struct sparse *sp) {
  for (int k = 0; k < BLOCKS; k++) {
    check(sp->p[k], SIZE, 20 * PAGE, sp->seed[k], "sparse");
    free(sp->p[k]);
  }
}

static void rounds(int n, unsigned base) {
  struct sparse sp = {0};
  for (int r = 0; r < n; r++) {
    round_of(&sp, base + (unsigned)r * 2000, PAGE);
    sleep_ms(15); /* the learner looks about every 10 ms */
  }
  sparse_free(&sp);
}

static void *thread_rounds(void *arg) {
  rounds(8, (unsigned)(uintptr_t)arg * 100000);
  return NULL;
}

static void print_state(const char *who) {
  unsigned char *d = dense_alloc(SIZE), *s = sparse_alloc(SIZE);
  if (!d || !s) FAIL("malloc failed");
  fill(d, SIZE, PAGE, 7);
  fill(s, SIZE, 20 * PAGE, 9);
  printf("%sdense=%s sparse=%s\n", who, backing(d, SIZE), backing(s, SIZE));
  fflush(stdout);
  check(d, SIZE, PAGE, 7, "dense");
  check(s, SIZE, 20 * PAGE, 9, "sparse");
  free(d);
  free(s);
}

/* Whether a fresh block of the dense site, written, gets huge pages. */
static int dense_is_huge(void) {
  unsigned char *d = dense_alloc(SIZE);
  if (!d) FAIL("malloc failed");
  fill(d, SIZE, PAGE, 5);
  int huge = !strcmp(backing(d, SIZE), "huge");
  free(d);
  return huge;
}

static int learn(int threads, int do_fork) {
  pthread_t t[16];
  if (threads < 1 || threads > 16) FAIL("1 to 16 threads");
  for (int i = 0; i < threads; i++)
    if (pthread_create(&t[i], NULL, thread_rounds, (void *)(uintptr_t)i) != 0) FAIL("pthread_create");
  for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
  /* On a loaded machine (make -j2 check) the release helper, which runs the learner, may not have
   * looked at the evidence yet: more rounds, for up to 3 s, until the dense site gets huge pages (it
   * may rightly choose otherwise: then the 3 s pass and the caller judges what it chose). */
  const char *mode = getenv("HAKMEM_MODE");
  if (mode && (!strcmp(mode, "learning") || !strcmp(mode, "research")))
    for (double t0 = now_s(); !dense_is_huge() && now_s() - t0 < 3.0;) rounds(2, 777777);
  sleep_ms(30);
  print_state("");
  if (!do_fork) return 0;
  pid_t pid = fork();
  if (pid < 0) FAIL("fork");
  if (pid == 0) {
    print_state("child ");
    rounds(4, 555555);
    sleep_ms(30);
    print_state("child after ");
    _exit(0);
  }
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("child failed (status %d)", st);
  print_state("parent after ");
  return 0;
}

/* The dense site turns sparse; its blocks must go back to small pages within a few of the learner's
 * lazy probes (one every 2 s), and a block it handed out before keeps its contents throughout. */
static int relearn(void) {
  unsigned char *live = dense_alloc(SIZE);
  if (!live) FAIL("malloc failed");
  fill(live, SIZE, PAGE, 42);
  rounds(8, 0);
  check(live, SIZE, PAGE, 42, "live block");
  unsigned char *d = dense_alloc(SIZE);
  fill(d, SIZE, PAGE, 3);
  const char *first = backing(d, SIZE);
  free(d);
  printf("dense=%s\n", first);
  if (strcmp(first, "huge") != 0) return 0; /* nothing to unlearn (the shell script says why) */
  double t0 = now_s();
  for (unsigned r = 0;; r++) {
    unsigned char *b[BLOCKS];
    for (int k = 0; k < BLOCKS; k++) {
      if (!(b[k] = dense_alloc(SIZE))) FAIL("malloc failed");
      fill(b[k], SIZE, 20 * PAGE, r + (unsigned)k);
    }
    for (int k = 0; k < BLOCKS; k++) {
      check(b[k], SIZE, 20 * PAGE, r + (unsigned)k, "turned sparse");
      free(b[k]);
    }
    check(live, SIZE, PAGE, 42, "live block");
    sleep_ms(15);
    d = dense_alloc(SIZE);
    fill(d, SIZE, 20 * PAGE, 5);
    const char *now = backing(d, SIZE);
    free(d);
    if (!strcmp(now, "small")) {
      printf("turned sparse: small after %.1f s\n", now_s() - t0);
      break;
    }
    if (now_s() - t0 > 15) FAIL("the site still gets huge pages 15 s after it turned sparse");
  }
  check(live, SIZE, PAGE, 42, "live block");
  unsigned char *q = realloc(live, 2 * SIZE);
  if (!q) FAIL("realloc failed");
  check(q, SIZE, PAGE, 42, "live block after realloc");
  free(q);
  return 0;
}

static void zero_check(const unsigned char *p, size_t n, const char *what) {
  for (size_t o = 0; o < n; o += PAGE / 2)
    if (p[o]) FAIL("%s: calloc block %p not zero at %zu", what, (void *)p, o);
  if (p[n - 1]) FAIL("%s: calloc block %p not zero at its end", what, (void *)p);
}

/* calloc over fresh, reused, dropped and kept blocks of both tiers, each dirtied before its free. */
static int callocs(const char *what) {
  for (int i = 0; i < 40; i++) {
    size_t n = i % 4 == 3 ? MiB + MiB / 2 : SIZE + (size_t)(i % 5) * 64 * 1024;
    unsigned char *p = dense_calloc(n);
    if (!p) FAIL("calloc failed");
    zero_check(p, n, what);
    fill(p, n, PAGE, (unsigned)i);
    free(p);
    if (i % 10 == 9) sleep_ms(25); /* let caches time out: dropped blocks come back */
  }
  return 0;
}

/* madvise(..., advice) fails with err for this process, as under a container's seccomp policy. */
static void deny_advice(int advice, int err) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_madvise, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)advice, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
    FAIL("seccomp: %s", strerror(errno));
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static int refuse(const char *which) {
  deny_advice(!strcmp(which, "huge") ? MADV_HUGEPAGE : MADV_POPULATE_WRITE, EINVAL);
  for (int i = 0; i < 12; i++) {
    unsigned char *p = dense_alloc(SIZE + (size_t)i * 4096);
    if (!p) FAIL("malloc failed with %s refused", which);
    fill(p, SIZE, PAGE, (unsigned)i);
    check(p, SIZE, PAGE, (unsigned)i, "refused");
    free(p);
  }
  return callocs("refused");
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (!strcmp(mode, "learn") && argc == 4) {
    if (!thp_mode()) return 77;
    return learn(atoi(argv[2]), !strcmp(argv[3], "fork"));
  }
  if (!strcmp(mode, "relearn")) {
    if (!thp_mode()) return 77;
    return relearn();
  }
  if (!strcmp(mode, "first")) {
    if (!thp_mode()) return 77;
    unsigned char *d = dense_alloc(SIZE);
    fill(d, SIZE, PAGE, 1);
    printf("first dense=%s\n", backing(d, SIZE));
    free(d);
    rounds(6, 0);
    print_state("after ");
    return 0;
  }
  if (!strcmp(mode, "calloc")) return callocs(getenv("HAKMEM_LEARN_FORCE") ? getenv("HAKMEM_LEARN_FORCE") : "calloc");
  if (!strcmp(mode, "refuse") && argc == 3) return refuse(argv[2]);
  fprintf(stderr, "usage: learn_prog learn THREADS fork|nofork | relearn | first | calloc | refuse huge|prefault\n");
  return 2;
}
