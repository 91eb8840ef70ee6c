/* espresso: two-level logic minimisation in the manner of Berkeley espresso (mimalloc-bench's
 * espresso): cubes are small heap bitsets, covers are arrays of them grown with realloc, and the
 * recursive algorithms (complement, tautology) build and drop cofactor covers at every level, so the
 * program makes and frees a great many small blocks of a few sizes, one thread.
 *   wl_espresso [scale]
 * Each round takes a random function of NV inputs given as a sum of random cubes (the ON-set),
 * computes its OFF-set by recursive complementation, then EXPANDs every cube as far as the OFF-set
 * allows and drops the redundant ones (IRREDUNDANT, by tautology checking). The result is checked:
 * it must not meet the OFF-set and must cover every cube of the ON-set. The checksum adds up the
 * cubes and literals of each minimised cover.
 *
 * A cube holds two bits per input in positional notation: 01 the input is 0, 10 it is 1, 11 either
 * (not in the product), 00 the cube is empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

#define NV 22                    /* inputs */
#define ON_CUBES 32             /* cubes of each random function */
#define W ((2 * NV + 63) / 64)   /* 64-bit words per cube */
#define LOW 0x5555555555555555ull /* the low bit of every input's pair */

static uint64_t rng = WL_RNG_SEED;

typedef uint64_t cube;

struct cover {
  int n, cap;
  cube **c;
};

static void die(const char *what) {
  fprintf(stderr, "espresso: %s\n", what);
  exit(1);
}

/* ---- cubes ---- */

static uint64_t mask_of(int w) { /* the bits of word w that belong to an input */
  int bits = 2 * NV - 64 * w;
  return bits >= 64 ? ~0ull : ((uint64_t)1 << bits) - 1;
}

static cube *cube_new(void) {
  cube *c = malloc(W * sizeof(cube));
  if (!c) die("malloc failed");
  return c;
}

static cube *cube_universe(void) {
  cube *c = cube_new();
  for (int w = 0; w < W; w++) c[w] = mask_of(w);
  return c;
}

static cube *cube_copy(const cube *a) {
  cube *c = cube_new();
  memcpy(c, a, W * sizeof(cube));
  return c;
}

static int var_get(const cube *c, int v) { return (int)(c[v / 32] >> (2 * (v % 32)) & 3); }

static void var_set(cube *c, int v, int val) {
  c[v / 32] = (c[v / 32] & ~(3ull << (2 * (v % 32)))) | (uint64_t)val << (2 * (v % 32));
}

/* inputs whose pair is 00 in a & b: 0 means the cubes meet */
static int distance(const cube *a, const cube *b) {
  int d = 0;
  for (int w = 0; w < W; w++) {
    uint64_t x = a[w] & b[w];
    uint64_t empty = ~(x | x >> 1) & LOW & mask_of(w);
    d += __builtin_popcountll(empty);
  }
  return d;
}

static int contains(const cube *a, const cube *b) { /* a includes b */
  for (int w = 0; w < W; w++)
    if ((a[w] | b[w]) != a[w]) return 0;
  return 1;
}

static int is_universe(const cube *a) {
  for (int w = 0; w < W; w++)
    if (a[w] != mask_of(w)) return 0;
  return 1;
}

static int literals(const cube *a) { /* inputs fixed to 0 or 1 */
  int n = 0;
  for (int w = 0; w < W; w++) {
    uint64_t fixed = (a[w] ^ a[w] >> 1) & LOW & mask_of(w);
    n += __builtin_popcountll(fixed);
  }
  return n;
}

/* ---- covers ---- */

static void cover_add(struct cover *f, cube *c) {
  if (f->n == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 4;
    f->c = realloc(f->c, (size_t)f->cap * sizeof *f->c);
    if (!f->c) die("realloc failed");
  }
  f->c[f->n++] = c;
}

static void cover_free(struct cover *f) {
  for (int i = 0; i < f->n; i++) free(f->c[i]);
  free(f->c);
  f->n = f->cap = 0;
  f->c = NULL;
}

static void cover_remove(struct cover *f, int i) {
  free(f->c[i]);
  f->c[i] = f->c[--f->n];
}

