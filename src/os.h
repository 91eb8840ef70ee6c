/* Every mmap/munmap/madvise hakmem makes goes through here, so the profiler sees each one and the
 * statistics know how much is mapped. */
#ifndef HKM_OS_H
#define HKM_OS_H

#include <stddef.h>
#include <stdint.h>

#define HKM_PAGE ((size_t)4096)
/* A transparent huge page (x86-64 PMD). */
#define HKM_HUGE_PAGE ((size_t)2 << 20)

/* Anonymous read-write mapping of bytes (a multiple of the page size), or NULL. */
void *hkm_os_map(size_t bytes);
/* Same, starting at a multiple of align (a power of two >= the page size). */
void *hkm_os_map_aligned(size_t bytes, size_t align);
void hkm_os_unmap(void *p, size_t bytes);
/* Move the mapping [from, from + bytes) to to, grown to to_bytes, in place of what is mapped there
 * (mremap(2) with MREMAP_FIXED: page tables move, no byte is copied, and the result is one mapping,
 * where moving into the start of a longer one left two that never merge); from's range is unmapped
 * after. 0, or -1 with nothing changed (a range over two mappings: EFAULT). */
int hkm_os_move(void *from, size_t bytes, void *to, size_t to_bytes);
/* Give the pages back to the kernel now; the range stays mapped and reads as zero afterwards. */
void hkm_os_dontneed(void *p, size_t bytes);
struct iovec;
/* Drop many ranges of this process with one process_madvise(2). Returns the bytes advised, or -1 with
 * errno (ENOSYS, EINVAL on kernels that do not take the advice) so the caller can fall back. */
long hkm_os_process_madvise(int pidfd, const struct iovec *iov, size_t n, int advice);
/* Any madvise advice (MADV_FREE for reclaim.c), timed as a madvise. Returns 0, or -errno (errno itself
 * is left as it was). */
int hkm_os_madvise(void *p, size_t bytes, int advice);
/* Which of the pages at p (bytes long, p page-aligned) are resident: vec gets a byte per page, bit 0
 * set for a resident one. Returns 0, or -errno. */
int hkm_os_mincore(void *p, size_t bytes, unsigned char *vec);

/* Relief, for a mapping the kernel refused (RLIMIT_AS, overcommit): the registered function gives back
 * what hakmem holds (the release queue finished, every cache emptied, kept address space unmapped). It
 * is registered from above (trim.c, at init) so that this floor calls up into no cache. hkm_os_relieve
 * runs it and returns its result, nonzero when the failed operation should be tried once more (0
 * before init has registered it). Call it holding no hakmem lock: it takes them all in turn. */
void hkm_os_set_relief(int (*fn)(void));
int hkm_os_relieve(void);

struct hkm_os_stats {
  size_t mapped;   /* bytes currently mapped by hakmem */
  size_t mmaps, mremaps, munmaps, madvises;
  size_t refused;  /* mmap calls the kernel refused */
  size_t reliefs;  /* hkm_os_relieve calls */
};
void hkm_os_stats(struct hkm_os_stats *out);

#endif
