/* The frozen rule tables (see site_rules.h): open addressing on the return address, in static
 * buffers used in turn, each guarded by a sequence counter (odd while its builder writes it). */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include "prof.h"
#include "site_rules.h"

/* A rule read as two words, so that a reader racing with a builder reading a reused buffer (which it
 * then discards) only ever does atomic loads. */
union rule_words {
  struct hkm_site_rule r;
  uint64_t w[2];
};
_Static_assert(sizeof(struct hkm_site_rule) <= sizeof(uint64_t[2]), "a rule fits in two words");

struct entry {
  uintptr_t key; /* 0 = empty */
  union rule_words rule;
};

struct hkm_site_rules {
  _Atomic uint32_t seq;
  union rule_words def;
  struct entry e[HKM_SITE_RULES_CAP];
};

/* Four buffers: a builder reuses the one published three tables ago, whose readers are long gone
 * unless descheduled right inside a lookup (the counter catches that). The table holds at most as
 * many sites as the evidence table (256), so probes stay short at half the capacity. */
#define BUFFERS 4
static HKM_COLD_BSS struct hkm_site_rules bufs[BUFFERS];
static _Atomic(struct hkm_site_rules *) current;
static unsigned next_buf;
static _Atomic unsigned long adopted;

static unsigned hash(uintptr_t k) {
  k ^= k >> 29;
  k *= 0xbf58476d1ce4e5b9ull;
  return (unsigned)(k >> 40) & (HKM_SITE_RULES_CAP - 1);
}

static uintptr_t key_of(const void *site) { return site ? (uintptr_t)site : 1; }

static void read_rule(const union rule_words *from, union rule_words *to) {
  to->w[0] = __atomic_load_n(&from->w[0], __ATOMIC_RELAXED);
  to->w[1] = __atomic_load_n(&from->w[1], __ATOMIC_RELAXED);
}

static void write_rule(union rule_words *to, const struct hkm_site_rule *r) {
  union rule_words u;
  memset(&u, 0, sizeof u);
  u.r = *r;
  __atomic_store_n(&to->w[0], u.w[0], __ATOMIC_RELAXED);
  __atomic_store_n(&to->w[1], u.w[1], __ATOMIC_RELAXED);
}

struct hkm_site_rule hkm_site_rules_lookup(const void *site, const struct hkm_site_rule *def) {
  HKM_TIME_START(t);
  union rule_words got;
  got.r = *def;
  uintptr_t key = key_of(site);
  for (int tries = 0; tries < 8; tries++) {
    struct hkm_site_rules *tb = atomic_load_explicit(&current, memory_order_acquire);
    if (!tb) break;
    uint32_t s1 = atomic_load_explicit(&tb->seq, memory_order_acquire);
    if (s1 & 1) continue; /* reused under us: the published pointer has moved on */
    const union rule_words *src = &tb->def; /* the table is at most half full: an empty slot ends it */
    for (unsigned i = hash(key);; i = (i + 1) & (HKM_SITE_RULES_CAP - 1)) {
      uintptr_t k = __atomic_load_n(&tb->e[i].key, __ATOMIC_RELAXED);
      if (k == key) src = &tb->e[i].rule;
      if (k == key || !k) break;
    }
    union rule_words r;
    read_rule(src, &r);
    atomic_thread_fence(memory_order_acquire);
    if (atomic_load_explicit(&tb->seq, memory_order_relaxed) == s1) {
      got = r;
      break;
    }
  }
  HKM_TIME_END(SITE_RULES_LOOKUP, t);
  return got.r;
}

struct hkm_site_rules *hkm_site_rules_begin(const struct hkm_site_rule *def) {
  struct hkm_site_rules *t = &bufs[next_buf++ % BUFFERS];
  uint32_t s = atomic_load_explicit(&t->seq, memory_order_relaxed);
  atomic_store_explicit(&t->seq, s | 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release); /* odd before any entry changes */
  for (unsigned i = 0; i < HKM_SITE_RULES_CAP; i++) __atomic_store_n(&t->e[i].key, 0, __ATOMIC_RELAXED);
  write_rule(&t->def, def);
  return t;
}

int hkm_site_rules_put(struct hkm_site_rules *t, const void *site, const struct hkm_site_rule *r) {
  uintptr_t key = key_of(site);
  for (unsigned i = hash(key), n = 0; n < HKM_SITE_RULES_CAP / 2; n++, i = (i + 1) & (HKM_SITE_RULES_CAP - 1)) {
    uintptr_t k = __atomic_load_n(&t->e[i].key, __ATOMIC_RELAXED);
    if (k && k != key) continue;
    write_rule(&t->e[i].rule, r);
    __atomic_store_n(&t->e[i].key, key, __ATOMIC_RELAXED);
    return 0;
  }
  return -1;
}

void hkm_site_rules_adopt(struct hkm_site_rules *t) {
  HKM_TIME_START(tm);
  uint32_t s = atomic_load_explicit(&t->seq, memory_order_relaxed);
  atomic_store_explicit(&t->seq, s + 1, memory_order_release); /* even: complete */
  atomic_store_explicit(&current, t, memory_order_release);
  atomic_fetch_add_explicit(&adopted, 1, memory_order_relaxed);
  HKM_TIME_END(SITE_RULES_ADOPT, tm);
}

unsigned long hkm_site_rules_adopted(void) { return atomic_load_explicit(&adopted, memory_order_relaxed); }
