/* The monotonic clocks hakmem stamps its caches and queues with, read from the kernel's vDSO directly.
 * libc's clock_gettime is a wrapper around the same vDSO function, but it sits in a page of libc's text
 * that a program which never reads the clock does not otherwise run: calling it mapped up to 64 KiB of
 * libc (fault-around) into every process that put a span back in the region cache (perf/bench/
 * RESULTS.md, "The clock without libc's page"). */
#ifndef HKM_CLOCK_H
#define HKM_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds of clock id (CLOCK_MONOTONIC, CLOCK_MONOTONIC_COARSE, ...); libc's clock_gettime where
 * the vDSO has no clock_gettime (valgrind hides it). */
uint64_t hkm_clock_ns(clockid_t id);

#endif
