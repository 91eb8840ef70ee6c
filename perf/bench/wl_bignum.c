/* bignum: factoring semiprimes by the continued fraction method (Morrison-Brillhart), in the manner
 * of mimalloc-bench's cfrac, with a small bignum library whose every result is a fresh heap object
 * (32-bit limbs, 8-40 bytes): many short-lived small blocks of related sizes, one thread.
 *   wl_bignum [scale]
 * For each N = p * q (two ~40-bit primes from a fixed sequence) the expansion of sqrt(N) yields
 * A^2 = +-Q (mod N); the Q that factor over a small prime base are kept (exponent vectors and their
 * history are heap bitsets too), Gaussian elimination over GF(2) finds products that are squares on
 * both sides, and gcd(X - Y, N) gives a factor. Every relation is checked (A^2 mod N against +-Q) and
 * every factor must divide N; the checksum is the sum of the smaller factors. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_rng.h"

static uint64_t rng = WL_RNG_SEED;

static void die(const char *what) {
  fprintf(stderr, "bignum: %s\n", what);
  exit(1);
}

/* ---- the bignum library: immutable values, little-endian 32-bit limbs, no leading zero limbs ---- */

typedef struct bn {
  uint32_t n;
  uint32_t d[];
} bn;

static bn *bn_alloc(uint32_t n) {
  bn *r = malloc(sizeof(bn) + (n ? n : 1) * sizeof(uint32_t));
  if (!r) die("malloc failed");
  r->n = n;
  return r;
}

static bn *trim(bn *r) {
  while (r->n && !r->d[r->n - 1]) r->n--;
  return r;
}

static bn *bn_from(unsigned __int128 v) {
  bn *r = bn_alloc(4);
  for (int i = 0; i < 4; i++) r->d[i] = (uint32_t)(v >> (32 * i));
  return trim(r);
}

static unsigned __int128 bn_to(const bn *a) {
  unsigned __int128 v = 0;
  for (uint32_t i = a->n; i-- > 0;) v = v << 32 | a->d[i];
  return v;
}

static bn *bn_copy(const bn *a) {
  bn *r = bn_alloc(a->n);
  memcpy(r->d, a->d, a->n * sizeof(uint32_t));
  return r;
}

static int bn_cmp(const bn *a, const bn *b) {
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  for (uint32_t i = a->n; i-- > 0;)
    if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
  return 0;
}

static int bn_is_one(const bn *a) { return a->n == 1 && a->d[0] == 1; }

static bn *bn_add(const bn *a, const bn *b) {
  if (a->n < b->n) {
    const bn *t = a;
    a = b;
    b = t;
  }
  bn *r = bn_alloc(a->n + 1);
  uint64_t c = 0;
  for (uint32_t i = 0; i < a->n; i++) {
    c += (uint64_t)a->d[i] + (i < b->n ? b->d[i] : 0);
    r->d[i] = (uint32_t)c;
    c >>= 32;
  }
  r->d[a->n] = (uint32_t)c;
  return trim(r);
}

/* a - b, a >= b */
static bn *bn_sub(const bn *a, const bn *b) {
  bn *r = bn_alloc(a->n);
  int64_t c = 0;
  for (uint32_t i = 0; i < a->n; i++) {
    c += (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0);
    r->d[i] = (uint32_t)c;
    c >>= 32;
  }
  if (c) die("bn_sub: negative result");
  return trim(r);
}

static bn *bn_mul(const bn *a, const bn *b) {
  bn *r = bn_alloc(a->n + b->n);
  memset(r->d, 0, r->n * sizeof(uint32_t));
  for (uint32_t i = 0; i < a->n; i++) {
    uint64_t c = 0;
    for (uint32_t j = 0; j < b->n; j++) {
      c += (uint64_t)a->d[i] * b->d[j] + r->d[i + j];
      r->d[i + j] = (uint32_t)c;
      c >>= 32;
    }
    r->d[i + b->n] = (uint32_t)c;
  }
  return trim(r);
}

