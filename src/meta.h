/* hakmem's own metadata (span descriptors, heaps), served from mappings that are never given back so
 * that descriptors stay type-stable (see types.h). */
#ifndef HKM_META_H
#define HKM_META_H

#include <stddef.h>
#include "types.h"

/* A zeroed span descriptor, or NULL when out of memory. */
struct hkm_span *hkm_meta_span_new(void);
void hkm_meta_span_free(struct hkm_span *s);
/* Zeroed, cache-line aligned, permanent memory for internal structures (e.g. heaps). */
void *hkm_meta_alloc(size_t bytes);

void hkm_meta_fork_prepare(void);
void hkm_meta_fork_parent(void);
void hkm_meta_fork_child(void);

#endif
