/* hakmem's own background threads (the release helper, the induced-fault drainer). */
#ifndef HKM_HELPER_H
#define HKM_HELPER_H

/* Start fn on a detached thread with a 64 KiB stack that blocks every signal (the program's handlers
 * must only ever run on its own threads) and whose pthread_create the profiler does not count as the
 * program's allocations. Returns pthread_create's result: 0, or an errno value. */
int hkm_helper_start(void *(*fn)(void *));

#endif
