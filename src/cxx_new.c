/* C++'s operator new and delete, under their Itanium-ABI names, as jemalloc, mimalloc and tcmalloc
 * define them. Without them a C++ program's `new` went through libstdc++'s operator new, its PLT
 * entry and then malloc's: two calls, and every `new` in the program had one call site, libstdc++'s
 * (perf/bench/RESULTS.md, "Twentieth session (lead): C++'s new and delete"). Here each inlines the
 * same fast path malloc and free do, and a site is the caller of `new`.
 *
 * What only the C++ runtime can do - call the new-handler and retry, throw std::bad_alloc - is left to
 * it: when hakmem has no memory for a request, the operator hands the request to the next definition
 * of the same name (libstdc++'s), which retries through hakmem's malloc or aligned_alloc, runs the
 * handler and throws. A program gets what the standard says, and hakmem throws nothing itself. */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>

#include "alloc.h"
#include "compiler.h"
#include "warn.h"

_Static_assert(sizeof(size_t) == sizeof(unsigned long), "the names below spell size_t as 'm' (unsigned long)");

/* The next definition of the operator called name (libstdc++'s), or, with none loaded, a one-line
 * report and abort: there is no runtime to throw std::bad_alloc with. Only a failed request gets here. */
HKM_COLD static void *next_operator(const char *name, size_t n) {
  void *f = dlsym(RTLD_NEXT, name);
  if (f) return f;
  hkm_fatal("%s: no memory for %zu bytes and no C++ runtime to throw std::bad_alloc", name, n);
  abort();
}

/* The nothrow forms fail with NULL when there is no runtime to ask. */
HKM_COLD static void *next_nothrow(const char *name) { return dlsym(RTLD_NEXT, name); }

typedef void *(*new_fn)(size_t);
typedef void *(*new_nothrow_fn)(size_t, const void *);
typedef void *(*new_aligned_fn)(size_t, size_t);
typedef void *(*new_aligned_nothrow_fn)(size_t, size_t, const void *);

/* A failed new(n) or new[](n) goes on as libstdc++'s new(n), which both of its own call: retry, the
 * new-handler, std::bad_alloc. The nothrow forms go on as its nothrow new, which calls new(n) and
 * catches. */
HKM_COLD static void *retry(size_t n) { return ((new_fn)next_operator("_Znwm", n))(n); }

static const char nothrow_tag; /* std::nothrow_t is empty: libstdc++ reads nothing through it */

HKM_COLD static void *retry_nothrow(size_t n) {
  new_nothrow_fn f = (new_nothrow_fn)next_nothrow("_ZnwmRKSt9nothrow_t");
  return f ? f(n, &nothrow_tag) : NULL;
}

/* hkm_alloc's three slow exits (alloc.h), each followed by the retry above when it fails; not inlined,
 * so that the operators tail-call them as malloc does its own. */
#define HKM_NEW_EXITS(suffix, again)                                                              \
  HKM_NOINLINE static void *new_big##suffix(size_t n, const void *site) {                          \
    void *p = hkm_alloc_big_entry(n, site);                                                      \
    return hkm_likely(p != 0) ? p : again(n);                                                    \
  }                                                                                               \
  HKM_NOINLINE static void *new_empty##suffix(size_t n, const void *site, struct hkm_cache *k,     \
                                              size_t off) {                                       \
    void *p = hkm_alloc_empty_entry(n, site, k, off);                                            \
    return hkm_likely(p != 0) ? p : again(n);                                                    \
  }                                                                                               \
  HKM_NOINLINE static void *new_sampled##suffix(size_t n, unsigned c, const void *site) {          \
    void *p = hkm_alloc_sampled(n, c, site);                                                     \
    return hkm_likely(p != 0) ? p : again(n);                                                    \
  }
HKM_NEW_EXITS(, retry)
HKM_NEW_EXITS(_nothrow, retry_nothrow)

HKM_API void *_Znwm(size_t n) { return hkm_alloc_via(n, HKM_SITE_CALLER, new_big, new_empty, new_sampled); }
HKM_API void *_ZnwmRKSt9nothrow_t(size_t n, const void *tag) {
  (void)tag;
  return hkm_alloc_via(n, HKM_SITE_CALLER, new_big_nothrow, new_empty_nothrow, new_sampled_nothrow);
}
/* The array forms are the same code. */
HKM_API void *_Znam(size_t n) __attribute__((alias("_Znwm")));
HKM_API void *_ZnamRKSt9nothrow_t(size_t n, const void *tag) __attribute__((alias("_ZnwmRKSt9nothrow_t")));

/* The aligned forms (C++17; std::align_val_t is a size_t) go on as libstdc++'s aligned new, the
 * nothrow ones as its aligned nothrow new. */
HKM_COLD static void *retry_aligned(size_t n, size_t align) {
  return ((new_aligned_fn)next_operator("_ZnwmSt11align_val_t", n))(n, align);
}

HKM_COLD static void *retry_aligned_nothrow(size_t n, size_t align, const void *tag) {
  new_aligned_nothrow_fn f = (new_aligned_nothrow_fn)next_nothrow("_ZnwmSt11align_val_tRKSt9nothrow_t");
  return f ? f(n, align, tag) : NULL;
}

/* An alignment that is not a power of two (undefined in C++) is a request hakmem does not meet:
 * libstdc++'s operator says what happens (it throws std::bad_alloc). */
#define HKM_NEW_ALIGNED_TRY(n, align)                                                                  \
  (hkm_is_pow2(align) ? hkm_alloc_aligned((align), (n), __builtin_return_address(0)) : NULL)

HKM_API void *_ZnwmSt11align_val_t(size_t n, size_t align) {
  void *p = HKM_NEW_ALIGNED_TRY(n, align);
  return hkm_likely(p != 0) ? p : retry_aligned(n, align);
}
HKM_API void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t align, const void *tag) {
  void *p = HKM_NEW_ALIGNED_TRY(n, align);
  return hkm_likely(p != 0) ? p : retry_aligned_nothrow(n, align, tag);
}
HKM_API void *_ZnamSt11align_val_t(size_t n, size_t align) __attribute__((alias("_ZnwmSt11align_val_t")));
HKM_API void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t align, const void *tag)
    __attribute__((alias("_ZnwmSt11align_val_tRKSt9nothrow_t")));

/* Every delete is free: a block's size and alignment are hakmem's to know, so the sized and aligned
 * forms' extra arguments are not needed, nor trusted. */
HKM_API void _ZdlPv(void *p) { hkm_free(p); }
HKM_API void _ZdaPv(void *p) __attribute__((alias("_ZdlPv")));
HKM_API void _ZdlPvm(void *p, size_t n) { (void)n, hkm_free(p); }
HKM_API void _ZdaPvm(void *p, size_t n) { (void)n, hkm_free(p); }
HKM_API void _ZdlPvRKSt9nothrow_t(void *p, const void *tag) { (void)tag, hkm_free(p); }
HKM_API void _ZdaPvRKSt9nothrow_t(void *p, const void *tag) { (void)tag, hkm_free(p); }
HKM_API void _ZdlPvSt11align_val_t(void *p, size_t align) { (void)align, hkm_free(p); }
HKM_API void _ZdaPvSt11align_val_t(void *p, size_t align) { (void)align, hkm_free(p); }
HKM_API void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t align) { (void)n, (void)align, hkm_free(p); }
HKM_API void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t align) { (void)n, (void)align, hkm_free(p); }
HKM_API void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *tag) { (void)align, (void)tag, hkm_free(p); }
HKM_API void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t align, const void *tag) { (void)align, (void)tag, hkm_free(p); }