/* The cofactor of f with respect to cube p: the cubes that meet p, with p's fixed inputs freed. */
static struct cover cofactor(const struct cover *f, const cube *p) {
  struct cover r = {0, 0, NULL};
  for (int i = 0; i < f->n; i++) {
    if (distance(f->c[i], p)) continue;
    cube *c = cube_new();
    for (int w = 0; w < W; w++) c[w] = (f->c[i][w] | ~p[w]) & mask_of(w);
    cover_add(&r, c);
  }
  return r;
}

static struct cover cofactor_var(const struct cover *f, int v, int val) {
  cube *p = cube_universe();
  var_set(p, v, val);
  struct cover r = cofactor(f, p);
  free(p);
  return r;
}

/* The input fixed in the most cubes, preferring one fixed both ways (binate); -1 when none is. */
static int split_var(const struct cover *f, int *binate) {
  int zero[NV] = {0}, one[NV] = {0};
  for (int i = 0; i < f->n; i++)
    for (int v = 0; v < NV; v++) {
      int x = var_get(f->c[i], v);
      zero[v] += x == 1;
      one[v] += x == 2;
    }
  int best = -1, best_score = -1;
  *binate = 0;
  for (int v = 0; v < NV; v++) {
    int both = zero[v] && one[v], score = zero[v] + one[v] + (both ? 1 << 20 : 0);
    if (zero[v] + one[v] && score > best_score) {
      best = v;
      best_score = score;
      *binate = both;
    }
  }
  return best;
}

/* f covers every point */
static int tautology(const struct cover *f) {
  for (int i = 0; i < f->n; i++)
    if (is_universe(f->c[i])) return 1;
  if (!f->n) return 0;
  int binate, v = split_var(f, &binate);
  if (v < 0 || !binate) return 0; /* a unate cover without the universe cube misses a point */
  struct cover f0 = cofactor_var(f, v, 1), f1 = cofactor_var(f, v, 2);
  int t = tautology(&f0) && tautology(&f1);
  cover_free(&f0);
  cover_free(&f1);
  return t;
}

static int cube_order(const void *a, const void *b) {
  const cube *x = *(cube *const *)a, *y = *(cube *const *)b;
  for (int w = 0; w < W; w++)
    if (x[w] != y[w]) return x[w] < y[w] ? -1 : 1;
  return 0;
}

/* The complement of f by Shannon expansion: f' = x' (f_x')' + x (f_x)'. Both halves are free of x
 * (a cofactor does not depend on its variable), so a cube found in both stands for itself (x free);
 * the halves are sorted to find those, and a merged cube may then contain cubes of either half. */
static struct cover complement(const struct cover *f) {
  struct cover r = {0, 0, NULL};
  for (int i = 0; i < f->n; i++)
    if (is_universe(f->c[i])) return r;
  if (!f->n) {
    cover_add(&r, cube_universe());
    return r;
  }
  if (f->n == 1) { /* De Morgan: one cube per literal, negated */
    for (int v = 0; v < NV; v++) {
      int x = var_get(f->c[0], v);
      if (x == 3) continue;
      cube *c = cube_universe();
      var_set(c, v, 3 - x);
      cover_add(&r, c);
    }
    return r;
  }
  int binate, v = split_var(f, &binate);
  struct cover half[2];
  for (int k = 0; k < 2; k++) {
    struct cover fv = cofactor_var(f, v, k + 1);
    half[k] = complement(&fv);
    cover_free(&fv);
    if (half[k].n) qsort(half[k].c, (size_t)half[k].n, sizeof *half[k].c, cube_order);
  }
  struct cover merged = {0, 0, NULL};
  int i = 0, j = 0;
  while (i < half[0].n || j < half[1].n) {
    int o = i == half[0].n ? 1 : j == half[1].n ? -1 : cube_order(&half[0].c[i], &half[1].c[j]);
    if (o == 0) {
      cover_add(&merged, half[0].c[i++]);
      free(half[1].c[j++]);
    } else if (o < 0) {
      var_set(half[0].c[i], v, 1);
      cover_add(&r, half[0].c[i++]);
    } else {
      var_set(half[1].c[j], v, 2);
      cover_add(&r, half[1].c[j++]);
    }
  }
  free(half[0].c);
  free(half[1].c);
  for (int a = 0; a < r.n; a++)
    for (int m = 0; m < merged.n; m++)
      if (contains(merged.c[m], r.c[a])) {
        cover_remove(&r, a--);
        break;
      }
  for (int m = 0; m < merged.n; m++) cover_add(&r, merged.c[m]);
  free(merged.c);
  return r;
}

