/* See lock.h. */
#include "config.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "compiler.h"
#include "lock.h"

/* Held sections last tens to hundreds of cycles: a short spin usually sees the lock go. */
#define SPINS 64

static HKM_NOINLINE void wait_for(struct hkm_lock *l) {
  for (int i = 0; i < SPINS; i++) {
    __builtin_ia32_pause();
    int free = 0;
    if (atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
        atomic_compare_exchange_weak_explicit(&l->v, &free, 1, memory_order_acquire, memory_order_relaxed))
      return;
  }
  /* Held as 2 from here on: whoever lets it go wakes a sleeper, so none is left behind. */
  while (atomic_exchange_explicit(&l->v, 2, memory_order_acquire) != 0)
    syscall(SYS_futex, (int *)&l->v, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
}

void hkm_lock(struct hkm_lock *l) {
  int free = 0;
  if (hkm_unlikely(!atomic_compare_exchange_strong_explicit(&l->v, &free, 1, memory_order_acquire, memory_order_relaxed)))
    wait_for(l);
}

void hkm_unlock(struct hkm_lock *l) {
  if (hkm_unlikely(atomic_exchange_explicit(&l->v, 0, memory_order_release) == 2))
    syscall(SYS_futex, (int *)&l->v, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

void hkm_lock_reset(struct hkm_lock *l) { atomic_store_explicit(&l->v, 0, memory_order_relaxed); }
