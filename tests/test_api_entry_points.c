/* Every glibc entry point is hakmem's and keeps the contract of hakmem(3): malloc(0), ENOMEM for
 * impossible and overflowing sizes, EINVAL for bad alignments, realloc's NULL and 0 cases, the
 * __libc_* aliases, the statistics calls and the native hak_* API. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "api_check.h"
#include "hakmem.h"

void *__libc_malloc(size_t);
void __libc_free(void *);
void *__libc_calloc(size_t, size_t);
void *__libc_realloc(void *, size_t);
void *__libc_memalign(size_t, size_t);
void *__libc_valloc(size_t);
void *__libc_pvalloc(size_t);

/* Sizes the compiler cannot see, so that it neither warns nor folds the calls away. */
static volatile size_t vmax = SIZE_MAX, vhalf = SIZE_MAX / 2, vtoo_big = ((size_t)1 << 46) + 1, v2_30 = (size_t)1 << 30,
                       v2_33 = (size_t)1 << 33, v2_40 = (size_t)1 << 40, vzero = 0;

static const char *const names[] = {
    "malloc",        "free",           "calloc",         "realloc",        "reallocarray",  "posix_memalign",
    "aligned_alloc", "memalign",       "valloc",         "pvalloc",        "malloc_usable_size",
    "malloc_trim",   "malloc_stats",   "mallopt",        "mallinfo2",      "__libc_malloc", "__libc_free",
    "__libc_calloc", "__libc_realloc", "__libc_memalign", "__libc_valloc", "__libc_pvalloc",
    "hak_alloc_at",  "hak_free_at"};

/* The first definition the dynamic linker finds must be libhakmem's, as with LD_PRELOAD. */
static void exported_by_hakmem(void) {
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    void *f = dlsym(RTLD_DEFAULT, names[i]);
    Dl_info info;
    CHECK(f && dladdr(f, &info) && info.dli_fname, "%s not found", names[i]);
    CHECK(strstr(info.dli_fname, "libhakmem"), "%s resolves to %s", names[i], info.dli_fname);
  }
}

static void malloc_zero(void) {
  enum { N = 200 };
  void *p[N];
  for (int i = 0; i < N; i++) {
    p[i] = malloc(vzero);
    CHECK(p[i], "malloc(0) returned NULL");
    CHECK(malloc_usable_size(p[i]) >= 16, "malloc(0) block has %zu bytes, documented 16", malloc_usable_size(p[i]));
    memset(p[i], i, 16);
    for (int j = 0; j < i; j++) CHECK(p[i] != p[j], "malloc(0) returned %p twice", p[i]);
  }
  for (int i = 0; i < N; i++) {
    for (int k = 0; k < 16; k++) CHECK(((unsigned char *)p[i])[k] == (unsigned char)i, "malloc(0) blocks overlap");
    free(p[i]);
  }
  /* calloc and realloc(NULL) of nothing are malloc(0): unique and freeable too. */
  void *c0 = calloc(vzero, vzero), *c1 = calloc(vzero, 8), *r0 = realloc(NULL, vzero);
  CHECK(c0 && c1 && r0 && c0 != c1 && c1 != r0 && c0 != r0, "calloc/realloc of 0 bytes: %p %p %p", c0, c1, r0);
  free(c0);
  free(c1);
  free(r0);
  void *q = hak_alloc_at(0, (hak_callsite_t)malloc_zero);
  CHECK(q, "hak_alloc_at(0) returned NULL");
  hak_free_at(q, 0, NULL);
}

#define EXPECT_ENOMEM(call)                                         \
  do {                                                              \
    errno = 0;                                                      \
    void *r_ = (call);                                              \
    CHECK(r_ == NULL && errno == ENOMEM, "got %p, errno %d", r_, errno); \
  } while (0)

