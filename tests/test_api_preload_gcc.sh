#!/bin/sh
# gcc on hakmem (the driver, cc1, as and ld all inherit the preload) compiles and links a small
# program, which then runs on hakmem too and must print the values it computes.
. "$HKM_TOP_SRCDIR/tests/api_preload.sh"
need gcc
cat > "$tmp/prog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; long v; };
int main(void) {
  struct node *h = NULL;
  for (long i = 1; i <= 100000; i++) {
    struct node *n = malloc(sizeof *n);
    n->v = i;
    n->next = h;
    h = n;
  }
  long s = 0;
  while (h) {
    struct node *n = h->next;
    s += h->v;
    free(h);
    h = n;
  }
  char *buf = calloc(1 << 22, 1);
  memset(buf, 'a', 1000);
  printf("%ld %zu\n", s, strlen(buf));
  free(buf);
  return 0;
}
C
preloaded gcc -O2 -Wall -o "$tmp/prog" "$tmp/prog.c"
[ -x "$tmp/prog" ] || fail "gcc produced no program"
preloaded "$tmp/prog" > "$tmp/out"
[ "$(cat "$tmp/out")" = "5000050000 1000" ] || fail "compiled program printed $(cat "$tmp/out")"
echo "gcc: compiled and ran, printed $(cat "$tmp/out")"
