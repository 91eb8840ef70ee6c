/* hakmem's one-line messages: "hakmem: ...\n", written without allocating.
 *
 * Warnings (a bad HAKMEM_* value, an unknown event name) go to standard error, or, while the
 * profile is being collected for hakmem-stat (HAKMEM_TIMING_DIR), to the collection file, so that
 * hakmem-stat prints each distinct one once, on its own standard error, and the program's stays
 * untouched. Messages that come with an abort (an invalid or double free) always reach standard
 * error, as glibc's do. */
#ifndef HKM_WARN_H
#define HKM_WARN_H

#include <stddef.h>

void hkm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Standard error always (and the collection file too): for the message before an abort. */
void hkm_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where warnings go instead of standard error: a line "hakmem: ...\n" of len bytes. */
typedef void (*hkm_warn_sink)(const char *line, size_t len);
/* Keep warnings back until hkm_warn_release: the configuration warns before the collection file that
 * is to take the warnings exists. */
void hkm_warn_hold(void);
/* Send the warnings kept back, and every later one, to sink (NULL: standard error; quiet: nowhere). */
void hkm_warn_release(hkm_warn_sink sink, int quiet);

#endif
