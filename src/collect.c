/* The collection files (collect.h, collect_format.h).
 *
 * A process image creates DIR/PID.N at init (N the first free number: an execve into another program
 * on hakmem finds its predecessor's file and takes the next) and maps its head shared; the profiler
 * asks for chunks of blocks as threads come (hkm_prof_set_chunk_source), each a further region of
 * the same file. A forked child inherits its parent's mappings, which the parent goes on writing:
 * the child makes a file of its own before it records anything (the profiler asks it for a first
 * chunk again after fork, and warnings and the exit check the owner too) and unmaps the parent's.
 *
 * Nothing here allocates: it runs inside malloc (a chunk for a new thread) and in fork handlers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "collect.h"
#include "collect_format.h"
#include "collect_reap.h"
#include "options.h"
#include "prof.h"
#include "symbolize.h"
#include "warn.h"

#define HEAD_BYTES ((sizeof(struct hkm_collect_head) + 4095) & ~(size_t)4095)

static int active;                   /* HAKMEM_TIMING_DIR is set and this copy of hakmem serves malloc */
static pid_t owner;                  /* the process whose file head is */
static int fd = -1;
static struct hkm_collect_head *head;
static HKM_COLD_BSS void *chunk_map[HKM_PROF_CHUNKS_MAX];
static HKM_COLD_BSS size_t chunk_len[HKM_PROF_CHUNKS_MAX];
static HKM_COLD_BSS char path[PATH_MAX]; /* of the file */
/* Warnings may come from any thread; fork resets it (a child has one thread). */
static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;

void hkm_read_cmdline(char *out, size_t cap, size_t *n) {
  *n = 0;
  int f = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (f < 0) return;
  ssize_t r;
  while (*n < cap && ((r = read(f, out + *n, cap - *n)) > 0 || (r < 0 && errno == EINTR)))
    if (r > 0) *n += (size_t)r;
  close(f);
  while (*n && out[*n - 1] == 0) (*n)--;
  for (size_t i = 0; i < *n; i++)
    if (!out[i]) out[i] = ' ';
}

static void fill_head(struct hkm_collect_head *h, unsigned image) {
  uint64_t tsc0, ns0;
  hkm_prof_clock_ref(&tsc0, &ns0);
  h->magic = HKM_COLLECT_MAGIC;
  h->version = HKM_COLLECT_VERSION;
  h->head_bytes = (uint32_t)HEAD_BYTES;
  h->block_bytes = (uint32_t)hkm_prof_block_bytes();
  h->chunk_blocks = HKM_PROF_CHUNK_BLOCKS;
  h->ncat = HKM_CAT_COUNT;
  h->nslots = HKM_PROF_SLOTS;
  h->slot_off = (uint32_t)offsetof(struct hkm_prof_block, slot);
  h->cat_off = (uint32_t)offsetof(struct hkm_prof_block, cat);
  h->pmu_off = (uint32_t)offsetof(struct hkm_prof_block, pmu);
  h->pid = (int32_t)getpid();
  h->ppid = (int32_t)getppid();
  h->image = image;
  h->sample_every = hkm_prof_sample_every();
  h->timing_compiled = HKM_ENABLE_TIMING;
  h->tsc0 = tsc0;
  h->ns0 = ns0;
  size_t n;
  hkm_read_cmdline(h->cmdline, sizeof h->cmdline - 1, &n);
  h->cmdline[n] = 0;
  for (int c = 0; c < HKM_CAT_COUNT && c < HKM_COLLECT_CATS; c++) {
    strncpy(h->cat_name[c], hkm_cat_name[c], HKM_COLLECT_NAME - 1);
    h->cat_parent[c] = (int8_t)hkm_cat_parent[c];
    h->cat_sampled[c] = hkm_cat_kind[c] == HKM_KIND_SAMPLED;
  }
  for (unsigned s = 0; s < HKM_PROF_SLOTS && s < HKM_COLLECT_SLOT_MAP; s++) {
    int cat, step;
    hkm_prof_slot_cats(s, &cat, &step);
    h->slot_cat[s][0] = (int8_t)cat;
    h->slot_cat[s][1] = (int8_t)step;
  }
}

