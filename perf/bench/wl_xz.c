/* xz: xz -3 compressing 4 MiB of generated text (x scale) from stdin, one thread: its encoder
 * allocates its dictionary and match finder (some 30 MiB) in a few large blocks.
 *   wl_xz [scale] */
#include "wl_real.h"

#include <stdint.h>
#include <string.h>

/* Words from a small vocabulary in a random order: text that compresses about 4:1. */
static void text(unsigned char *p, size_t n) {
  static const char *const words[] = {"alloc", "free", "page", "fault", "huge", "site", "ring", "slab",
                                      "cache", "block", "span", "region", "learn", "keep", "lazy", "thread"};
  uint64_t x = 88172645463325252ull;
  size_t o = 0;
  while (o < n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const char *w = words[x % 16];
    size_t l = strlen(w);
    for (size_t i = 0; i < l && o < n; i++) p[o++] = (unsigned char)w[i];
    if (o < n) p[o++] = (x >> 8) % 11 ? ' ' : '\n';
  }
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  size_t n = (size_t)(4.0 * scale * (1 << 20));
  wl_stdin_from(n > 4096 ? n : 4096, text);
  char *const args[] = {"/usr/bin/xz", "-3", "-T1", "-c", NULL};
  wl_exec(args);
}
