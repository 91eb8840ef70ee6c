/* A bounded text buffer for reports: formatted on the stack, written with write(2), so a report
 * needs neither malloc nor stdio's locks (it runs at exit and inside malloc_stats). */
#ifndef HKM_STRBUF_H
#define HKM_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct hkm_buf {
  char *p;
  size_t len, cap;
};

static inline void hkm_put(struct hkm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends; output past the end is cut off, never overruns. */
static inline void hkm_put(struct hkm_buf *b, const char *fmt, ...) {
  if (b->len + 1 >= b->cap) return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - b->len - 1;
}

/* s as the body of a JSON string (quotes not included). */
static inline void hkm_put_json_str(struct hkm_buf *b, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      hkm_put(b, "\\%c", c);
    else if (c < 0x20)
      hkm_put(b, "\\u%04x", c);
    else
      hkm_put(b, "%c", c);
  }
}

#endif
