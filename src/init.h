/* Process-wide initialization, run lazily by the first allocation (or the library constructor). */
#ifndef HKM_INIT_H
#define HKM_INIT_H

/* Make sure hakmem is initialized. Safe to call from any thread and re-entrantly from init itself. */
void hkm_ensure_init(void);

#endif
