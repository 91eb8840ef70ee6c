/* Deferred release (see reclaim.h). The queue is a Treiber stack of span descriptors (push one,
 * take all: no ABA), so the only thing a freeing thread does is one CAS and, now and then, a wake. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "helper.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"
#include "prof.h"
#include "reclaim.h"
#include "uring.h"

#define RING_DEPTH 64
#define IOV_BATCH 256
/* A batch also goes at once when it holds this much: batching saves a wake and a system call per
 * range, which is nothing next to releasing 2 MiB, while the pages waiting in the queue stay resident.
 * whale_evict's evicted mappings waited up to the delay: peak RSS 52 MiB, 43 with this (glibc 43),
 * the same page faults and time (perf/bench/RESULTS.md, "Release queue by bytes"). */
#define BATCH_BYTES ((size_t)2 << 20)
/* Past this many ranges waiting, a freeing thread releases its range itself, as the sync backend does
 * (in whatever lock it holds: no lock of the queue's): a program that frees spans faster than the
 * helper drops them grew the queue without bound, its pages resident and its address space not yet
 * reusable, so every request took fresh pages: wl_churn under HAKMEM_MODE=minimal, which keeps no
 * span, peaked at 340 MiB. Not the helper itself, whose decays queue under their caches' locks. */
#define QUEUE_MAX 256
static __thread int on_helper;

static _Atomic(struct hkm_span *) queue;
static _Atomic(struct hkm_span *) dropped;
static _Atomic uint32_t queued;
static _Atomic size_t queued_bytes;
static _Atomic uint32_t wake_word; /* futex: bumped when the helper should look again */
static _Atomic uint64_t oldest_ns; /* arrival of the first range of the current batch */
static pthread_mutex_t batch_lock = PTHREAD_MUTEX_INITIALIZER; /* held while a batch runs */

enum { HELPER_NONE, HELPER_STARTING, HELPER_RUNNING, HELPER_FAILED };
static _Atomic int helper_state;
static _Atomic int backend = -1; /* effective backend, settles on first use */
static _Atomic size_t n_batches, n_ranges, n_bytes, n_fallbacks;
#if HKM_HAVE_URING
static HKM_COLD_BSS struct io_uring ring; /* only a process whose helper uses io_uring touches it */
static int ring_ready;
#endif
/* pidfd of this very process for process_madvise; -1 = not open yet, -2 = not usable here. Reset at
 * fork: the parent's pidfd in a child would drop the parent's pages. */
static int self_pidfd = -1;
/* Per advice (DONTNEED, FREE): 0 not tried yet, 1 worked once, -1 off. A call that has worked fails
 * later only on a range (mlock()ed pages refuse both advices): that batch falls back and the next one
 * tries again. One that never worked is a kernel or sandbox refusing it, and stays off. */
static int8_t pm_state[2];
static HKM_COLD_BSS struct iovec iov[IOV_BATCH]; /* used under batch_lock only */

#define MAX_DECAY 5 /* the whale ring, BigCache, the region cache, the site cache and the site learner */
static int (*decay_fn[MAX_DECAY])(uint64_t now_ns);
static unsigned n_decay;
static _Atomic int decay_armed;
static _Atomic int decay_fed; /* something was put in a cache since the helper's last look */

static uint64_t now_ns(void) { return hkm_clock_ns(CLOCK_MONOTONIC); }

