/* See warn.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "compiler.h"
#include "warn.h"

#define LINE_MAX_BYTES 512
#define HELD 8 /* warnings kept back at most; the configuration gives a handful */

static hkm_warn_sink sink;
static int quiet, holding;
static HKM_COLD_BSS char held[HELD][LINE_MAX_BYTES];
static size_t held_len[HELD];
static unsigned nheld;

static size_t format(char *buf, const char *fmt, va_list ap) {
  int n = snprintf(buf, LINE_MAX_BYTES, "hakmem: ");
  int m = vsnprintf(buf + n, LINE_MAX_BYTES - (size_t)n - 1, fmt, ap);
  if (m < 0) m = 0;
  size_t len = (size_t)n + ((size_t)m < LINE_MAX_BYTES - (size_t)n - 1 ? (size_t)m : LINE_MAX_BYTES - (size_t)n - 2);
  buf[len++] = '\n';
  return len;
}

static void to_stderr(const char *buf, size_t len) {
  ssize_t w = write(2, buf, len);
  (void)w;
}

static void emit(const char *buf, size_t len) {
  if (holding) {
    if (nheld < HELD) {
      for (size_t i = 0; i < len; i++) held[nheld][i] = buf[i];
      held_len[nheld++] = len;
    }
    return;
  }
  if (sink)
    sink(buf, len);
  else if (!quiet)
    to_stderr(buf, len);
}

/* A warning goes where emit() says; a fatal message to stderr always, and to the sink too. */
static void say(int fatal, const char *fmt, va_list ap) {
  char buf[LINE_MAX_BYTES];
  size_t len = format(buf, fmt, ap);
  if (!fatal) {
    emit(buf, len);
    return;
  }
  to_stderr(buf, len);
  if (sink) sink(buf, len);
}

void hkm_warn(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say(0, fmt, ap);
  va_end(ap);
}

void hkm_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  say(1, fmt, ap);
  va_end(ap);
}

void hkm_warn_hold(void) { holding = 1; }

void hkm_warn_release(hkm_warn_sink to, int be_quiet) {
  sink = to;
  quiet = be_quiet;
  holding = 0;
  for (unsigned i = 0; i < nheld; i++) emit(held[i], held_len[i]);
  nheld = 0;
}
