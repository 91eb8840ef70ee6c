/* The system-call floor: mapping, unmapping and dropping pages, each timed and counted. */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "os.h"
#include "prof.h"

static _Atomic size_t os_mapped, os_mmaps, os_mremaps, os_munmaps, os_madvises, os_refused, os_reliefs;
static int (*relief)(void);

void *hkm_os_map(size_t bytes) {
  HKM_TIME_START(t);
  int saved = errno; /* a failed mmap must not leak its errno into a successful malloc */
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  HKM_TIME_END(SYSCALL_MMAP, t);
  atomic_fetch_add_explicit(&os_mmaps, 1, memory_order_relaxed);
  if (p == MAP_FAILED) {
    atomic_fetch_add_explicit(&os_refused, 1, memory_order_relaxed);
    errno = saved;
    return NULL;
  }
  atomic_fetch_add_explicit(&os_mapped, bytes, memory_order_relaxed);
  return p;
}

void hkm_os_unmap(void *p, size_t bytes) {
  if (!bytes) return;
  HKM_TIME_START(t);
  int saved = errno;
  munmap(p, bytes);
  errno = saved;
  HKM_TIME_END(SYSCALL_MUNMAP, t);
  atomic_fetch_add_explicit(&os_munmaps, 1, memory_order_relaxed);
  atomic_fetch_sub_explicit(&os_mapped, bytes, memory_order_relaxed);
}

int hkm_os_move(void *from, size_t bytes, void *to, size_t to_bytes) {
  HKM_TIME_START(t);
  int saved = errno;
  void *p = mremap(from, bytes, to_bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to);
  errno = saved;
  HKM_TIME_END(SYSCALL_MREMAP, t);
  atomic_fetch_add_explicit(&os_mremaps, 1, memory_order_relaxed);
  if (p == MAP_FAILED) return -1;
  atomic_fetch_sub_explicit(&os_mapped, bytes, memory_order_relaxed); /* [from, +bytes) is gone */
  return 0;
}

void *hkm_os_map_aligned(size_t bytes, size_t align) {
  if (align <= HKM_PAGE) return hkm_os_map(bytes);
  if (bytes + align < bytes) return NULL;
  /* Everything hakmem maps is a multiple of the granule and the kernel places mappings next to each
   * other, so a plain mapping is nearly always aligned already: one mmap instead of mmap + two munmaps
   * (each munmap takes mmap_lock for writing, and waits there while the reclaim helper zaps pages). */
  char *raw = hkm_os_map(bytes);
  if (!raw || ((uintptr_t)raw & (align - 1)) == 0) return raw;
  hkm_os_unmap(raw, bytes);
  /* Over-map by the alignment and cut both ends: two cheap munmaps of untouched pages. */
  raw = hkm_os_map(bytes + align);
  if (!raw) return NULL;
  uintptr_t start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
  size_t head = start - (uintptr_t)raw;
  hkm_os_unmap(raw, head);
  hkm_os_unmap((char *)start + bytes, align - head);
  return (void *)start;
}

int hkm_os_madvise(void *p, size_t bytes, int advice) {
  HKM_TIME_START(t);
  int saved = errno;
  int r = madvise(p, bytes, advice) == 0 ? 0 : -errno;
  errno = saved;
  HKM_TIME_END(SYSCALL_MADVISE, t);
  atomic_fetch_add_explicit(&os_madvises, 1, memory_order_relaxed);
  return r;
}

long hkm_os_process_madvise(int pidfd, const struct iovec *iov, size_t n, int advice) {
  HKM_TIME_START(t);
  long r = syscall(SYS_process_madvise, pidfd, iov, n, advice, 0u);
  HKM_TIME_END(SYSCALL_MADVISE, t);
  atomic_fetch_add_explicit(&os_madvises, 1, memory_order_relaxed);
  return r;
}

/* The raw call, as text_trim.c's: no libc wrapper page of its own to map. */
int hkm_os_mincore(void *p, size_t bytes, unsigned char *vec) {
  HKM_TIME_START(t);
  int saved = errno;
  int r = syscall(SYS_mincore, p, bytes, vec) == 0 ? 0 : -errno;
  errno = saved;
  HKM_TIME_END(SYSCALL_MINCORE, t);
  return r;
}

void hkm_os_dontneed(void *p, size_t bytes) { hkm_os_madvise(p, bytes, MADV_DONTNEED); }

void hkm_os_set_relief(int (*fn)(void)) { relief = fn; }

int hkm_os_relieve(void) {
  if (!relief) return 0;
  atomic_fetch_add_explicit(&os_reliefs, 1, memory_order_relaxed);
  return relief();
}

void hkm_os_stats(struct hkm_os_stats *out) {
  out->mapped = atomic_load_explicit(&os_mapped, memory_order_relaxed);
  out->mmaps = atomic_load_explicit(&os_mmaps, memory_order_relaxed);
  out->mremaps = atomic_load_explicit(&os_mremaps, memory_order_relaxed);
  out->munmaps = atomic_load_explicit(&os_munmaps, memory_order_relaxed);
  out->madvises = atomic_load_explicit(&os_madvises, memory_order_relaxed);
  out->refused = atomic_load_explicit(&os_refused, memory_order_relaxed);
  out->reliefs = atomic_load_explicit(&os_reliefs, memory_order_relaxed);
}