static void impossible_sizes(void) {
  size_t sizes[] = {vmax, vhalf, vtoo_big, vmax - 4095};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t n = sizes[i];
    EXPECT_ENOMEM(malloc(n));
    EXPECT_ENOMEM(__libc_malloc(n));
    EXPECT_ENOMEM(calloc(1, n));
    EXPECT_ENOMEM(calloc(n, 1));
    EXPECT_ENOMEM(__libc_calloc(n, 1));
    EXPECT_ENOMEM(realloc(NULL, n));
    EXPECT_ENOMEM(aligned_alloc(64, n));
    EXPECT_ENOMEM(memalign(4096, n));
    EXPECT_ENOMEM(__libc_memalign(4096, n));
    EXPECT_ENOMEM(valloc(n));
    EXPECT_ENOMEM(__libc_valloc(n));
    EXPECT_ENOMEM(pvalloc(n));
    EXPECT_ENOMEM(__libc_pvalloc(n));
    EXPECT_ENOMEM(hak_alloc_at(n, NULL));
    void *out = (void *)&out;
    CHECK(posix_memalign(&out, 64, n) == ENOMEM, "posix_memalign(%zu)", n);
    CHECK(out == (void *)&out, "posix_memalign wrote *memptr on failure");
  }
  /* Alignments no address space can honour. */
  EXPECT_ENOMEM(aligned_alloc(v2_40 << 10, 64));
  EXPECT_ENOMEM(memalign(v2_40 << 10, 64));
  EXPECT_ENOMEM(memalign(vmax, 64));
  void *out = NULL;
  CHECK(posix_memalign(&out, v2_40 << 10, 64) == ENOMEM && out == NULL, "posix_memalign(2^50)");
  /* Products that overflow size_t. */
  EXPECT_ENOMEM(calloc(vhalf, 3));
  EXPECT_ENOMEM(calloc(v2_33, v2_33));
  EXPECT_ENOMEM(reallocarray(NULL, vhalf, 3));
  EXPECT_ENOMEM(reallocarray(NULL, v2_40, v2_30));
  /* A failed realloc leaves the block alone. */
  char *p = malloc(100);
  api_fill(p, 100);
  EXPECT_ENOMEM(realloc(p, vmax));
  EXPECT_ENOMEM(__libc_realloc(p, vhalf));
  EXPECT_ENOMEM(reallocarray(p, vhalf, 5));
  CHECK(api_bad(p, 100) == 100, "failed realloc changed the block");
  free(p);
}

static void alignment_errors(void) {
  size_t bad[] = {0, 1, 2, 3, 4, 6, 12, 24, 48, 96, 100, 4097, (size_t)3 << 20};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    void *out = (void *)&out;
    errno = 12345;
    CHECK(posix_memalign(&out, bad[i], 64) == EINVAL, "posix_memalign(align %zu)", bad[i]);
    CHECK(out == (void *)&out, "posix_memalign(align %zu) wrote *memptr", bad[i]);
    CHECK(errno == 12345, "posix_memalign changed errno");
  }
  size_t notpow2[] = {3, 5, 24, 100, 4097};
  for (size_t i = 0; i < sizeof notpow2 / sizeof notpow2[0]; i++) {
    errno = 0;
    void *r = aligned_alloc(notpow2[i], 64);
    CHECK(r == NULL && errno == EINVAL, "aligned_alloc(%zu, 64) gave %p errno %d", notpow2[i], r, errno);
  }
  /* C17: the size need not be a multiple of the alignment. */
  size_t odd[] = {1, 3, 100, 1000, 4097, 40000, 1100001, 3000001};
  for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
    char *q = aligned_alloc(256, odd[i]);
    CHECK(q && (uintptr_t)q % 256 == 0, "aligned_alloc(256, %zu) = %p", odd[i], (void *)q);
    memset(q, 0x5a, odd[i]);
    free(q);
  }
  void *out;
  CHECK(posix_memalign(&out, sizeof(void *), 10) == 0 && out, "posix_memalign(sizeof(void *))");
  free(out);
  /* memalign rounds a non-power-of-two alignment up, as glibc does. */
  char *m = memalign(48, 100);
  CHECK(m && (uintptr_t)m % 64 == 0, "memalign(48) = %p", (void *)m);
  free(m);
}

static void realloc_edges(void) {
  for (size_t i = 0; i < API_NSIZES; i++) {
    size_t n = api_tier_sizes[i];
    char *p = realloc(NULL, n);
    CHECK(p && malloc_usable_size(p) >= n, "realloc(NULL, %zu)", n);
    api_fill(p, n);
    CHECK(api_bad(p, n) == n, "realloc(NULL, %zu) block", n);
    errno = 0;
    CHECK(realloc(p, 0) == NULL, "realloc(p, 0) must free and return NULL");
    p = reallocarray(NULL, n, 1);
    CHECK(p, "reallocarray(NULL, %zu, 1)", n);
    p = reallocarray(p, n / 8 + 1, 8);
    CHECK(p && malloc_usable_size(p) >= (n / 8 + 1) * 8, "reallocarray grow");
    __libc_free(p);
  }
}

