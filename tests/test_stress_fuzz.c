/* A seeded random sequence of every allocation entry point against a model of the live blocks. After
 * each call the model checks what the API promises (hakmem(3), RETURN VALUE and ERRORS): a new block
 * overlaps no live one (over its whole usable size), has the alignment asked for and at least the size;
 * calloc's reads as zero; realloc keeps the contents up to the smaller size, and a failed one leaves
 * the block untouched; impossible sizes and overflowing products fail with ENOMEM, bad alignments with
 * EINVAL (posix_memalign through its result, leaving errno alone); realloc(p, 0) frees p. Every block
 * carries a pattern checked at its free and, now and then, all at once.
 * HKM_STRESS_SCALE=N: N times the operations per seed; HKM_STRESS_SEED=S: seed S only (a failure
 * names its seed). */
#include <errno.h>
#include <malloc.h>
#include <unistd.h>

#include "stress.h"

/* The compiler is right that some of these calls are bound to fail: that is what they test. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Walloc-size-larger-than="

enum { MAXLIVE = 512, OPS = 6000, SEEDS = 4 };

struct blk {
  unsigned char *p;
  size_t n;     /* bytes patterned (the request, or the usable size once it was used whole) */
  size_t usable;
  uint64_t key;
};

static struct blk live[MAXLIVE]; /* sorted by address */
static unsigned nlive;
static uint64_t seed, keys;
static unsigned long op;
static size_t page;

/* CHECK, after naming the seed and operation that failed (cond has no side effects). */
#define FCHECK(cond, ...)                                                                  \
  do {                                                                                     \
    if (!(cond)) fprintf(stderr, "seed %llu, operation %lu: ", (unsigned long long)seed, op); \
    CHECK(cond, __VA_ARGS__);                                                              \
  } while (0)

static void fill(struct blk *b) { API_FOR_SPARSE(b->n, 0, i, b->p[i] = api_byte((uintptr_t)b->key, b->n, i)); }

static void check(const struct blk *b, size_t upto) {
  API_FOR_SPARSE(b->n, 0, i,
                 FCHECK(i >= upto || b->p[i] == api_byte((uintptr_t)b->key, b->n, i),
                        "block %p (%zu bytes): byte %zu overwritten", (void *)b->p, b->n, i));
}

