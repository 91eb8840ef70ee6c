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

/* s as a JSON string: quotes, backslashes and control characters escaped, bytes that are not UTF-8
 * replaced by U+FFFD so that any parser accepts the line. At most cap bytes of s; "..." marks a cut. */
static inline void hkm_put_json_str(struct hkm_buf *b, const char *s, size_t n, size_t cap) {
  const unsigned char *p = (const unsigned char *)s, *end = p + (n < cap ? n : cap);
  hkm_put(b, "\"");
  while (p < end) {
    unsigned c = *p;
    if (c == '"' || c == '\\') {
      hkm_put(b, "\\%c", c);
      p++;
    } else if (c < 0x20 || c == 0x7f) {
      hkm_put(b, "\\u%04x", c);
      p++;
    } else if (c < 0x80) {
      hkm_put(b, "%c", c);
      p++;
    } else {
      /* a whole, valid UTF-8 sequence within the bound, or one replacement character per byte */
      int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
      int ok = len && p + len <= end;
      for (int i = 1; ok && i < len; i++) ok = (p[i] & 0xc0) == 0x80;
      if (ok && len == 3) ok = !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] >= 0xa0);
      if (ok && len == 4) ok = !(c == 0xf0 && p[1] < 0x90) && !(c == 0xf4 && p[1] >= 0x90);
      if (ok) {
        hkm_put(b, "%.*s", len, (const char *)p);
        p += len;
      } else {
        hkm_put(b, "\\ufffd");
        p++;
      }
    }
  }
  hkm_put(b, "%s\"", n > cap ? "..." : "");
}

#endif