/* A file of this process's own: the first free DIR/PID.N. */
static int open_own(void) {
  pid_t pid = getpid();
  const char *dir = hkm_cfg.timing_dir;
  for (unsigned n = 0; n < 1u << 20; n++) {
    if ((size_t)snprintf(path, sizeof path, "%s/%d.%u", dir, (int)pid, n) >= sizeof path) return -1;
    int f = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (f < 0 && errno == EEXIST) continue;
    if (f < 0) return -1;
    void *m = MAP_FAILED;
    if (ftruncate(f, (off_t)HEAD_BYTES) == 0)
      m = mmap(NULL, HEAD_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
    if (m == MAP_FAILED) {
      close(f);
      unlink(path);
      return -1;
    }
    fd = f;
    head = m;
    owner = pid;
    fill_head(head, n);
    return 0;
  }
  return -1;
}

/* In a forked child: let go of the parent's file, then make this process's own. */
static int ensure_own(void) {
  if (!active) return -1;
  if (head && owner == getpid()) return 0;
  for (unsigned i = 0; i < HKM_PROF_CHUNKS_MAX; i++)
    if (chunk_map[i]) {
      munmap(chunk_map[i], chunk_len[i]);
      chunk_map[i] = NULL;
    }
  if (head) munmap(head, HEAD_BYTES);
  if (fd >= 0) close(fd);
  head = NULL;
  fd = -1;
  pthread_mutex_init(&warn_lock, NULL);
  return open_own();
}

/* The profiler's chunk source: chunk i is the file's region after the head and the chunks before. */
static void *chunk(unsigned i, size_t bytes) {
  if (i >= HKM_PROF_CHUNKS_MAX || ensure_own() != 0) return NULL;
  off_t off = (off_t)HEAD_BYTES + (off_t)i * (off_t)bytes;
  if (ftruncate(fd, off + (off_t)bytes) != 0) return NULL;
  void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
  if (m == MAP_FAILED) return NULL;
  chunk_map[i] = m;
  chunk_len[i] = bytes;
  __atomic_store_n(&head->chunks, i + 1, __ATOMIC_RELEASE);
  return m;
}

/* Warnings into the head: each distinct line once, with how many times this process gave it. */
static void sink(const char *line, size_t len) {
  if (ensure_own() != 0) return;
  pthread_mutex_lock(&warn_lock);
  if (len >= HKM_COLLECT_WARNING) len = HKM_COLLECT_WARNING - 1;
  unsigned n = head->nwarn;
  unsigned i;
  for (i = 0; i < n; i++)
    if (!strncmp(head->warn[i].text, line, len) && head->warn[i].text[len] == 0) break;
  if (i < n) {
    head->warn[i].count++;
  } else if (n < HKM_COLLECT_WARNINGS) {
    memcpy(head->warn[n].text, line, len);
    head->warn[n].text[len] = 0;
    head->warn[n].count = 1;
    head->nwarn = n + 1;
  }
  pthread_mutex_unlock(&warn_lock);
}

/* The timer's calibration (some 40 us) is written with the exit report, and hakmem-stat gives it to the
 * run's images that wrote none. A run whose processes all leave without one (dash's all _exit; killed
 * ones) had none, and its figures kept the timer's bias: a 12-cycle malloc shown as 61. So the run's
 * first image calibrates at its start (the first to create DIR/calibrated). */
static void calibrate_for_run(void) {
  char p[PATH_MAX];
  if ((size_t)snprintf(p, sizeof p, "%s/calibrated", hkm_cfg.timing_dir) >= sizeof p) return;
  int f = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (f < 0) return;
  close(f);
  head->bias = hkm_prof_bias();
  head->nest = hkm_prof_nest_cost();
}

void hkm_collect_init(void) {
  /* A program that carries hakmem itself (libhakmem.a) and gets libhakmem.so preloaded holds two
   * copies; only the one that serves malloc collects. */
  /* Built with --disable-timing there are no counters, but the file still says that the process
   * ran on hakmem and how it ended, and takes its warnings. */
  active = hkm_cfg.timing_dir && hkm_cfg.timing &&
           !hkm_sym_defined_elsewhere((const void *)&malloc, (const void *)hkm_collect_init);
  if (active && open_own() == 0) {
    calibrate_for_run();
    hkm_prof_set_chunk_source(chunk);
    hkm_warn_release(sink, 0);
    return;
  }
  if (active) { /* no file (the directory is gone, a full disk): the profile is lost, say so */
    int e = errno;
    active = 0;
    hkm_warn_release(NULL, hkm_cfg.timing_quiet);
    hkm_warn("HAKMEM_TIMING_DIR=%s: cannot create a file there (%s); no profile", hkm_cfg.timing_dir, strerror(e));
    return;
  }
  /* an idle copy of hakmem (the one that does not serve malloc) leaves the warnings to the other */
  hkm_warn_release(NULL, hkm_cfg.timing_dir != NULL);
}

int hkm_collect_active(void) { return active; }

void hkm_collect_report(const char *p, size_t n) {
  if (ensure_own() != 0) return;
  off_t off = (off_t)HEAD_BYTES + (off_t)head->chunks * (off_t)head->block_bytes * (off_t)head->chunk_blocks;
  size_t done = 0;
  while (done < n) {
    ssize_t w = pwrite(fd, p + done, n - done, off + (off_t)done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    done += (size_t)w;
  }
  head->json_off = (uint64_t)off;
  head->json_len = (uint32_t)n;
  head->bias = hkm_prof_bias(); /* calibrated by the report: for the run's images that wrote none */
  head->nest = hkm_prof_nest_cost();
  __atomic_store_n(&head->ending, HKM_END_EXIT, __ATOMIC_RELEASE);
}

void hkm_collect_exiting(int status) {
  if (!active || !head || owner != getpid()) return; /* a child that never recorded: nothing to mark */
  head->exit_code = status & 0xff;
  __atomic_store_n(&head->ending, HKM_END__EXIT, __ATOMIC_RELEASE);
}

void hkm_collect_child_reaped(int pid, int status) {
  if (active) hkm_collect_mark_reaped(hkm_cfg.timing_dir, pid, status);
}