static uint32_t bn_mod_small(const bn *a, uint32_t m) {
  uint64_t r = 0;
  for (uint32_t i = a->n; i-- > 0;) r = (r << 32 | a->d[i]) % m;
  return (uint32_t)r;
}

static bn *bn_div_small(const bn *a, uint32_t m) {
  bn *q = bn_alloc(a->n);
  uint64_t r = 0;
  for (uint32_t i = a->n; i-- > 0;) {
    r = r << 32 | a->d[i];
    q->d[i] = (uint32_t)(r / m);
    r %= m;
  }
  return trim(q);
}

static bn *bn_shl(const bn *a, unsigned s, uint32_t extra) {
  bn *r = bn_alloc(a->n + extra);
  memset(r->d, 0, r->n * sizeof(uint32_t));
  for (uint32_t i = 0; i < a->n; i++) {
    uint64_t v = (uint64_t)a->d[i] << s;
    r->d[i] |= (uint32_t)v;
    if (i + 1 < r->n) r->d[i + 1] = (uint32_t)(v >> 32);
  }
  return r;
}

/* Long division (Knuth's algorithm D): q = a / b, r = a % b; either pointer may be NULL. */
static void bn_divmod(const bn *a, const bn *b, bn **q, bn **r) {
  if (!b->n) die("division by zero");
  if (bn_cmp(a, b) < 0) {
    if (q) *q = bn_alloc(0);
    if (r) *r = bn_copy(a);
    return;
  }
  if (b->n == 1) {
    uint32_t rem = bn_mod_small(a, b->d[0]);
    if (q) *q = bn_div_small(a, b->d[0]);
    if (r) *r = bn_from(rem);
    return;
  }
  unsigned s = (unsigned)__builtin_clz(b->d[b->n - 1]);
  bn *u = bn_shl(a, s, 1), *v = bn_shl(b, s, 0);
  uint32_t n = v->n, m = a->n - b->n;
  bn *qq = bn_alloc(m + 1);
  for (uint32_t j = m + 1; j-- > 0;) {
    uint64_t num = (uint64_t)u->d[j + n] << 32 | u->d[j + n - 1];
    uint64_t qhat = num / v->d[n - 1], rhat = num % v->d[n - 1];
    while (qhat >> 32 || qhat * v->d[n - 2] > (rhat << 32 | u->d[j + n - 2])) {
      qhat--;
      rhat += v->d[n - 1];
      if (rhat >> 32) break;
    }
    int64_t borrow = 0;
    uint64_t carry = 0;
    for (uint32_t i = 0; i < n; i++) {
      uint64_t p = qhat * v->d[i] + carry;
      carry = p >> 32;
      int64_t t = (int64_t)u->d[i + j] - (uint32_t)p + borrow;
      u->d[i + j] = (uint32_t)t;
      borrow = t >> 32;
    }
    int64_t t = (int64_t)u->d[j + n] - (int64_t)carry + borrow;
    u->d[j + n] = (uint32_t)t;
    if (t < 0) { /* qhat was one too large: add v back */
      qhat--;
      uint64_t c = 0;
      for (uint32_t i = 0; i < n; i++) {
        c += (uint64_t)u->d[i + j] + v->d[i];
        u->d[i + j] = (uint32_t)c;
        c >>= 32;
      }
      u->d[j + n] += (uint32_t)c;
    }
    qq->d[j] = (uint32_t)qhat;
  }
  if (q)
    *q = trim(qq);
  else
    free(qq);
  if (r) {
    bn *rr = bn_alloc(n);
    for (uint32_t i = 0; i < n; i++) rr->d[i] = u->d[i] >> s | (s ? (uint32_t)((uint64_t)u->d[i + 1] << (32 - s)) : 0);
    *r = trim(rr);
  }
  free(u);
  free(v);
}

static bn *bn_mod(const bn *a, const bn *m) {
  bn *r;
  bn_divmod(a, m, NULL, &r);
  return r;
}

