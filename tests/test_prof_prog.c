/* Workloads with known allocation counts for the profiler tests (test_prof_*.sh).
 *
 *   test_prof_prog report                 the report as it stands (JSON; text with PROF_TEST_TEXT=1)
 *   test_prof_prog tiers T P L B W        T Tiny, P L2 pool, L L2.5 (48 KiB: page runs), B BigCache, W Whale allocations
 *                                         and frees, counted after a warm-up round and a reset
 *   test_prof_prog threads N K            N threads that exit and 1 that stays alive, plus main, each
 *                                         making K L2.5 allocations (page runs); reported while one still runs
 *   test_prof_prog fork C                 C Tiny pairs before fork; the child makes C L2 pool pairs and
 *                                         reports, then the parent reports
 *   test_prof_prog work                   a few allocations, no explicit report (the exit report only)
 *   test_prof_prog forkreuse N            a thread allocates N Tiny blocks and waits while main forks; in
 *                                         the child a new thread (which glibc gives the waiting thread's
 *                                         stack, so its thread pointer) frees them; the child reports
 *   test_prof_prog interrupted MS         Tiny pairs for MS ms while a timer signal takes 3 ms of every 4
 *                                         (its handler spins); the report, then "spins N" on stderr; with
 *                                         PROF_TEST_EXIT=_exit it then leaves through _exit (no exit report)
 *
 * Reports go to stdout, one per line for JSON. Between a reset and a report the program calls nothing
 * that could allocate, so the counts are exact. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hakmem.h"

enum { TIER_COUNT = 5, MAX_PER_TIER = 8000 };
static const size_t tier_size[TIER_COUNT] = {100, 8 << 10, 48 << 10, 1536 << 10, 3 << 20};
static void *blocks[MAX_PER_TIER];
static int report_flags = HAK_PROF_JSON;

static void pairs(size_t size, int n) {
  for (int i = 0; i < n; i++) blocks[i] = hak_alloc_at(size, HAK_CALLSITE());
  for (int i = 0; i < n; i++) hak_free_at(blocks[i], size, HAK_CALLSITE());
}

/* Blocks on the worker's stack: threads must not share the static array. */
static void thread_pairs(size_t size, int n) {
  void *p[64];
  for (int i = 0; i < n; i += 64) {
    int m = n - i < 64 ? n - i : 64;
    for (int j = 0; j < m; j++) p[j] = hak_alloc_at(size, HAK_CALLSITE());
    for (int j = 0; j < m; j++) hak_free_at(p[j], size, HAK_CALLSITE());
  }
}

static int tiers(int argc, char **argv) {
  int n[TIER_COUNT];
  if (argc != 2 + TIER_COUNT) return 2;
  for (int t = 0; t < TIER_COUNT; t++) {
    n[t] = atoi(argv[2 + t]);
    if (n[t] < 0 || n[t] > MAX_PER_TIER) return 2;
  }
  /* The warm-up starts whatever hakmem starts lazily (heaps, the release thread) and whose start
   * may allocate through libc; the reset then forgets it. */
  for (int t = 0; t < TIER_COUNT; t++) pairs(tier_size[t], n[t]);
  hak_prof_reset();
  for (int t = 0; t < TIER_COUNT; t++) pairs(tier_size[t], n[t]);
  hak_prof_report(stdout, report_flags);
  return 0;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int worker_done, may_exit;
static int per_thread;

static void *exiting_worker(void *arg) {
  (void)arg;
  thread_pairs(tier_size[2], per_thread);
  return NULL;
}

/* A worker that must still be alive at some point of main's: it says it got there and waits until
 * main lets it go; main waits for the first and then lets it go. */
static void worker_stay(void) {
  pthread_mutex_lock(&mu);
  worker_done = 1;
  pthread_cond_broadcast(&cv);
  while (!may_exit) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

static void main_wait_worker(void) {
  pthread_mutex_lock(&mu);
  while (!worker_done) pthread_cond_wait(&cv, &mu);
  pthread_mutex_unlock(&mu);
}

static void main_release_worker(void) {
  pthread_mutex_lock(&mu);
  may_exit = 1;
  pthread_cond_broadcast(&cv);
  pthread_mutex_unlock(&mu);
}

static void *alive_worker(void *arg) {
  (void)arg;
  thread_pairs(tier_size[2], per_thread);
  worker_stay();
  return NULL;
}

static int threads(int argc, char **argv) {
  if (argc != 4) return 2;
  int n = atoi(argv[2]);
  per_thread = atoi(argv[3]);
  if (n < 0 || n > 64 || per_thread < 0) return 2;
  pthread_t tid[64], alive;
  for (int i = 0; i < n; i++)
    if (pthread_create(&tid[i], NULL, exiting_worker, NULL)) return 1;
  for (int i = 0; i < n; i++) pthread_join(tid[i], NULL);
  if (pthread_create(&alive, NULL, alive_worker, NULL)) return 1;
  main_wait_worker();
  thread_pairs(tier_size[2], per_thread);
  hak_prof_report(stdout, report_flags);
  main_release_worker();
  pthread_join(alive, NULL);
  return 0;
}

static int forked(int argc, char **argv) {
  if (argc != 3) return 2;
  int c = atoi(argv[2]);
  if (c < 0 || c > MAX_PER_TIER) return 2;
  pairs(tier_size[0], c);
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    pairs(tier_size[1], c);
    hak_prof_report(stdout, report_flags);
    exit(0);
  }
  int st;
  if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) return 1;
  hak_prof_report(stdout, report_flags);
  return 0;
}

