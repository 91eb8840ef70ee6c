/* Many threads allocate random sizes in every tier (mostly small, some whales) and swap their blocks
 * into a shared slot array, so most blocks are freed by a thread other than the one that allocated
 * them, often after that thread has exited. Every block carries a pattern derived from its address
 * and size, checked before it is freed: two live blocks sharing memory, or a block changed while it
 * sat in a slot, fail the test. */
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "api_check.h"

enum { SLOTS = 1024, RUNNING = 8, GENERATIONS = 5, OPS = 3000, OWN = 32 };

static _Atomic(unsigned char *) slots[SLOTS];
static atomic_size_t allocs, remote_frees_seen;

/* The first 16 bytes hold the size and the allocating thread, the rest a sparse pattern. */
static unsigned char *new_block(uint64_t *s, unsigned tid) {
  size_t n = api_random_size(s);
  unsigned char *p = malloc(n);
  CHECK(p, "malloc(%zu)", n);
  CHECK(malloc_usable_size(p) >= n, "usable size");
  memcpy(p, &n, sizeof n);
  memcpy(p + 8, &tid, sizeof tid);
  API_FOR_SPARSE(n, 16, i, p[i] = api_byte((uintptr_t)p, n, i));
  atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
  return p;
}

static void check_free(unsigned char *p, unsigned tid) {
  size_t n;
  unsigned owner;
  memcpy(&n, p, sizeof n);
  memcpy(&owner, p + 8, sizeof owner);
  CHECK(n >= 16 && n <= 8 * MiB + 1, "block %p: size word %zu overwritten", (void *)p, n);
  API_FOR_SPARSE(n, 16, i,
                CHECK(p[i] == api_byte((uintptr_t)p, n, i), "block %p (%zu bytes, thread %u): byte %zu overwritten",
                      (void *)p, n, owner, i));
  if (owner != tid) atomic_fetch_add_explicit(&remote_frees_seen, 1, memory_order_relaxed);
  free(p);
}

static void *worker(void *arg) {
  unsigned tid = (unsigned)(uintptr_t)arg;
  uint64_t s = 0x9E3779B97F4A7C15ull * (tid + 1);
  unsigned char *own[OWN] = {0};
  for (unsigned op = 0; op < OPS; op++) {
    uint64_t r = api_rand(&s);
    if (r % 4 == 0) { /* a private block, freed by this thread */
      unsigned k = (unsigned)(r >> 8) % OWN;
      if (own[k]) check_free(own[k], tid);
      own[k] = new_block(&s, tid);
    } else { /* swap into a shared slot: the old block may be anyone's */
      unsigned char *b = new_block(&s, tid);
      unsigned char *old = atomic_exchange(&slots[(r >> 8) % SLOTS], b);
      if (old) check_free(old, tid);
    }
  }
  /* Half of the private blocks outlive the thread in the slots. */
  for (unsigned k = 0; k < OWN; k++) {
    if (!own[k]) continue;
    if (k % 2) {
      check_free(own[k], tid);
    } else {
      unsigned char *old = atomic_exchange(&slots[(tid * 131 + k) % SLOTS], own[k]);
      if (old) check_free(old, tid);
    }
  }
  return NULL;
}

int main(void) {
  pthread_t t[RUNNING];
  unsigned next = 0;
  for (unsigned i = 0; i < RUNNING; i++, next++) CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)next) == 0, "pthread_create");
  /* Rolling generations: as each thread ends, a new one starts while the others keep going. */
  for (unsigned g = 1; g < GENERATIONS; g++)
    for (unsigned i = 0; i < RUNNING; i++, next++) {
      CHECK(pthread_join(t[i], NULL) == 0, "pthread_join");
      CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)next) == 0, "pthread_create");
    }
  for (unsigned i = 0; i < RUNNING; i++) pthread_join(t[i], NULL);
  for (unsigned i = 0; i < SLOTS; i++) {
    unsigned char *p = atomic_exchange(&slots[i], NULL);
    if (p) check_free(p, ~0u);
  }
  size_t a = atomic_load(&allocs), rf = atomic_load(&remote_frees_seen);
  CHECK(rf > a / 4, "only %zu of %zu blocks were freed by another thread: the test lost its point", rf, a);
  printf("threads: %u threads, %zu blocks, %zu freed by another thread: ok\n", next, a, rf);
  return 0;
}
