/* The frozen site-rule table (src/site_rules.c, compiled in here with the profiler stubbed out): a
 * lookup racing with publication returns either the old table's rule or the new one's, never a mix
 * of the two; a site the table does not hold gets the table's default; and a forked child reads what
 * was published and can publish on its own.
 *
 * Every table of generation g holds the sites k with (k + x) % 3 != 0, x = g % 32, each rule's fields
 * all derived from x, so a rule read half from one table and half from another shows. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "site_rules.c"

/* What site_rules.c's timing points reach (prof.h); the profiler stays off, so none of it runs. */
int hkm_prof_enabled;
__thread struct hkm_prof_self hkm_prof_self;
const struct hkm_prof_hooks *hkm_prof_hooks;
void hkm_prof_end(int cat, struct hkm_prof_mark m) {
  (void)cat;
  (void)m;
}

#define SITES 200
#define READERS 3
#define FAIL(...) (fprintf(stderr, "test_learn_rules: " __VA_ARGS__), fputc('\n', stderr), exit(1))

static const void *site(unsigned k) { return (const void *)(uintptr_t)(0x400000 + 16 * k); }

static struct hkm_site_rule rule_of(unsigned x, unsigned k, int known) {
  struct hkm_site_rule r = {0};
  r.backing = (uint8_t)(x % 3);
  r.explore = (uint8_t)((x + 1) % 3);
  r.explore_shift = (uint8_t)x;
  r.sample_shift = (uint8_t)x;
  r.keep = (uint8_t)(x & 1);
  r.keep_ms_log2 = (uint8_t)(x % 11);
  r.foreign = (uint8_t)((x >> 1) & 1);
  r.known = (uint8_t)known;
  r.probe = (uint8_t)((x >> 2) & 1);
  r.slot = (uint16_t)(known ? k + 1 : 0);
  return r;
}

static void publish(unsigned g) {
  unsigned x = g % 32;
  struct hkm_site_rule def = rule_of(x, 0, 0);
  struct hkm_site_rules *t = hkm_site_rules_begin(&def);
  for (unsigned k = 0; k < SITES; k++) {
    if ((k + x) % 3 == 0) continue;
    struct hkm_site_rule r = rule_of(x, k, 1);
    if (hkm_site_rules_put(t, site(k), &r) != 0) FAIL("table full at %u sites", k);
  }
  hkm_site_rules_adopt(t);
}

static int same(const struct hkm_site_rule *a, const struct hkm_site_rule *b) {
  return a->backing == b->backing && a->explore == b->explore && a->explore_shift == b->explore_shift &&
         a->sample_shift == b->sample_shift && a->keep == b->keep && a->keep_ms_log2 == b->keep_ms_log2 &&
         a->foreign == b->foreign && a->known == b->known && a->probe == b->probe && a->slot == b->slot;
}

/* One lookup, checked; returns 1 when the site was in the table. */
static int check_one(unsigned k, const struct hkm_site_rule *none) {
  struct hkm_site_rule r = hkm_site_rules_lookup(site(k), none);
  if (r.explore_shift >= 32) FAIL("site %u: rule from no table (shift %u)", k, r.explore_shift);
  unsigned x = r.explore_shift;
  int present = (k + x) % 3 != 0;
  struct hkm_site_rule want = rule_of(x, k, present);
  if (!same(&r, &want))
    FAIL("site %u: torn or wrong rule (x %u: backing %u explore %u sample %u keep %u/%u foreign %u known %u slot %u)", k, x,
         r.backing, r.explore, r.sample_shift, r.keep, r.keep_ms_log2, r.foreign, r.known, r.slot);
  /* a site never put in any table gets the default of whichever table was read */
  struct hkm_site_rule d = hkm_site_rules_lookup(site(SITES + k), none);
  struct hkm_site_rule dwant = rule_of(d.explore_shift % 32, 0, 0);
  if (d.explore_shift >= 32 || !same(&d, &dwant)) FAIL("absent site: not the default rule");
  return present;
}

static atomic_int stop;
static atomic_ulong lookups, hits;

static void *reader(void *arg) {
  struct hkm_site_rule none = {0};
  none.explore_shift = 99; /* what lookup returns with no table: never, once one is published */
  unsigned seed = (unsigned)(uintptr_t)arg;
  while (!atomic_load(&stop)) {
    seed = seed * 1103515245u + 12345u;
    unsigned k = (seed >> 8) % SITES;
    atomic_fetch_add(&hits, (unsigned long)check_one(k, &none));
    atomic_fetch_add(&lookups, 1);
  }
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void) {
  struct hkm_site_rule none = {0};
  none.explore_shift = 99;
  if (hkm_site_rules_lookup(site(1), &none).explore_shift != 99) FAIL("no table: the caller's default must come back");
  publish(1);
  pthread_t t[READERS];
  for (int i = 0; i < READERS; i++)
    if (pthread_create(&t[i], NULL, reader, (void *)(uintptr_t)(i + 1)) != 0) FAIL("pthread_create");
  unsigned g = 2;
  double t0 = now_s();
  int forked = 0;
  while (now_s() - t0 < 0.6) {
    publish(g++);
    if (!forked && now_s() - t0 > 0.3) {
      forked = 1;
      pid_t pid = fork();
      if (pid < 0) FAIL("fork");
      if (pid == 0) { /* the table published before the fork, then the child's own */
        for (unsigned k = 0; k < SITES; k++) check_one(k, &none);
        for (unsigned i = 0; i < 50; i++) {
          publish(1000 + i);
          for (unsigned k = 0; k < SITES; k++) check_one(k, &none);
        }
        struct hkm_site_rule r = hkm_site_rules_lookup(site(2), &none);
        if (r.explore_shift != 1049 % 32) FAIL("child: its last table is not the one read");
        _exit(0);
      }
      int st;
      if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) FAIL("the forked child failed");
    }
  }
  atomic_store(&stop, 1);
  for (int i = 0; i < READERS; i++) pthread_join(t[i], NULL);
  if (!atomic_load(&hits) || atomic_load(&hits) == atomic_load(&lookups)) FAIL("lookups never or always found their site");
  printf("%lu lookups (%lu in the table) against %u tables published, and a forked child: all consistent\n",
         atomic_load(&lookups), atomic_load(&hits), g - 1);
  return 0;
}
