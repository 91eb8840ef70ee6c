/* vm: allocate 2 MiB, touch every page, free, repeat. An allocator that keeps the block mapped hands
 * the same resident pages back each time; one that releases it pays 512 page faults (or one huge-page
 * fault) per round.
 *   wl_vm [scale]
 * Each page gets the round number, checked before free. */
#include <stdio.h>
#include <stdlib.h>

#define SIZE ((size_t)2 << 20)
#define PAGE 4096

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long rounds = (long)(80000 * scale);
  for (long i = 0; i < rounds; i++) {
    unsigned char *p = malloc(SIZE);
    if (!p) {
      fprintf(stderr, "vm: malloc(%zu) failed\n", SIZE);
      return 1;
    }
    unsigned char v = (unsigned char)(i * 31 + 7);
    for (size_t o = 0; o < SIZE; o += PAGE) p[o] = (unsigned char)(v + o / PAGE);
    for (size_t o = 0; o < SIZE; o += PAGE)
      if (p[o] != (unsigned char)(v + o / PAGE)) {
        fprintf(stderr, "vm: page %zu wrong in round %ld\n", o / PAGE, i);
        return 1;
      }
    free(p);
  }
  return 0;
}
