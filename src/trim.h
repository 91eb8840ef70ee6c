/* Giving memory back on request: malloc_trim, and the relief os.c runs when the kernel refuses a
 * mapping. */
#ifndef HKM_TRIM_H
#define HKM_TRIM_H

/* malloc_trim(0): the calling thread's empty slabs, BigCache, the whale ring, the release queue and
 * the region cache's pages; address space is kept for reuse. Returns 1 when anything went back. */
int hkm_trim(void);
/* Registers the relief with os.c (once, at init): everything hkm_trim gives back, then the address
 * space the region cache keeps, so that a refused mapping can be retried. */
void hkm_trim_init(void);

#endif
