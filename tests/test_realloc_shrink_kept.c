/* realloc to a smaller size: a block over 1 MiB keeps a request of over 64 KiB down to a quarter of its
 * size in place (src/hakmem.c, hkm_realloc), with the bytes asked for intact; further down, or for
 * 64 KiB and less, it moves and the old block is free. The library before moved every shrink to under
 * half: the 6 MiB block shrunk to 2 MiB and the 1.5 MiB one to 450 KiB. */
#include "grow_check.h"

/* Block p of from bytes, filled with key, shrunk to to: the first to bytes kept. */
static char *shrunk(char *p, size_t from, size_t to, uintptr_t key) {
  char *q = realloc(p, to);
  CHECK(q, "realloc(%zu -> %zu)", from, to);
  for (size_t i = 0; i < to; i++) CHECK(q[i] == (char)api_byte(key, from, i), "realloc %zu -> %zu lost byte %zu", from, to, i);
  CHECK(malloc_usable_size(q) >= to, "realloc %zu -> %zu: usable %zu", from, to, malloc_usable_size(q));
  return q;
}

static void case_(size_t from, size_t to, int kept) {
  char *p = malloc(from);
  CHECK(p, "malloc(%zu)", from);
  api_fill_keyed(p, from, 7);
  char *q = shrunk(p, from, to, 7);
  printf("%zu -> %zu bytes: %s\n", from, to, q == p ? "in place" : "moved");
  CHECK((q == p) == kept, "%zu -> %zu bytes %s", from, to, kept ? "moved" : "stayed in place");
  memset(q, 1, malloc_usable_size(q));
  free(q);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  case_(6 * MiB, 2 * MiB, 1);     /* Whale, a third */
  case_(6 * MiB, 1 * MiB, 0);     /* a sixth */
  case_(1536 * KiB, 450 * KiB, 1); /* BigCache (a block of 1,664 KiB), over a quarter */
  case_(1536 * KiB, 64 * KiB, 0);  /* 64 KiB and less moves whatever the ratio */
  case_(800 * KiB, 250 * KiB, 0);  /* 1 MiB and less: the half rule */
  char *p = malloc(6 * MiB);
  CHECK(p, "malloc");
  api_fill_keyed(p, 6 * MiB, 9);
  char *q = shrunk(p, 6 * MiB, 2 * MiB, 9);
  CHECK(q == p, "moved");
  second_free_aborts(q);
  free(q);
  return 0;
}
