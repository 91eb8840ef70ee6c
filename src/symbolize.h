/* Call-site addresses to names for the reports: the object holding the address and, when the object
 * exports one, the function. dladdr neither allocates nor takes malloc's locks. */
#ifndef HKM_SYMBOLIZE_H
#define HKM_SYMBOLIZE_H

#include <stdint.h>

#define HKM_SYM_PATH_MAX 512

struct hkm_sym {
  const char *object;  /* path of the object, or NULL when unknown */
  uintptr_t object_off; /* address minus the object's load bias: what addr2line takes */
  const char *symbol;  /* the enclosing function's name, or NULL */
  uintptr_t symbol_off; /* address minus the function's */
  char exe[HKM_SYM_PATH_MAX + 1]; /* storage for the main program's path */
};

/* Fills s for addr; returns 0 when nothing is known about it (s->object and s->symbol NULL). */
int hkm_symbolize(const void *addr, struct hkm_sym *s);

/* 1 when addr is the start of a function defined in another loaded object than the one holding here;
 * 0 otherwise: same object, a non-PIE program's PLT entry (the address such a program gives a
 * function it takes the address of, which defines nothing), or no telling (a static program). */
int hkm_sym_defined_elsewhere(const void *addr, const void *here);

#endif
