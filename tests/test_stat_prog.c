/* Workloads with known allocation counts for the hakmem-stat tests (test_stat_*.sh). Each starts
 * with hak_prof_reset(), so the exit report holds exactly what it did afterwards.
 *
 *   test_stat_prog count T P      T malloc/free pairs of 100 bytes (Tiny) made in stat_site_tiny, P
 *                                 of 8 KiB (L2 pool) in stat_site_pool
 *   test_stat_prog fork N T       N children, each making T Tiny pairs, then T in the parent
 *   test_stat_prog threads N T    N threads, each making T pairs of 256 KiB (L2.5), joined
 *   test_stat_prog whales N       N blocks of 3 MiB, each written once per page and freed
 *   test_stat_prog exit C         exits with status C
 *   test_stat_prog output         known bytes on stdout and stderr, interleaved
 *   test_stat_prog wait           sleeps until a signal ends it
 *   test_stat_prog end HOW T      T Tiny pairs, then ends: _exit (_exit(3)), segv (SIGSEGV), kill
 *                                 (SIGKILL), closeerr (closes stderr, returns 0), exec (execs /bin/true
 *                                 without LD_PRELOAD: a program not on hakmem)
 *   test_stat_prog forkexit N T   N children, each making T Tiny pairs and leaving with _exit(0), reaped
 *                                 with waitpid; then T in the parent
 *   test_stat_prog collectpages T T Tiny pairs, hak_prof_report(), then prints how many pages of the
 *                                 largest mapping of a file in $HAKMEM_TIMING_DIR (the profiler's
 *                                 blocks) are resident
 *
 * Linked with -export-dynamic so that dladdr names stat_site_tiny and stat_site_pool. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

#include "hakmem.h"

enum { MAX_PAIRS = 100000 };
static void *volatile blocks[MAX_PAIRS];

/* The blocks are all held before any is freed, and kept in a volatile array, so the compiler can
 * neither pair nor drop the calls. */
__attribute__((noinline)) void stat_site_tiny(int n) {
  for (int i = 0; i < n; i++) blocks[i] = malloc(100);
  for (int i = 0; i < n; i++) free(blocks[i]);
}

__attribute__((noinline)) void stat_site_pool(int n) {
  for (int i = 0; i < n; i++) blocks[i] = malloc(8 << 10);
  for (int i = 0; i < n; i++) free(blocks[i]);
}

static int per_thread;

static void *worker(void *arg) {
  (void)arg;
  void *p[16];
  for (int i = 0; i < per_thread; i += 16) {
    int m = per_thread - i < 16 ? per_thread - i : 16;
    for (int j = 0; j < m; j++) p[j] = malloc(48 << 10);
    for (int j = 0; j < m; j++) free(p[j]);
  }
  return NULL;
}

static int arg(char **argv, int i, int max) {
  int v = atoi(argv[i]);
  if (v < 0 || v > max) exit(2);
  return v;
}

/* n children, each making t Tiny pairs, then leaving with exit(0), or _exit(0) when quick. */
static int spawn(int n, int t, int quick) {
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
      stat_site_tiny(t);
      if (quick) _exit(0);
      exit(0);
    }
  }
  return 0;
}

