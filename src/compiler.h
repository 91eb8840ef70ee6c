/* Small compiler helpers shared by every hakmem source file. */
#ifndef HKM_COMPILER_H
#define HKM_COMPILER_H

#define hkm_likely(x) __builtin_expect(!!(x), 1)
#define hkm_unlikely(x) __builtin_expect(!!(x), 0)
#define HKM_NOINLINE __attribute__((noinline))
#define HKM_INLINE static inline __attribute__((always_inline))
#define HKM_COLD __attribute__((cold, noinline))
#define HKM_API __attribute__((visibility("default")))
#define HKM_TLS __thread __attribute__((tls_model("initial-exec")))
#define HKM_CACHELINE 64
/* A zero-initialized table that a program touches only when it profiles, learns, or uses the feature
 * the table serves (or sparsely, as the page map's top level). Such tables go after .bss (".lbss", the
 * large-data section x86-64 linkers place there) instead of between the small variables that every
 * process writes at init and on its first allocations: each page of .bss written is resident, and the
 * tables spread those few variables over 12 pages where 4 hold them (perf/bench/RESULTS.md, "The fixed
 * per-process footprint"). */
#define HKM_COLD_BSS __attribute__((section(".lbss")))

/* Tables every process reads, kept out of .rodata, whose 64 KiB window a first read maps in whole:
 * .data's page is resident anyway (options.c, hkm_cfg's initializer). */
#define HKM_DATA __attribute__((section(".data")))

/* 1 when building libhakmem-prof.so, whose fast paths count each call for the profiler themselves
 * (alloc_timed.h); 0 for libhakmem. */
#ifndef HKM_COUNTING
#define HKM_COUNTING 0
#endif

#endif
