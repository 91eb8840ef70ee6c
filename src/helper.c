/* See helper.h. */
#include "config.h"

#include <pthread.h>
#include <signal.h>

#include "helper.h"
#include "prof.h"

int hkm_helper_start(void *(*fn)(void *)) {
  pthread_attr_t attr;
  pthread_t tid;
  sigset_t all, old;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits this mask */
  hkm_prof_mute(1);
  int r = pthread_create(&tid, &attr, fn, NULL);
  hkm_prof_mute(0);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  pthread_attr_destroy(&attr);
  return r;
}
