/* In the pool tier (1-32 KiB) a power of two plus a small header is rounded up by at most an eighth,
 * and by at most a 32nd when the header is a word or two (sizeclass.c: the classes of a doubling sit
 * at 33/32, 9/8, 11/8, 13/8 and 2 times its base): sqlite3's page cache asks for 4104 and 4368 bytes,
 * which 5/4 classes put in 5120-byte blocks and 9/8 ones 4104 in 4608. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

int main(void) {
  int n = 0;
  for (size_t base = 1024; base < 32 * KiB; base *= 2) {
    size_t asks[] = {base + 8, base + base / 16, base + base / 8};
    for (int i = 0; i < 3; i++) {
      char *p = malloc(asks[i]);
      CHECK(p, "malloc(%zu)", asks[i]);
      memset(p, 1, asks[i]);
      size_t got = malloc_usable_size(p);
      CHECK(got >= asks[i] && got <= base + base / 8, "malloc(%zu) got a %zu-byte block, more than %zu", asks[i], got,
            base + base / 8);
      free(p);
      n++;
    }
    size_t small[] = {base + 8, base + base / 32};
    for (int i = 0; i < 2; i++) {
      char *p = malloc(small[i]);
      CHECK(p, "malloc(%zu)", small[i]);
      size_t got = malloc_usable_size(p);
      CHECK(got >= small[i] && got <= base + base / 32, "malloc(%zu) got a %zu-byte block, more than %zu", small[i], got,
            base + base / 32);
      free(p);
      n++;
    }
  }
  printf("%d requests of a power of two plus up to an eighth: each in a block at most 9/8 of the power, "
         "33/32 for up to a 32nd\n", n);
  return 0;
}