static bn *bn_mulmod(const bn *a, const bn *b, const bn *m) {
  bn *p = bn_mul(a, b), *r = bn_mod(p, m);
  free(p);
  return r;
}

/* floor(sqrt(a)) by Newton's iteration from above */
static bn *bn_isqrt(const bn *a) {
  if (!a->n) return bn_alloc(0);
  unsigned bits = 32 * (a->n - 1) + 32 - (unsigned)__builtin_clz(a->d[a->n - 1]);
  bn *x = bn_from((unsigned __int128)1 << ((bits + 1) / 2));
  for (;;) {
    bn *q, *s;
    bn_divmod(a, x, &q, NULL);
    s = bn_add(x, q);
    bn *y = bn_div_small(s, 2);
    free(q);
    free(s);
    if (bn_cmp(y, x) >= 0) {
      free(y);
      return x;
    }
    free(x);
    x = y;
  }
}

static bn *bn_gcd(const bn *a, const bn *b) {
  bn *x = bn_copy(a), *y = bn_copy(b);
  while (y->n) {
    bn *r = bn_mod(x, y);
    free(x);
    x = y;
    y = r;
  }
  free(y);
  return x;
}

/* ---- primes ---- */

static uint64_t mulmod64(uint64_t a, uint64_t b, uint64_t m) { return (uint64_t)((unsigned __int128)a * b % m); }

static uint64_t powmod64(uint64_t b, uint64_t e, uint64_t m) {
  uint64_t r = 1 % m;
  for (b %= m; e; e >>= 1, b = mulmod64(b, b, m))
    if (e & 1) r = mulmod64(r, b, m);
  return r;
}