/* ---- minimisation ---- */

static int meets(const cube *c, const struct cover *off) {
  for (int i = 0; i < off->n; i++)
    if (!distance(c, off->c[i])) return 1;
  return 0;
}

/* Free each fixed input of each cube in turn while the cube stays clear of the OFF-set; then drop
 * the cubes the grown one contains. */
static void expand(struct cover *f, const struct cover *off) {
  for (int i = 0; i < f->n; i++) {
    for (int v = 0; v < NV; v++) {
      if (var_get(f->c[i], v) == 3) continue;
      cube *t = cube_copy(f->c[i]);
      var_set(t, v, 3);
      if (meets(t, off)) {
        free(t);
      } else {
        free(f->c[i]);
        f->c[i] = t;
      }
    }
    for (int j = 0; j < f->n; j++)
      if (j != i && contains(f->c[i], f->c[j])) {
        cover_remove(f, j);
        if (i == f->n) i = j; /* the grown cube moved into the hole */
        j--;
      }
  }
}

/* A cube is redundant when the rest of the cover covers it: the rest's cofactor by it is a tautology. */
static void irredundant(struct cover *f) {
  for (int i = f->n - 1; i >= 0; i--) {
    struct cover rest = {0, 0, NULL};
    for (int j = 0; j < f->n; j++)
      if (j != i) cover_add(&rest, cube_copy(f->c[j]));
    struct cover cf = cofactor(&rest, f->c[i]);
    int redundant = tautology(&cf);
    cover_free(&cf);
    cover_free(&rest);
    if (redundant) cover_remove(f, i);
  }
}

static struct cover random_function(int cubes) {
  struct cover f = {0, 0, NULL};
  for (int k = 0; k < cubes; k++) {
    cube *c = cube_universe();
    int lits = 5 + (int)(wl_next(&rng) % 6);
    for (int l = 0; l < lits; l++) var_set(c, (int)(wl_next(&rng) % NV), 1 + (int)(wl_next(&rng) & 1));
    cover_add(&f, c);
  }
  return f;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long rounds = (long)(50 * scale + 0.5);
  if (rounds < 1) rounds = 1;
  unsigned long long checksum = 0;
  for (long k = 0; k < rounds; k++) {
    struct cover on = random_function(ON_CUBES);
    struct cover off = complement(&on);
    /* the OFF-set must be the exact complement: disjoint from the ON-set, and together everything */
    struct cover both = {0, 0, NULL};
    for (int i = 0; i < on.n; i++) {
      if (meets(on.c[i], &off)) die("the complement meets the function");
      cover_add(&both, cube_copy(on.c[i]));
    }
    for (int i = 0; i < off.n; i++) cover_add(&both, cube_copy(off.c[i]));
    if (!tautology(&both)) die("the function and its complement leave a point uncovered");
    cover_free(&both);
    struct cover f = {0, 0, NULL};
    for (int i = 0; i < on.n; i++) cover_add(&f, cube_copy(on.c[i]));
    expand(&f, &off);
    irredundant(&f);
    /* check: clear of the OFF-set, and covering every ON-set cube */
    for (int i = 0; i < f.n; i++)
      if (meets(f.c[i], &off)) die("a minimised cube meets the OFF-set");
    for (int i = 0; i < on.n; i++) {
      struct cover cf = cofactor(&f, on.c[i]);
      if (!tautology(&cf)) die("the minimised cover misses part of the ON-set");
      cover_free(&cf);
    }
    checksum += (unsigned long long)off.n * 1000003u;
    for (int i = 0; i < f.n; i++) checksum += 1000u + (unsigned long long)literals(f.c[i]);
    cover_free(&on);
    cover_free(&off);
    cover_free(&f);
  }
  printf("espresso: %ld functions minimised, checksum %llu\n", rounds, checksum);
  return 0;
}