static void futex_wait(_Atomic uint32_t *w, uint32_t val, uint64_t timeout_ns) {
  struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
  syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, timeout_ns ? &ts : NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *w) { syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static const char *const backend_names[] = {"sync", "thread", "uring"};

static void fall_back(int to, const char *why, int err) {
  atomic_store(&backend, to);
  atomic_fetch_add(&n_fallbacks, 1);
  if (hkm_cfg.verbose || hkm_cfg.mode == HKM_MODE_RESEARCH)
    hkm_warn("reclaim: %s (%s); releasing with the %s backend", why, strerrorname_np(err) ? strerrorname_np(err) : "?", backend_names[to]);
}

static int advice(void) { return hkm_cfg.reclaim_free ? MADV_FREE : MADV_DONTNEED; }

/* A span whose pages are gone goes back to the region cache (through hkm_reclaim_take_dropped).
 * ok: the drop succeeded. Its pages read as zero only after a successful MADV_DONTNEED: MADV_FREE
 * leaves the old data until the kernel needs the memory, and madvise fails on locked pages. */
static void publish_dropped(struct hkm_span *s, int ok) {
  s->zeroed = (uint8_t)(ok && !hkm_cfg.reclaim_free);
  struct hkm_span *old = atomic_load_explicit(&dropped, memory_order_relaxed);
  do
    s->next = old;
  while (!atomic_compare_exchange_weak_explicit(&dropped, &old, s, memory_order_release, memory_order_relaxed));
}

/* Release one span right here. */
static void release_now(struct hkm_span *s) {
  if (s->release == HKM_RELEASE_UNMAP) {
    hkm_os_unmap((void *)s->base, s->bytes);
    hkm_meta_span_free(s);
    return;
  }
  publish_dropped(s, hkm_os_madvise((void *)s->base, s->bytes, advice()) == 0);
}

/* Spans of a batch to unmap, sorted by address, so that neighbours go in one munmap: one mmap_lock
 * round and one TLB flush for a run of ranges instead of one each (whale_evict nocache, touching one
 * page in 256: 1,208-1,380 munmaps instead of 5,018, the run 0.164 -> 0.095 s). Used under batch_lock. */
static struct hkm_span *doomed;

static struct hkm_span *sort_by_base(struct hkm_span *l) {
  if (!l || !l->next) return l;
  struct hkm_span *half[2] = {NULL, NULL};
  for (unsigned i = 0; l; i ^= 1) {
    struct hkm_span *next = l->next;
    l->next = half[i];
    half[i] = l;
    l = next;
  }
  struct hkm_span *a = sort_by_base(half[0]), *b = sort_by_base(half[1]), *head = NULL, **tail = &head;
  while (a && b) {
    struct hkm_span **min = a->base < b->base ? &a : &b;
    *tail = *min;
    tail = &(*min)->next;
    *min = (*min)->next;
  }
  *tail = a ? a : b;
  return head;
}

static void unmap_doomed(void) {
  struct hkm_span *s = sort_by_base(doomed);
  doomed = NULL;
  while (s) {
    uintptr_t base = s->base, end = s->base;
    while (s && s->base == end) {
      struct hkm_span *next = s->next;
      end += s->bytes;
      hkm_meta_span_free(s);
      s = next;
    }
    hkm_os_unmap((void *)base, end - base);
  }
}

/* The helper drops the pages of a range it will unmap before unmapping it. munmap zaps the pages
 * while holding mmap_lock, and every mmap of the application waits for it there (whale_evict,
 * HAKMEM_RECLAIM=uring: 1.5k mmaps at 64 us each instead of 1.6 us); MADV_DONTNEED zaps under the
 * range's own VMA lock, and the munmap that follows has nothing left to free. Always DONTNEED: after
 * MADV_FREE the munmap would still zap. */
static int drop_advice(const struct hkm_span *s) { return s->release == HKM_RELEASE_UNMAP ? MADV_DONTNEED : advice(); }

/* Pages dropped: unmap (with its neighbours, at the end of the batch), or hand the range back to the
 * region cache. */
static void finish_dropped(struct hkm_span *s) {
  if (s->release == HKM_RELEASE_UNMAP) {
    s->next = doomed;
    doomed = s;
  } else {
    publish_dropped(s, 1);
  }
}

/* Drop up to IOV_BATCH spans, all of one kind, with one process_madvise(2): measured here at 0.51x
 * the time of one madvise per range for 16 KiB ranges, 0.73x for 64 KiB, even for 2 MiB
 * (perf/bench/RESULTS.md). Without the call (or the advice) each span is released the plain way. */
static void drop_batch(struct hkm_span *list) {
  if (self_pidfd == -1) {
    self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    if (self_pidfd < 0) self_pidfd = -2;
  }
  while (list) {
    struct hkm_span *chunk = list, *s = list;
    size_t n = 0, want = 0;
    for (; s && n < IOV_BATCH; s = s->next, n++) {
      iov[n].iov_base = (void *)s->base;
      iov[n].iov_len = s->bytes;
      want += s->bytes;
    }
    list = s;
    int adv = drop_advice(chunk);
    int8_t *state = &pm_state[adv == MADV_FREE];
    long got = self_pidfd < 0 || *state < 0 ? -1 : hkm_os_process_madvise(self_pidfd, iov, n, adv);
    if (got < 0 || (size_t)got != want) { /* partly done at most: madvise is idempotent, redo all */
      if (*state == 0) *state = -1;
      for (s = chunk; s != list;) {
        struct hkm_span *next = s->next;
        if (s->release == HKM_RELEASE_UNMAP) /* munmap zaps what is left */
          finish_dropped(s);
        else
          release_now(s);
        s = next;
      }
      continue;
    }
    *state = 1;
    for (s = chunk; s != list;) {
      struct hkm_span *next = s->next;
      finish_dropped(s);
      s = next;
    }
  }
}

#if HKM_HAVE_URING
/* Drop the pages of every span of the list with one submission. */
static void run_uring(struct hkm_span *list) {
  while (list) {
    unsigned n = 0;
    struct io_uring_sqe *sqe;
    while (list && (sqe = io_uring_get_sqe(&ring)) != NULL) {
      struct hkm_span *s = list;
      list = s->next;
      io_uring_prep_madvise(sqe, (void *)s->base, (off_t)s->bytes, drop_advice(s));
      io_uring_sqe_set_data(sqe, s);
      n++;
    }
    hkm_uring_submit_and_wait(&ring, n);
    for (unsigned done = 0; done < n; done++) {
      struct io_uring_cqe *cqe;
      if (hkm_uring_wait_cqe(&ring, &cqe) != 0) break;
      struct hkm_span *s = io_uring_cqe_get_data(cqe);
      int res = cqe->res;
      io_uring_cqe_seen(&ring, cqe);
      if (res < 0) /* an old kernel without the opcode, or a locked range: the plain way */
        release_now(s);
      else
        finish_dropped(s);
    }
  }
}
#endif

/* Take the whole queue and release it, oldest first. */
static void run_batch(void) {
  pthread_mutex_lock(&batch_lock);
  struct hkm_span *list = atomic_exchange_explicit(&queue, NULL, memory_order_acquire);
  if (!list) {
    pthread_mutex_unlock(&batch_lock);
    return;
  }
  HKM_TIME_START(t);
  struct hkm_span *fifo = NULL;
  uint32_t n = 0;
  size_t bytes = 0;
  while (list) {
    struct hkm_span *next = list->next;
    list->next = fifo;
    fifo = list;
    list = next;
    n++;
  }
  for (struct hkm_span *s = fifo; s; s = s->next) bytes += s->bytes;
  atomic_fetch_sub(&queued_bytes, bytes);
  if (atomic_fetch_sub(&queued, n) == n) atomic_store(&oldest_ns, 0);
  struct hkm_span *drops = NULL, *unmaps = NULL, **dtail = &drops, **utail = &unmaps;
  uint32_t ndrops = 0;
  for (struct hkm_span *s = fifo; s; s = s->next) {
    ndrops += s->release != HKM_RELEASE_UNMAP;
    struct hkm_span ***tail = s->release == HKM_RELEASE_UNMAP ? &utail : &dtail;
    **tail = s;
    *tail = &s->next;
  }
  *dtail = *utail = NULL;
  /* Ranges to unmap lose their pages through process_madvise whatever the backend: IORING_OP_MADVISE
   * is always handed to an io-wq worker and costs 2-3x a plain madvise here, process_madvise 0.24-0.94x
   * (perf/bench/release_paths; RESULTS.md "Dropping pages"); io_uring has no munmap to save anything
   * on that side. The region cache's drops go through the ring, as HAKMEM_RECLAIM=uring asks, but for
 * a flood (below). */
  drop_batch(unmaps);
#if HKM_HAVE_URING
  /* More drops than the ring holds is a flood (a program freeing spans faster than they go): one
   * process_madvise per 256 of them then, where the ring hands each to a kernel worker. wl_churn
   * under HAKMEM_MODE=minimal: 13 s through the ring, 4.5 s so (the thread backend's figure). */
  if (ring_ready && ndrops <= RING_DEPTH)
    run_uring(drops);
  else
#endif
    drop_batch(drops);
  unmap_doomed();
  hkm_pagemap_trim(0); /* the page map's entries for what was unmapped went at submit */
  atomic_fetch_add(&n_batches, 1);
  atomic_fetch_add(&n_ranges, n);
  atomic_fetch_add(&n_bytes, bytes);
  HKM_TIME_END(RECLAIM_COMPLETE, t);
  pthread_mutex_unlock(&batch_lock);
}

static int run_decays(uint64_t now) {
  int left = 0;
  for (unsigned i = 0; i < n_decay; i++) left |= decay_fn[i](now);
  return left;
}

static void *helper_main(void *arg) {
  (void)arg;
  on_helper = 1;
#if HKM_HAVE_URING
  if (atomic_load(&backend) == HKM_RECLAIM_URING) {
    const char *why = NULL;
    hkm_prof_mute(1); /* what loading liburing allocates is hakmem's own, not the program's */
    int r = hkm_uring_queue_init(RING_DEPTH, &ring, &why);
    hkm_prof_mute(0);
    if (r < 0)
      fall_back(HKM_RECLAIM_THREAD, why, -r);
    else
      ring_ready = 1;
  }
#endif
  atomic_store(&helper_state, HELPER_RUNNING);
  uint64_t delay = hkm_reclaim_delay_ns();
  if (delay < 1000000u) delay = 1000000u;
  for (;;) {
    uint32_t w = atomic_load(&wake_word);
    uint32_t n = atomic_load(&queued);
    uint64_t now = now_ns();
    /* Armed decay: look at the caches every delay while they hold anything. The flag is cleared
     * only when they are empty and nothing was put in them since the last look: after each clear
     * the next free must wake the helper, and clearing whenever the caches were empty at the look
     * (whale_evict's ring is empty but between a free and the next malloc) cost a futex wake at
     * nearly every free, tens of us each here. */
    if (atomic_load(&decay_armed)) {
      int fed = atomic_exchange(&decay_fed, 0);
      if (!run_decays(now) && !fed) {
        atomic_store(&decay_armed, 0);
        /* A cache filled after the look above saw the flag still set and did not wake us. */
        if (run_decays(now)) atomic_store(&decay_armed, 1);
      }
    }
    if (n == 0) {
      futex_wait(&wake_word, w, atomic_load(&decay_armed) ? delay : 0);
      continue;
    }
    uint64_t since = atomic_load(&oldest_ns);
    if (n < hkm_cfg.reclaim_batch && atomic_load(&queued_bytes) < BATCH_BYTES && since && now - since < delay) {
      futex_wait(&wake_word, w, delay - (now - since));
      continue;
    }
    run_batch();
  }
  return NULL;
}

/* The helper thread, started on first use; 0 when releases must be done synchronously. */
static int helper_ready(void) {
  int st = atomic_load_explicit(&helper_state, memory_order_acquire);
  if (hkm_likely(st == HELPER_RUNNING || st == HELPER_STARTING)) return 1;
  if (st == HELPER_FAILED) return 0;
  int expected = HELPER_NONE;
  if (!atomic_compare_exchange_strong(&helper_state, &expected, HELPER_STARTING)) return 1;
  int r = hkm_helper_start(helper_main);
  if (r != 0) {
    atomic_store(&helper_state, HELPER_FAILED);
    fall_back(HKM_RECLAIM_SYNC, "cannot start the helper thread", r);
    return 0;
  }
  return 1;
}

/* The backend in force: the configured one until a fallback changes it. */
static int current_backend(void) {
  int b = atomic_load_explicit(&backend, memory_order_relaxed);
  if (hkm_likely(b >= 0)) return b;
  int expected = -1;
  atomic_compare_exchange_strong(&backend, &expected, hkm_cfg.reclaim);
  return atomic_load(&backend);
}

void hkm_reclaim_submit(struct hkm_span *s, int release) {
  HKM_TIME_START(t);
  s->release = (uint8_t)release;
  if (release == HKM_RELEASE_UNMAP) hkm_pagemap_forget(s);
  if (current_backend() == HKM_RECLAIM_SYNC || !helper_ready() ||
      (atomic_load_explicit(&queued, memory_order_relaxed) >= QUEUE_MAX && !on_helper)) {
    size_t bytes = s->bytes; /* an unmapped span's descriptor is recycled by release_now */
    release_now(s);
    if (release == HKM_RELEASE_UNMAP) hkm_pagemap_trim(0);
    atomic_fetch_add(&n_ranges, 1);
    atomic_fetch_add(&n_bytes, bytes);
    atomic_fetch_add(&n_batches, 1);
    HKM_TIME_END(RECLAIM_SUBMIT, t);
    return;
  }
  size_t bytes = s->bytes; /* the helper may recycle the descriptor once it is queued */
  size_t had = atomic_fetch_add(&queued_bytes, bytes);
  struct hkm_span *old = atomic_load_explicit(&queue, memory_order_relaxed);
  do
    s->next = old;
  while (!atomic_compare_exchange_weak_explicit(&queue, &old, s, memory_order_release, memory_order_relaxed));
  uint32_t n = atomic_fetch_add(&queued, 1) + 1;
  if (n == 1) atomic_store(&oldest_ns, now_ns());
  /* The first range starts the helper's delay clock; a full batch goes at once. */
  if (n == 1 || n == hkm_cfg.reclaim_batch || (had < BATCH_BYTES && had + bytes >= BATCH_BYTES)) {
    atomic_fetch_add(&wake_word, 1);
    futex_wake(&wake_word);
  }
  HKM_TIME_END(RECLAIM_SUBMIT, t);
}

void hkm_reclaim_add_decay(int (*fn)(uint64_t now_ns)) {
  if (n_decay < MAX_DECAY) decay_fn[n_decay++] = fn;
}

uint64_t hkm_reclaim_now_ns(void) { return now_ns(); }

uint64_t hkm_reclaim_delay_ns(void) { return (uint64_t)hkm_cfg.reclaim_delay_ms * 1000000u; }

/* The keep delay (reclaim.h). A fixed 10 ms served while a page fault cost ~2 us; where one costs 11
 * (the host's faults drift between days), four threads resizing buffers of 2-8 MiB touched each for
 * longer than that between a free and the next request of its size, the ring let every mapping go
 * before it was asked for again, and the program faulted its pages back in: wl_resize 12.5 s against
 * glibc's 5.1 (1.45 M page faults against 0.54 M); kept 50 ms, 3.0 s (perf/bench/RESULTS.md,
 * "Twenty-fourth session (lead): a keep delay that follows the program"). At a miss it grows to a
 * quarter more than the time the memory lay freed (at least doubling), so one miss is enough; each
 * release nobody missed takes an eighth off, so it comes back down once the program stops asking. */
static _Atomic uint64_t keep_ns; /* 0: not adapted yet, the floor */

static uint64_t keep_max(void) {
  uint64_t floor = hkm_reclaim_delay_ns();
  return floor > HKM_KEEP_MAX_NS ? floor : HKM_KEEP_MAX_NS;
}

uint64_t hkm_reclaim_keep_ns(void) {
  uint64_t k = atomic_load_explicit(&keep_ns, memory_order_relaxed);
  return k ? k : hkm_reclaim_delay_ns();
}

/* Racy read-modify-writes, on purpose: two threads that adapt at once lose one step, never a bound. */
void hkm_reclaim_keep_missed(uint64_t idle_ns) {
  uint64_t k = hkm_reclaim_keep_ns() * 2, most = keep_max();
  if (k < idle_ns + idle_ns / 4) k = idle_ns + idle_ns / 4;
  atomic_store_explicit(&keep_ns, k < most ? k : most, memory_order_relaxed);
}

void hkm_reclaim_keep_idle(void) {
  uint64_t k = hkm_reclaim_keep_ns(), floor = hkm_reclaim_delay_ns();
  k -= k / 8;
  atomic_store_explicit(&keep_ns, k > floor ? k : floor, memory_order_relaxed);
}

int hkm_reclaim_can_decay(void) { return current_backend() != HKM_RECLAIM_SYNC && helper_ready(); }

/* Called after the cache holds its new entry (under its lock, released since): a helper that found
 * the caches empty has cleared the flag before its last look, so either that look saw the entry or
 * this sees the flag clear and wakes it. */
void hkm_reclaim_arm_decay(void) {
  if (atomic_load_explicit(&decay_armed, memory_order_relaxed)) {
    if (!atomic_load_explicit(&decay_fed, memory_order_relaxed)) atomic_store_explicit(&decay_fed, 1, memory_order_relaxed);
    return;
  }
  if (!hkm_reclaim_can_decay()) return;
  if (!atomic_exchange(&decay_armed, 1)) {
    atomic_fetch_add(&wake_word, 1);
    futex_wake(&wake_word);
  }
}

struct hkm_span *hkm_reclaim_take_dropped(void) {
  if (!atomic_load_explicit(&dropped, memory_order_relaxed)) return NULL;
  return atomic_exchange_explicit(&dropped, NULL, memory_order_acquire);
}

void hkm_reclaim_drain(void) { run_batch(); }

void hkm_reclaim_stats(struct hkm_reclaim_stats *out) {
  int b = atomic_load(&backend);
  out->backend = backend_names[b < 0 ? hkm_cfg.reclaim : b];
  out->batches = atomic_load(&n_batches);
  out->ranges = atomic_load(&n_ranges);
  out->bytes = atomic_load(&n_bytes);
  out->fallbacks = atomic_load(&n_fallbacks);
  out->queued = atomic_load(&queued);
}

/* fork waits for a running batch, so no range is half released in the child. */
void hkm_reclaim_fork_prepare(void) { pthread_mutex_lock(&batch_lock); }
void hkm_reclaim_fork_parent(void) { pthread_mutex_unlock(&batch_lock); }
void hkm_reclaim_fork_child(void) {
  pthread_mutex_init(&batch_lock, NULL);
  /* The parent's helper and ring are not ours: start our own when needed. The queue's ranges are our
   * copies and are released by that helper or at exit. */
#if HKM_HAVE_URING
  if (ring_ready) close(ring.ring_fd);
  ring_ready = 0;
#endif
  if (self_pidfd >= 0) close(self_pidfd);
  self_pidfd = -1;
  if (atomic_load(&backend) >= 0) atomic_store(&backend, hkm_cfg.reclaim);
  atomic_store(&helper_state, HELPER_NONE);
  /* Armed means a helper will look: the next free here arms it again and starts ours. */
  atomic_store(&decay_armed, 0);
}

/* Nothing queued is lost at exit: what the helper has not done yet is done here. */
__attribute__((destructor)) static void reclaim_at_exit(void) { hkm_reclaim_drain(); }
