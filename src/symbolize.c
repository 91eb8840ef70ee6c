/* Call-site addresses to names (see symbolize.h). */
#include "config.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "symbolize.h"

int hkm_symbolize(const void *addr, struct hkm_sym *s) {
  Dl_info info;
  struct link_map *lm = NULL;
  memset(s, 0, sizeof *s);
  if (!addr || !dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP)) return 0;
  /* The main program's name in the link map is empty, and dladdr falls back on argv[0], which may be
   * relative to a directory the program has since left: the kernel knows the real path. */
  if (lm && !*lm->l_name) {
    ssize_t n = readlink("/proc/self/exe", s->exe, sizeof s->exe - 1);
    if (n > 0) {
      s->exe[n] = 0;
      info.dli_fname = s->exe;
    }
  }
  if (info.dli_fname && *info.dli_fname) {
    s->object = info.dli_fname;
    /* minus the load bias, not the mapping's start: the address addr2line wants, for executables
     * linked at a fixed address as for position-independent objects */
    s->object_off = (uintptr_t)addr - (lm ? (uintptr_t)lm->l_addr : (uintptr_t)info.dli_fbase);
  }
  if (info.dli_sname) {
    s->symbol = info.dli_sname;
    s->symbol_off = (uintptr_t)addr - (uintptr_t)info.dli_saddr;
  }
  return 1;
}

int hkm_sym_defined_elsewhere(const void *addr, const void *here) {
  Dl_info x, y;
  const ElfW(Sym) *sym = NULL;
  if (!dladdr1(addr, &x, (void **)&sym, RTLD_DL_SYMENT) || !dladdr(here, &y)) return 0;
  return x.dli_fbase != y.dli_fbase && sym && sym->st_shndx != SHN_UNDEF && x.dli_saddr == addr;
}