/* Miller-Rabin with the bases that are exact below 2^64. */
static int is_prime64(uint64_t n) {
  static const uint64_t base[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  if (n < 2) return 0;
  for (int i = 0; i < 12; i++)
    if (n % base[i] == 0) return n == base[i];
  uint64_t d = n - 1;
  int s = 0;
  while (!(d & 1)) d >>= 1, s++;
  for (int i = 0; i < 12; i++) {
    uint64_t x = powmod64(base[i], d, n);
    if (x == 1 || x == n - 1) continue;
    int r;
    for (r = 1; r < s && (x = mulmod64(x, x, n)) != n - 1; r++) {
    }
    if (r == s) return 0;
  }
  return 1;
}

static uint64_t random_prime(unsigned bits) {
  for (;;) {
    uint64_t c = (wl_next(&rng) >> (64 - bits)) | (uint64_t)1 << (bits - 1) | 1;
    if (is_prime64(c)) return c;
  }
}

/* ---- the continued fraction method ---- */

#define FB_MAX 160     /* primes in the factor base (column 0 is the sign) */
#define FB_BOUND 3000  /* largest prime tried */
#define COLS (FB_MAX + 1)
#define WORDS ((COLS + 63) / 64)

struct relation {
  bn *a;           /* A_{i-1} mod N */
  uint8_t *exp;    /* exponent of each column (sign, then the base's primes) */
  uint64_t *bits;  /* exponents mod 2, reduced during elimination */
  uint64_t *hist;  /* which original relations this row is the sum of */
};

struct problem {
  bn *n;
  uint32_t fb[FB_MAX];
  int nfb;
  struct relation *rel;
  int nrel, cap;
};

/* primes p with N a quadratic residue mod p (only those divide some Q) */
static void factor_base(struct problem *pb) {
  pb->nfb = 0;
  for (uint32_t p = 2; p < FB_BOUND && pb->nfb < FB_MAX; p++) {
    if (!is_prime64(p)) continue;
    uint32_t r = bn_mod_small(pb->n, p);
    if (p == 2 || r == 0 || powmod64(r, (p - 1) / 2, p) == 1) pb->fb[pb->nfb++] = p;
  }
}

/* Q over the base: the exponents (column 0 = sign), or -1 when Q does not factor completely. */
static int factor_q(const struct problem *pb, const bn *q, int negative, uint8_t *exp) {
  memset(exp, 0, COLS);
  exp[0] = (uint8_t)negative;
  bn *rest = bn_copy(q);
  for (int i = 0; i < pb->nfb && !bn_is_one(rest); i++) {
    uint32_t p = pb->fb[i];
    while (bn_mod_small(rest, p) == 0) {
      bn *t = bn_div_small(rest, p);
      free(rest);
      rest = t;
      exp[i + 1]++;
    }
  }
  int smooth = bn_is_one(rest);
  free(rest);
  return smooth ? 0 : -1;
}

static void add_relation(struct problem *pb, const bn *a, const uint8_t *exp) {
  if (pb->nrel == pb->cap) {
    pb->cap = pb->cap ? pb->cap * 2 : 16;
    pb->rel = realloc(pb->rel, (size_t)pb->cap * sizeof *pb->rel);
    if (!pb->rel) die("realloc failed");
  }
  struct relation *r = &pb->rel[pb->nrel++];
  r->a = bn_copy(a);
  r->exp = malloc(COLS);
  r->bits = malloc(WORDS * sizeof(uint64_t));
  r->hist = NULL;
  if (!r->exp || !r->bits) die("malloc failed");
  memcpy(r->exp, exp, COLS);
}

/* X = prod A, Y = prod p^(e/2) over the relations in hist; a factor of N from gcd(X - Y, N), or 0. */
static uint64_t try_dependency(const struct problem *pb, const uint64_t *hist) {
  unsigned sum[COLS] = {0};
  bn *x = bn_from(1), *y = bn_from(1);
  for (int i = 0; i < pb->nrel; i++) {
    if (!(hist[i / 64] >> (i % 64) & 1)) continue;
    bn *t = bn_mulmod(x, pb->rel[i].a, pb->n);
    free(x);
    x = t;
    for (int c = 0; c < COLS; c++) sum[c] += pb->rel[i].exp[c];
  }
  for (int c = 1; c < COLS; c++) {
    if (sum[c] & 1) die("dependency with an odd exponent");
    for (unsigned k = 0; k < sum[c] / 2; k++) {
      bn *p = bn_from(pb->fb[c - 1]), *t = bn_mulmod(y, p, pb->n);
      free(p);
      free(y);
      y = t;
    }
  }
  bn *d = bn_cmp(x, y) >= 0 ? bn_sub(x, y) : bn_sub(y, x);
  uint64_t f = 0;
  if (d->n) {
    bn *g = bn_gcd(d, pb->n);
    if (!bn_is_one(g) && bn_cmp(g, pb->n) != 0) f = (uint64_t)bn_to(g);
    free(g);
  }
  free(d);
  free(x);
  free(y);
  return f;
}

/* Gaussian elimination over GF(2) on a row order of its own (a dependency's history names the
 * relations by their index); each row that becomes zero is a dependency to try. */
static uint64_t eliminate(struct problem *pb) {
  int hw = (pb->nrel + 63) / 64;
  int *order = malloc((size_t)pb->nrel * sizeof *order);
  if (!order) die("malloc failed");
  for (int i = 0; i < pb->nrel; i++) {
    struct relation *r = &pb->rel[i];
    memset(r->bits, 0, WORDS * sizeof(uint64_t));
    for (int c = 0; c < COLS; c++)
      if (r->exp[c] & 1) r->bits[c / 64] |= (uint64_t)1 << (c % 64);
    free(r->hist);
    r->hist = calloc((size_t)hw, sizeof(uint64_t));
    if (!r->hist) die("calloc failed");
    r->hist[i / 64] |= (uint64_t)1 << (i % 64);
    order[i] = i;
  }
  int row = 0;
  for (int c = 0; c < COLS && row < pb->nrel; c++) {
    int piv = -1;
    for (int i = row; i < pb->nrel && piv < 0; i++)
      if (pb->rel[order[i]].bits[c / 64] >> (c % 64) & 1) piv = i;
    if (piv < 0) continue;
    int t = order[piv];
    order[piv] = order[row];
    order[row] = t;
    const struct relation *pr = &pb->rel[order[row]];
    for (int i = 0; i < pb->nrel; i++) {
      struct relation *r = &pb->rel[order[i]];
      if (i == row || !(r->bits[c / 64] >> (c % 64) & 1)) continue;
      for (int w = 0; w < WORDS; w++) r->bits[w] ^= pr->bits[w];
      for (int w = 0; w < hw; w++) r->hist[w] ^= pr->hist[w];
    }
    row++;
  }
  uint64_t f = 0;
  for (int i = row; i < pb->nrel && !f; i++) f = try_dependency(pb, pb->rel[order[i]].hist);
  free(order);
  return f;
}

static uint64_t cfrac(unsigned __int128 nv) {
  struct problem pb = {0};
  pb.n = bn_from(nv);
  factor_base(&pb);
  for (int i = 0; i < pb.nfb; i++)
    if (nv % pb.fb[i] == 0) return pb.fb[i];
  bn *g = bn_isqrt(pb.n);
  bn *p = bn_alloc(0), *q = bn_from(1), *a = bn_copy(g);
  bn *aprev = bn_from(1), *acur = bn_mod(g, pb.n);
  uint8_t exp[COLS];
  uint64_t factor = 0;
  int want = pb.nfb + 8;
  for (unsigned long i = 0; !factor; i++) {
    /* P' = a Q - P;  Q' = (N - P'^2) / Q;  a' = (g + P') / Q' */
    bn *aq = bn_mul(a, q), *p1 = bn_sub(aq, p), *pp = bn_mul(p1, p1), *num = bn_sub(pb.n, pp), *q1;
    bn_divmod(num, q, &q1, NULL);
    bn *gp = bn_add(g, p1), *a1;
    bn_divmod(gp, q1, &a1, NULL);
    free(aq);
    free(pp);
    free(num);
    free(gp);
    /* A_i^2 = (-1)^(i+1) Q' (mod N), with A_i = acur */
    int negative = (i & 1) == 0;
    bn *sq = bn_mulmod(acur, acur, pb.n), *want_sq = negative ? bn_sub(pb.n, q1) : bn_copy(q1);
    if (bn_cmp(sq, want_sq) != 0) die("a relation does not hold: the arithmetic is wrong");
    free(sq);
    free(want_sq);
    if (factor_q(&pb, q1, negative, exp) == 0) {
      add_relation(&pb, acur, exp);
      if (pb.nrel >= want) {
        factor = eliminate(&pb);
        want += 8;
      }
    }
    /* A_{i+1} = a' A_i + A_{i-1} (mod N) */
    bn *t = bn_mul(a1, acur), *t2 = bn_add(t, aprev), *anext = bn_mod(t2, pb.n);
    free(t);
    free(t2);
    free(aprev);
    aprev = acur;
    acur = anext;
    free(p);
    free(q);
    free(a);
    p = p1;
    q = q1;
    a = a1;
  }
  for (int i = 0; i < pb.nrel; i++) {
    free(pb.rel[i].a);
    free(pb.rel[i].exp);
    free(pb.rel[i].bits);
    free(pb.rel[i].hist);
  }
  free(pb.rel);
  bn *all[] = {pb.n, g, p, q, a, aprev, acur};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) free(all[i]);
  return factor;
}

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long numbers = (long)(24 * scale + 0.5);
  if (numbers < 1) numbers = 1;
  uint64_t checksum = 0;
  for (long k = 0; k < numbers; k++) {
    uint64_t p = random_prime(40), q = random_prime(40);
    unsigned __int128 n = (unsigned __int128)p * q;
    uint64_t f = cfrac(n);
    if (!f || n % f != 0 || (f != p && f != q)) {
      fprintf(stderr, "bignum: no factor of %llu * %llu found (got %llu)\n", (unsigned long long)p,
              (unsigned long long)q, (unsigned long long)f);
      return 1;
    }
    checksum += p < q ? p : q;
  }
  printf("bignum: %ld numbers factored, checksum %llu\n", numbers, (unsigned long long)checksum);
  return 0;
}