/* Resident pages of the largest mapping of a file under dir, and its size in pages, from pagemap. */
static int collect_pages(const char *dir, unsigned long *total) {
  FILE *maps = fopen("/proc/self/maps", "r");
  int pm = open("/proc/self/pagemap", O_RDONLY);
  if (!maps || pm < 0) return -1;
  char line[4096];
  unsigned long lo = 0, hi = 0;
  while (fgets(line, sizeof line, maps)) {
    unsigned long a, b;
    char *path = strchr(line, '/');
    if (sscanf(line, "%lx-%lx", &a, &b) == 2 && path && !strncmp(path, dir, strlen(dir)) && b - a > hi - lo) {
      lo = a;
      hi = b;
    }
  }
  fclose(maps);
  int n = 0;
  for (unsigned long x = lo; x < hi; x += 4096) {
    uint64_t e;
    if (pread(pm, &e, sizeof e, (off_t)(x / 4096 * sizeof e)) != sizeof e) return -1;
    n += (int)(e >> 63);
  }
  close(pm);
  *total = (hi - lo) / 4096;
  return hi ? n : -1;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *mode = argv[1];
  hak_prof_reset();
  if (!strcmp(mode, "count") && argc == 4) {
    stat_site_tiny(arg(argv, 2, MAX_PAIRS));
    stat_site_pool(arg(argv, 3, MAX_PAIRS));
    return 0;
  }
  if (!strcmp(mode, "fork") && argc == 4) {
    int n = arg(argv, 2, 64), t = arg(argv, 3, MAX_PAIRS);
    if (spawn(n, t, 0) != 0) return 1;
    stat_site_tiny(t);
    int st, bad = 0;
    for (int i = 0; i < n; i++)
      if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) bad = 1;
    return bad;
  }
  if (!strcmp(mode, "threads") && argc == 4) {
    int n = arg(argv, 2, 128);
    per_thread = arg(argv, 3, MAX_PAIRS);
    pthread_t tid[128];
    for (int i = 0; i < n; i++)
      if (pthread_create(&tid[i], NULL, worker, NULL)) return 1;
    for (int i = 0; i < n; i++) pthread_join(tid[i], NULL);
    return 0;
  }
  if (!strcmp(mode, "whales") && argc == 3) {
    int n = arg(argv, 2, MAX_PAIRS);
    for (int i = 0; i < n; i++) {
      char *p = malloc(3 << 20);
      if (!p) return 1;
      for (size_t o = 0; o < (3 << 20); o += 4096) p[o] = (char)i;
      free(p);
    }
    return 0;
  }
  if (!strcmp(mode, "exit") && argc == 3) return atoi(argv[2]);
  if (!strcmp(mode, "output") && argc == 2) {
    for (int i = 0; i < 50; i++) {
      printf("out %d: %s\n", i, "the quick brown fox");
      fflush(stdout);
      fprintf(stderr, "err %d\n", i);
    }
    static const char tail[] = "no newline at the end";
    ssize_t w = write(1, tail, sizeof tail - 1);
    return w == (ssize_t)sizeof tail - 1 ? 0 : 1;
  }
  if (!strcmp(mode, "wait") && argc == 2) {
    for (;;) pause();
  }
  if (!strcmp(mode, "end") && argc == 4) {
    stat_site_tiny(arg(argv, 3, MAX_PAIRS));
    const char *how = argv[2];
    if (!strcmp(how, "_exit")) _exit(3);
    if (!strcmp(how, "segv")) raise(SIGSEGV);
    if (!strcmp(how, "kill")) raise(SIGKILL);
    if (!strcmp(how, "closeerr")) return close(2) == 0 ? 0 : 1;
    if (!strcmp(how, "exec")) {
      unsetenv("LD_PRELOAD");
      execl("/bin/true", "true", (char *)NULL);
    }
    return 2;
  }
  if (!strcmp(mode, "collectpages") && argc == 3) {
    stat_site_tiny(arg(argv, 2, MAX_PAIRS));
    FILE *null = fopen("/dev/null", "w");
    if (!null) return 1;
    hak_prof_report(null, HAK_PROF_TEXT);
    fclose(null);
    const char *dir = getenv("HAKMEM_TIMING_DIR");
    unsigned long total = 0;
    int n = dir ? collect_pages(dir, &total) : -1;
    if (n < 0) return 1;
    printf("collection: %d of %lu pages resident\n", n, total);
    return 0;
  }
  if (!strcmp(mode, "forkexit") && argc == 4) {
    int n = arg(argv, 2, 64), t = arg(argv, 3, MAX_PAIRS);
    if (spawn(n, t, 1) != 0) return 1;
    int st, bad = 0;
    for (int i = 0; i < n; i++)
      if (waitpid(-1, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) bad = 1;
    stat_site_tiny(t);
    return bad;
  }
  return 2;
}