/* First index whose block starts at or above p. */
static unsigned pos_of(const unsigned char *p) {
  unsigned lo = 0, hi = nlive;
  while (lo < hi) {
    unsigned mid = (lo + hi) / 2;
    if (live[mid].p < p) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/* A new block of n bytes asked with alignment align: checked, patterned and entered in the model. */
static void add(void *q, size_t n, size_t align, const char *what) {
  unsigned char *p = q;
  FCHECK(p, "%s(%zu) failed", what, n);
  FCHECK(((uintptr_t)p & (align - 1)) == 0, "%s: %p is not aligned to %zu", what, (void *)p, align);
  size_t usable = malloc_usable_size(p);
  FCHECK(usable >= n, "%s(%zu): usable size %zu", what, n, usable);
  unsigned i = pos_of(p);
  FCHECK(i == nlive || p + usable <= live[i].p, "%s: %p (%zu usable) overlaps the live block %p", what, (void *)p, usable,
         (void *)live[i].p);
  FCHECK(i == 0 || live[i - 1].p + live[i - 1].usable <= p, "%s: %p overlaps the live block %p (%zu usable)", what,
         (void *)p, (void *)live[i - 1].p, live[i - 1].usable);
  memmove(&live[i + 1], &live[i], (nlive - i) * sizeof *live);
  live[i] = (struct blk){p, n, usable, ++keys};
  nlive++;
  fill(&live[i]);
}

static struct blk take(unsigned i) {
  struct blk b = live[i];
  memmove(&live[i], &live[i + 1], (nlive - i - 1) * sizeof *live);
  nlive--;
  return b;
}

/* errno as it is in memory: GCC takes posix_memalign (a builtin) to write nothing but *memptr, and
 * would answer a plain read of errno after it from the value stored before. */
static int errno_now(void) { return *(volatile int *)&errno; }

static void expect_fail(void *p, int err, int want, const char *what) {
  FCHECK(p == NULL, "%s succeeded", what);
  FCHECK(err == want, "%s: errno %d, expected %d", what, err, want);
}

static size_t pow2_align(uint64_t r) { return (size_t)8 << (r % 20); } /* 8 B .. 4 MiB */

static void one_op(uint64_t *s) {
  uint64_t r = api_rand(s);
  unsigned what = (unsigned)(r % 100);
  r >>= 8;
  size_t n = api_random_size(s);
  void *q;
  unsigned i = nlive ? (unsigned)(api_rand(s) % nlive) : 0;
  if (nlive == MAXLIVE && what < 71) what = 71; /* full: free */
  if (what < 28) {
    add(malloc(n), n, 16, "malloc");
  } else if (what < 29) {
    errno = 0;
    q = malloc(r % 2 ? SIZE_MAX : ((size_t)1 << 46) + 1);
    expect_fail(q, errno_now(), ENOMEM, "malloc(impossible size)");
  } else if (what < 30) {
    add(malloc(0), 0, 16, "malloc(0)");
  } else if (what < 37) {
    size_t c = 1 + r % 8, m = c * (n / c);
    unsigned char *p = calloc(c, n / c);
    FCHECK(p, "calloc(%zu, %zu) failed", c, n / c);
    API_FOR_SPARSE(m, 0, k, FCHECK(p[k] == 0, "calloc(%zu, %zu): byte %zu is not zero", c, n / c, k));
    add(p, m, 16, "calloc");
  } else if (what < 38) {
    errno = 0;
    q = calloc(SIZE_MAX / 2, 3);
    expect_fail(q, errno_now(), ENOMEM, "calloc(overflowing product)");
  } else if (what < 46 && nlive) {
    struct blk b = live[i];
    unsigned char *p = realloc(b.p, n);
    FCHECK(p, "realloc(%p, %zu) failed", (void *)b.p, n);
    take(i);
    struct blk moved = {p, b.n, b.usable, b.key};
    check(&moved, n);
    add(p, n, 16, "realloc");
  } else if (what < 47 && nlive) {
    errno = 0;
    q = realloc(live[i].p, ((size_t)1 << 46) + 1);
    expect_fail(q, errno_now(), ENOMEM, "realloc(impossible size)");
    check(&live[i], SIZE_MAX);
  } else if (what < 48 && nlive) {
    errno = 0;
    q = reallocarray(live[i].p, SIZE_MAX / 4, 8);
    expect_fail(q, errno_now(), ENOMEM, "reallocarray(overflowing product)");
    check(&live[i], SIZE_MAX);
  } else if (what < 49 && nlive) {
    struct blk b = take(i);
    check(&b, SIZE_MAX);
    q = realloc(b.p, 0);
    FCHECK(q == NULL, "realloc(p, 0) returned a block");
  } else if (what < 50) {
    add(realloc(NULL, n), n, 16, "realloc(NULL)");
  } else if (what < 56) {
    size_t align = pow2_align(r);
    q = (void *)&q;
    errno = 4242;
    int rc = posix_memalign(&q, align, n);
    FCHECK(rc == 0 && errno_now() == 4242, "posix_memalign(%zu, %zu): %d, errno %d", align, n, rc, errno_now());
    add(q, n, align, "posix_memalign");
  } else if (what < 57) {
    size_t align = r % 2 ? 24 : 4; /* not a power of two; not a multiple of sizeof(void *) */
    q = (void *)&q;
    errno = 4242;
    int rc = posix_memalign(&q, align, n);
    FCHECK(rc == EINVAL && errno_now() == 4242 && q == (void *)&q, "posix_memalign(%zu): %d, errno %d", align, rc,
           errno_now());
  } else if (what < 60) {
    size_t align = pow2_align(r);
    add(aligned_alloc(align, n), n, align, "aligned_alloc");
  } else if (what < 61) {
    errno = 0;
    q = aligned_alloc(48, n);
    expect_fail(q, errno_now(), EINVAL, "aligned_alloc(48)");
  } else if (what < 63) {
    size_t align = 1 + r % 5000, p2 = 1;
    while (p2 < align) p2 *= 2;
    add(memalign(align, n), n, p2 < 16 ? 16 : p2, "memalign");
  } else if (what < 64) {
    add(valloc(n), n, page, "valloc");
  } else if (what < 65) {
    size_t want = n ? (n + page - 1) / page * page : page;
    add(pvalloc(n), want, page, "pvalloc");
  } else if (what < 71 && nlive) {
    struct blk *b = &live[i];
    check(b, SIZE_MAX);
    FCHECK(malloc_usable_size(b->p) == b->usable, "malloc_usable_size changed");
    b->n = b->usable; /* all of it may be used */
    b->key = ++keys;
    fill(b);
  } else if (what < 99 && nlive) {
    struct blk b = take(i);
    check(&b, SIZE_MAX);
    free(b.p);
  } else if (what == 99) {
    malloc_trim(0);
    for (unsigned k = 0; k < nlive; k++) check(&live[k], SIZE_MAX);
  }
}

static void run(uint64_t sd, unsigned long ops) {
  seed = sd;
  uint64_t s = 0x9E3779B97F4A7C15ull * (sd + 1);
  for (op = 0; op < ops; op++) one_op(&s);
  for (unsigned k = 0; k < nlive; k++) {
    check(&live[k], SIZE_MAX);
    free(live[k].p);
  }
  nlive = 0;
  printf("fuzz: seed %llu, %lu operations: ok\n", (unsigned long long)sd, ops);
}

int main(void) {
  page = (size_t)sysconf(_SC_PAGESIZE);
  unsigned long ops = (unsigned long)OPS * stress_scale();
  const char *one = getenv("HKM_STRESS_SEED");
  if (one)
    run(strtoull(one, NULL, 10), ops);
  else
    for (uint64_t sd = 1; sd <= SEEDS; sd++) run(sd, ops);
  return 0;
}