/* Aliases and the plain names share one heap: a block from one is freed by the other. */
static void aliases(void) {
  void *a = __libc_malloc(40000);
  char *b = __libc_calloc(10, 100);
  void *c = __libc_memalign(4096, 5000);
  void *d = __libc_valloc(3);
  void *e = __libc_pvalloc(5000);
  CHECK(a && b && c && d && e, "__libc_* allocation failed");
  for (int i = 0; i < 1000; i++) CHECK(b[i] == 0, "__libc_calloc not zeroed");
  CHECK((uintptr_t)c % 4096 == 0 && (uintptr_t)d % 4096 == 0 && (uintptr_t)e % 4096 == 0, "alias alignment");
  CHECK(malloc_usable_size(e) >= 8192, "__libc_pvalloc(5000) must round to whole pages");
  a = __libc_realloc(a, 100000);
  CHECK(a, "__libc_realloc");
  free(a);
  free(b);
  __libc_free(c);
  free(d);
  __libc_free(e);
}

static void statistics(void) {
  CHECK(mallopt(M_MMAP_THRESHOLD, 1 << 20) == 1, "mallopt must accept and return 1");
  CHECK(mallopt(M_ARENA_MAX, 2) == 1, "mallopt must accept and return 1");
  char *w = malloc(8000000);
  memset(w, 1, 8000000);
  struct mallinfo2 mi = mallinfo2();
  CHECK(mi.arena >= 8000000, "mallinfo2().arena %zu with an 8 MB block live", mi.arena);
  free(w);
  malloc_trim(0);
  mi = mallinfo2();
  CHECK(mi.hblks == 0 && mi.hblkhd == 0, "malloc_trim(0) left %zu whale mappings cached", mi.hblks);
  /* malloc_stats writes to stderr: catch it in a pipe. */
  int fds[2], saved = dup(2);
  CHECK(pipe(fds) == 0 && saved >= 0, "pipe");
  dup2(fds[1], 2);
  malloc_stats();
  dup2(saved, 2);
  close(fds[1]);
  char buf[4096];
  ssize_t n = read(fds[0], buf, sizeof buf - 1);
  close(fds[0]);
  CHECK(n > 0, "malloc_stats printed nothing");
  buf[n] = 0;
  CHECK(strstr(buf, "hakmem") && strstr(buf, "mapped"), "malloc_stats printed: %s", buf);
  /* this thread allocated, so it has a heap: "1 thread heap", not "1 thread heaps" */
  unsigned heaps = 0;
  char word[16] = "";
  const char *h = strstr(buf, ", ");
  CHECK(h && sscanf(h, ", %u thread %15[a-z]", &heaps, word) == 2, "malloc_stats header: %s", buf);
  CHECK(heaps >= 1 && !strcmp(word, heaps == 1 ? "heap" : "heaps"), "malloc_stats says %u thread %s", heaps, word);
}

static void native_api(void) {
  for (size_t i = 0; i < API_NSIZES; i++) {
    size_t n = api_tier_sizes[i];
    char *p = hak_alloc_at(n, (hak_callsite_t)native_api);
    CHECK(p && malloc_usable_size(p) >= n, "hak_alloc_at(%zu)", n);
    api_fill(p, n);
    CHECK(api_bad(p, n) == n, "hak_alloc_at(%zu) block", n);
    hak_free_at(p, i % 2 ? n : 0, (hak_callsite_t)native_api);
    p = hak_alloc_at(n, HAK_CALLSITE());
    free(p); /* the two APIs share blocks */
  }
  hak_free_at(NULL, 0, NULL);
  free(NULL);
  CHECK(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL)");
  CHECK(hak_version() && *hak_version(), "hak_version");
}

int main(void) {
  exported_by_hakmem();
  malloc_zero();
  impossible_sizes();
  alignment_errors();
  realloc_edges();
  aliases();
  statistics();
  native_api();
  puts("entry points: ok");
  return 0;
}
