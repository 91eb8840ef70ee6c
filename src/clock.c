/* Finding the vDSO's clock_gettime: the vDSO is an ELF image the kernel maps into every process (its
 * address in the auxiliary vector); its dynamic symbol table names the function. */
#include "config.h"

#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

#include "clock.h"
#include "compiler.h"

/* In .data: a string literal would put the library's read-only segment (9 pages) in every process
 * that reads the clock (compiler.h, HKM_DATA). */
static char vdso_name[] HKM_DATA = "__vdso_clock_gettime";

typedef int (*gettime_fn)(clockid_t, struct timespec *);

/* 0 not looked up yet; the libc function when the vDSO has none. Racing lookups find the same. */
static _Atomic(gettime_fn) gettime;

static gettime_fn vdso_lookup(void) {
  const char *base = (const char *)getauxval(AT_SYSINFO_EHDR);
  if (!base) return NULL;
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
  if (eh->e_ident[EI_MAG0] != ELFMAG0 || eh->e_ident[EI_MAG1] != ELFMAG1 || eh->e_ident[EI_MAG2] != ELFMAG2 ||
      eh->e_ident[EI_MAG3] != ELFMAG3 || eh->e_ident[EI_CLASS] != ELFCLASS64 || !eh->e_shoff)
    return NULL;
  /* Where the image's virtual addresses land: its first loadable segment is at base. */
  const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
  intptr_t bias = 0;
  int loaded = 0;
  for (unsigned i = 0; i < eh->e_phnum && !loaded; i++)
    if (ph[i].p_type == PT_LOAD) {
      bias = (intptr_t)base + (intptr_t)ph[i].p_offset - (intptr_t)ph[i].p_vaddr;
      loaded = 1;
    }
  if (!loaded) return NULL;
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(base + eh->e_shoff);
  for (unsigned i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type != SHT_DYNSYM || sh[i].sh_link >= eh->e_shnum || !sh[i].sh_entsize) continue;
    const Elf64_Sym *sym = (const Elf64_Sym *)(base + sh[i].sh_offset);
    const char *names = base + sh[sh[i].sh_link].sh_offset;
    for (size_t k = 0; k < sh[i].sh_size / sh[i].sh_entsize; k++)
      if (ELF64_ST_TYPE(sym[k].st_info) == STT_FUNC && sym[k].st_shndx != SHN_UNDEF &&
          !strcmp(names + sym[k].st_name, vdso_name))
        return (gettime_fn)(bias + (intptr_t)sym[k].st_value);
  }
  return NULL;
}

uint64_t hkm_clock_ns(clockid_t id) {
  gettime_fn f = gettime;
  if (!f) {
    f = vdso_lookup();
    if (!f) f = clock_gettime;
    gettime = f;
  }
  /* The vDSO's function makes the system call itself for a clock it does not keep (the thread CPU
   * clock), so its failure is the kernel's: ts then stays zero. */
  struct timespec ts = {0, 0};
  f(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
