/* Used by test_api_env.sh: allocates and frees in every tier (so hakmem reads its environment), then
 * frees twenty whale blocks and prints how many mappings the whale ring kept, which tells the modes
 * apart (minimal keeps 0, balanced 8, fast 16). Prints nothing on stderr itself. */
#include <malloc.h>
#include <string.h>

#include "api_check.h"

int main(void) {
  for (size_t i = 0; i < API_NSIZES; i++) {
    char *p = malloc(api_tier_sizes[i]);
    CHECK(p, "malloc");
    p[0] = 1;
    free(p);
  }
  malloc_trim(0);
  enum { N = 20 };
  char *w[N];
  for (int i = 0; i < N; i++) {
    w[i] = malloc(3 * MiB + (size_t)i * 4096);
    CHECK(w[i], "malloc");
    memset(w[i], 1, 4096);
  }
  for (int i = 0; i < N; i++) free(w[i]);
  printf("%zu\n", mallinfo2().hblks);
  return 0;
}