/* forkreuse: the parent's thread that allocated (alive through the fork), and the child's that frees. */
static int reuse_n;
static void *reuse_tp[2];

static void *reuse_owner(void *arg) {
  (void)arg;
  reuse_tp[0] = __builtin_thread_pointer();
  for (int i = 0; i < reuse_n; i++) blocks[i] = malloc(48);
  worker_stay();
  return NULL;
}

static void *reuse_freer(void *arg) {
  (void)arg;
  reuse_tp[1] = __builtin_thread_pointer();
  for (int i = 0; i < reuse_n; i++) free(blocks[i]);
  return NULL;
}

static int forkreuse(int argc, char **argv) {
  reuse_n = argc > 2 ? atoi(argv[2]) : 0;
  if (reuse_n <= 0 || reuse_n > MAX_PER_TIER) return 2;
  pthread_t t, u;
  if (pthread_create(&t, NULL, reuse_owner, NULL) != 0) return 1;
  main_wait_worker();
  pid_t pid = fork();
  if (pid == 0) {
    hak_prof_reset();
    if (pthread_create(&u, NULL, reuse_freer, NULL) != 0 || pthread_join(u, NULL) != 0) _exit(1);
    hak_prof_report(stdout, report_flags);
    fprintf(stderr, "thread pointer reused: %s\n", reuse_tp[0] == reuse_tp[1] ? "yes" : "no");
    fflush(stdout);
    _exit(0);
  }
  int st = 1;
  if (pid < 0 || waitpid(pid, &st, 0) != pid) return 1;
  main_release_worker();
  pthread_join(t, NULL);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static volatile sig_atomic_t spins;

static long long ns_since(const struct timespec *a) {
  struct timespec b;
  clock_gettime(CLOCK_MONOTONIC, &b);
  return (long long)(b.tv_sec - a->tv_sec) * 1000000000 + (b.tv_nsec - a->tv_nsec);
}

/* An interruption a timed call cannot tell from its own work: the thread is away for 3 ms. */
static void spin(int sig) {
  (void)sig;
  struct timespec a;
  clock_gettime(CLOCK_MONOTONIC, &a);
  while (ns_since(&a) < 3000000) {
  }
  spins++;
}

static int interrupted(int argc, char **argv) {
  if (argc != 3) return 2;
  long long ms = atoll(argv[2]);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = spin;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  pairs(100, 64);
  hak_prof_reset();
  struct itimerval every = {{0, 4000}, {0, 4000}}, off;
  memset(&off, 0, sizeof off);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  setitimer(ITIMER_REAL, &every, NULL);
  while (ns_since(&start) < ms * 1000000) pairs(100, 64);
  setitimer(ITIMER_REAL, &off, NULL);
  hak_prof_report(stdout, report_flags);
  fprintf(stderr, "spins %d\n", (int)spins);
  const char *how = getenv("PROF_TEST_EXIT");
  if (how && !strcmp(how, "_exit")) _exit(0);
  return 0;
}

int main(int argc, char **argv) {
  const char *text = getenv("PROF_TEST_TEXT");
  if (text && *text == '1') report_flags = HAK_PROF_TEXT;
  if (argc < 2) return 2;
  if (!strcmp(argv[1], "report")) {
    hak_prof_report(stdout, report_flags);
    return 0;
  }
  if (!strcmp(argv[1], "tiers")) return tiers(argc, argv);
  if (!strcmp(argv[1], "threads")) return threads(argc, argv);
  if (!strcmp(argv[1], "fork")) return forked(argc, argv);
  if (!strcmp(argv[1], "forkreuse")) return forkreuse(argc, argv);
  if (!strcmp(argv[1], "interrupted")) return interrupted(argc, argv);
  if (!strcmp(argv[1], "work")) {
    for (int t = 0; t < TIER_COUNT; t++) pairs(tier_size[t], 3);
    return 0;
  }
  return 2;
}
