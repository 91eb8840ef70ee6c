/* The estimator of a sampled category's cycles (prof_block.h), on sums whose answer is known: every
 * call timed gives the exact sum; half the calls timed gives the nested cycles of all of them plus the
 * rest scaled by two; no call timed takes the rest from the pool, else from the census, or says the
 * error is unknown; the census is added as it is; what measurements ending inside timed calls added
 * comes off each; an interrupted call is estimated as an untimed one; the variance is the textbook
 * one, with the finite population correction; no category's total stays below one of its children's. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "prof_block.h"

static int failures;

static void near(const char *what, double got, double want) {
  if (fabs(got - want) > 1e-6 * (fabs(want) + 1)) {
    printf("FAIL: %s: %.9g, want %.9g\n", what, got, want);
    failures++;
  }
}

/* A category whose timed calls took the given cycles (less nested), n of count timed. */
static struct hkm_prof_cat sample(const double *r, int n, uint64_t count, uint64_t nested) {
  struct hkm_prof_cat c;
  memset(&c, 0, sizeof c);
  c.count = count;
  c.timed = (uint64_t)n;
  c.nested = nested;
  for (int i = 0; i < n; i++) {
    c.cycles += (uint64_t)r[i];
    c.sq += r[i] * r[i];
  }
  return c;
}

int main(void) {
  const double r[4] = {100, 120, 80, 100}; /* mean 100, sample variance 800/3 */
  struct hkm_prof_cat none;
  memset(&none, 0, sizeof none);
  double var;

  struct hkm_prof_cat all = sample(r, 4, 4, 1000);
  near("every call timed: the sum", hkm_prof_estimate(&all, &none, 0, 0, &var), 1400);
  near("every call timed: no error", var, 0);
  near("bias per call", hkm_prof_estimate(&all, &none, 10, 0, &var), 1360);

  struct hkm_prof_cat half = sample(r, 4, 8, 5000);
  near("half timed: nested + rest x2", hkm_prof_estimate(&half, &none, 0, 0, &var), 5000 + 800);
  near("half timed: N^2 (1 - n/N) s^2 / n", var, 64 * 0.5 * (800.0 / 3) / 4);

  struct hkm_prof_cat untimed = {10, 0, 0, 300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  near("none timed: the pool's mean", hkm_prof_estimate(&untimed, &half, 0, 0, &var), 300 + 10 * 100);
  if (!(var > 0)) {
    printf("FAIL: none timed, pool timed: variance %g, want > 0\n", var);
    failures++;
  }
  hkm_prof_estimate(&untimed, &none, 0, 0, &var);
  near("none timed anywhere: unknown", var, -1);

  struct hkm_prof_cat one = sample(r, 1, 10, 0);
  hkm_prof_estimate(&one, &one, 0, 0, &var);
  near("one timed call, no spread to be had: unknown", var, -1);
  hkm_prof_estimate(&one, &half, 0, 0, &var);
  if (!(var > 0)) {
    printf("FAIL: one timed call with a pool: variance %g, want > 0\n", var);
    failures++;
  }
  struct hkm_prof_cat census = {4, 0, 0, 0, 0, 0, 0, 4, 400, 100, 0, 0, 0, 0};
  near("a census alone: its sum", hkm_prof_estimate(&census, &none, 0, 0, &var), 500);
  near("a census alone: no error", var, 0);
  near("a census: bias per call", hkm_prof_estimate(&census, &none, 10, 0, &var), 460);
  struct hkm_prof_cat after = {10, 0, 0, 0, 0, 0, 0, 4, 400, 100, 0, 0, 0, 0};
  near("untimed calls after a census: its mean", hkm_prof_estimate(&after, &none, 0, 0, &var), 500 + 6 * 100);
  near("untimed calls after a census: unknown error", var, -1);
  struct hkm_prof_cat both = half;
  both.count += 4;
  both.census = 4;
  both.census_cycles = 400;
  both.census_nested = 100;
  near("census and sample: added", hkm_prof_estimate(&both, &none, 0, 0, &var), 500 + 5000 + 800);
  near("census and sample: the sample's error", var, 64 * 0.5 * (800.0 / 3) / 4);
  /* What measurements ending inside the timed calls added to them comes off per measurement, before the
   * rest is scaled: 4 of 8 calls timed, each holding one step's measurement of 30 cycles. */
  struct hkm_prof_cat stepped = half;
  stepped.cycles += 4 * 30;
  stepped.inner = 4;
  near("measurements inside timed calls: nest each", hkm_prof_estimate(&stepped, &none, 0, 30, &var), 5000 + 800);
  struct hkm_prof_cat census_stepped = census;
  census_stepped.census_cycles += 4 * 30;
  census_stepped.census_inner = 4;
  near("the same in a census", hkm_prof_estimate(&census_stepped, &none, 0, 30, &var), 500);
  struct hkm_prof_cat after_stepped = after;
  after_stepped.census_cycles += 4 * 30;
  after_stepped.census_inner = 4;
  near("and in the census mean that untimed calls take", hkm_prof_estimate(&after_stepped, &none, 0, 30, &var),
       500 + 6 * 100);
  /* Every call timed but one, set aside as interrupted (prof.c keeps its nested cycles, not its rest):
   * it counts as an untimed call of the sampled part, its own cycles in no total. */
  struct hkm_prof_cat cut = sample(r, 4, 5, 1000 + 300);
  cut.intr = 1;
  cut.intr_cycles = 5000000;
  near("an interrupted call: the others' mean", hkm_prof_estimate(&cut, &none, 0, 0, &var), 1300 + 400 + 100);
  /* Inclusive totals: a parent below a child is raised to it, through two levels (0 <- 1 <- 2), and a
   * parent above its children (3 over 4) and a category without one (5) are left as they are. */
  double tot[6] = {100, 90, 120, 500, 400, 7};
  const int parent[6] = {-1, 0, 1, -1, 3, -1};
  hkm_prof_inclusive(tot, parent, 6);
  near("a child's total raises its parent's", tot[1], 120);
  near("and its parent's parent", tot[0], 120);
  near("a parent above its child stays", tot[3], 500);
  near("a child stays", tot[4], 400);
  near("a category without parent stays", tot[5], 7);
  if (!failures)
    printf("estimator: exact, scaled, pooled, census, nested-measurement, interrupted, unknown and inclusive cases as "
           "expected\n");
  return failures != 0;
}
