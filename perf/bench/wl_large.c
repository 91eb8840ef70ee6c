/* large: random sizes of 64 KiB-1 MiB, one thread, a small pool of live blocks replaced at random.
 * An allocator that gives these back to the kernel on free pays a page fault per page on reuse.
 *   wl_large [scale]
 * Each block is written once per 4 KiB page and at its last byte (the value depends on the page); all of it is checked before free. */
#include <stdlib.h>

#include "wl_pages.h"

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  return wl_pages_run("large", 32, (long)(60000 * scale), 65536, 960 * 1024, 1);
}
