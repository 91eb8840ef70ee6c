/* mid: random sizes of 2-64 KiB, one thread, a pool of live blocks replaced at random: the L2 pool
 * and L2.5 tiers (glibc serves these from its heap, mimalloc and jemalloc from larger pages).
 *   wl_mid [scale]
 * Each block is written once per 4 KiB page and at its last byte; all of it is checked before free. */
#include <stdlib.h>

#include "wl_pages.h"

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  return wl_pages_run("mid", 512, (long)(2000000 * scale), 2048, 62 * 1024, 0);
}
