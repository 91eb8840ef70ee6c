/* A program that neither profiles nor learns maps no text past the code every process runs, and
 * without HAKMEM_* variables none of the library's read-only data segment (its string literals and
 * unwind tables: 9 pages, all mapped by one read; src/options.c says how it stays out).
 *
 * The kernel maps a file's text 16 pages at a time around each page a process executes (fault-around),
 * or a whole large folio of a file written recently, so one call into the profiling or learning
 * modules, or code every process runs left among them, maps more of it. The linker puts that code
 * first, in .text.hkm_run (src/run_text.ld), and init splits the rest of the text off into a mapping
 * of its own and unmaps what the first faults mapped of it (src/text_trim.c). This runs the
 * allocator's paths (every tier, realloc, calloc, aligned blocks, another thread's frees, trim, a
 * release), then checks that the mapping that holds malloc ends with the page that holds the end of
 * .text.hkm_run, and reads in /proc/self/pagemap that no page of the text mapping after it is
 * present; and, first thing in main, that none of libc's 64 KiB around __register_atfork (which
 * hakmem's init calls) is. */
#define _GNU_SOURCE
#include "config.h"
#include <dlfcn.h>
#include <link.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "api_check.h"
#include "hakmem.h"


/* The end of section name in the object file that holds addr, as loaded; 0 when it has none. */
static uintptr_t section_end(const void *addr, const char *name) {
  Dl_info di;
  CHECK(dladdr(addr, &di) && di.dli_fname, "dladdr");
  FILE *f = fopen(di.dli_fname, "rb");
  CHECK(f, "cannot open %s", di.dli_fname);
  ElfW(Ehdr) eh;
  CHECK(fread(&eh, sizeof eh, 1, f) == 1, "%s: no ELF header", di.dli_fname);
  ElfW(Shdr) sh[256], *strs;
  CHECK(eh.e_shnum <= 256 && eh.e_shstrndx < eh.e_shnum, "%s: %u sections", di.dli_fname, eh.e_shnum);
  CHECK(fseek(f, (long)eh.e_shoff, SEEK_SET) == 0 && fread(sh, sizeof *sh, eh.e_shnum, f) == eh.e_shnum, "section headers");
  strs = &sh[eh.e_shstrndx];
  char names[4096];
  size_t n = strs->sh_size < sizeof names ? strs->sh_size : sizeof names - 1;
  CHECK(fseek(f, (long)strs->sh_offset, SEEK_SET) == 0 && fread(names, 1, n, f) == n, "section names");
  names[n] = 0;
  fclose(f);
  for (unsigned i = 0; i < eh.e_shnum; i++)
    if (sh[i].sh_name < n && !strcmp(names + sh[i].sh_name, name))
      return (uintptr_t)di.dli_fbase + sh[i].sh_addr + sh[i].sh_size;
  return 0;
}

static void *blocks[64];

static void *free_others(void *arg) {
  (void)arg;
  for (int i = 0; i < 64; i++) free(blocks[i]);
  void *p = malloc(100);
  free(p);
  return NULL;
}

static void run_allocator(void) {
  static const size_t sizes[] = {8, 100, 1000, 5000, 40000, 300000, 1500000, 5000000};
  for (int r = 0; r < 3; r++)
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
      char *p = malloc(sizes[i]);
      CHECK(p, "malloc(%zu)", sizes[i]);
      p[0] = 1;
      p = realloc(p, sizes[i] * 2);
      CHECK(p && malloc_usable_size(p) >= sizes[i] * 2, "realloc to %zu", sizes[i] * 2);
      free(p);
      p = calloc(1, sizes[i]);
      CHECK(p && p[sizes[i] - 1] == 0, "calloc(%zu)", sizes[i]);
      free(p);
      void *a;
      CHECK(posix_memalign(&a, 4096, sizes[i]) == 0, "posix_memalign(4096, %zu)", sizes[i]);
      free(a);
    }
  for (int i = 0; i < 64; i++) blocks[i] = malloc(16 + (size_t)i * 48);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, free_others, NULL) == 0, "pthread_create");
  pthread_join(t, NULL);
  malloc_trim(0);
}

/* Whether the page at a is resident, from /proc/self/pagemap (open on pm). */
static int page_present(int pm, uintptr_t a) {
  uint64_t e;
  CHECK(pread(pm, &e, sizeof e, (off_t)(a / 4096 * sizeof e)) == sizeof e, "pagemap read");
  return (int)(e >> 63);
}

static int count_present(int pm, uintptr_t lo, uintptr_t hi) {
  int n = 0;
  for (uintptr_t a = lo & ~(uintptr_t)4095; a < hi; a += 4096) n += page_present(pm, a);
  return n;
}

/* The read-only data segment of the object that holds hakmem's malloc: its loadable segment that is
 * neither writable nor executable and comes after the text. */
struct ro_find {
  uintptr_t malloc_at, lo, hi;
};

static int find_ro(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  struct ro_find *f = arg;
  int holds = 0;
  uintptr_t text = 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t a = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && f->malloc_at >= a && f->malloc_at < a + ph->p_memsz) {
      holds = 1;
      text = a;
    }
  }
  if (!holds) return 0;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t a = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && !(ph->p_flags & (PF_W | PF_X)) && a > text) {
      f->lo = a;
      f->hi = a + ph->p_memsz;
    }
  }
  return 1;
}

static void check_rodata(void) {
  extern char **environ;
  for (char **e = environ; *e; e++)
    if (!strncmp(*e, "HAKMEM_", 7)) {
      printf("read-only segment not checked: %.*s is set\n", (int)strcspn(*e, "="), *e);
      return;
    }
  struct ro_find f = {(uintptr_t)dlsym(RTLD_DEFAULT, "malloc"), 0, 0};
  dl_iterate_phdr(find_ro, &f);
  if (!f.hi) { /* gold, or ld -z noseparate-code: the read-only data shares the text's segment */
    printf("read-only segment not checked: the linker put the read-only data in the text's segment\n");
    return;
  }
  int pm = open("/proc/self/pagemap", O_RDONLY);
  CHECK(pm >= 0, "cannot open /proc/self/pagemap");
  int n = count_present(pm, f.lo, f.hi);
  close(pm);
  printf("%d of %lu pages of the read-only data segment resident; none should be\n", n,
         (unsigned long)((f.hi - (f.lo & ~(uintptr_t)4095) + 4095) / 4096));
  CHECK(n == 0, "%d pages of hakmem's read-only data segment are resident in a process without HAKMEM_* variables", n);
}

#ifdef HAVE___REGISTER_ATFORK
/* glibc's __register_atfork, which hakmem calls at init: the kernel maps the 64 KiB of libc around it,
 * which a process on glibc's malloc does not map; init unmaps the pages the call mapped
 * (src/text_trim.h). Counted before main does anything else. Taking its address runs none of it. */
extern int __register_atfork(void (*)(void), void (*)(void), void (*)(void), void *);
static int atfork_window_present(void) {
  int pm = open("/proc/self/pagemap", O_RDONLY);
  CHECK(pm >= 0, "cannot open /proc/self/pagemap");
  uintptr_t a = (uintptr_t)&__register_atfork & ~(uintptr_t)0xffff;
  int n = count_present(pm, a, a + 0x10000);
  close(pm);
  return n;
}
#endif

int main(void) {
#ifdef HAVE___REGISTER_ATFORK
  int atfork_pages = atfork_window_present();
#endif
  const char *env[] = {"HAKMEM_TIMING", "HAKMEM_TIMING_DIR", "HAKMEM_PMU", "HAKMEM_PMU_FAULTS", "HAKMEM_LEARN_FORCE"};
  for (size_t i = 0; i < sizeof env / sizeof *env; i++)
    if (getenv(env[i])) {
      printf("SKIP: %s is set (this checks a process that neither profiles nor learns)\n", env[i]);
      return 77;
    }
  const char *mode = getenv("HAKMEM_MODE");
  if (mode && (!strcmp(mode, "learning") || !strcmp(mode, "research"))) {
    printf("SKIP: HAKMEM_MODE=%s learns\n", mode);
    return 77;
  }
#ifdef HAVE___REGISTER_ATFORK
  printf("%d of the 16 pages of libc around __register_atfork mapped at main; none should be\n", atfork_pages);
  CHECK(atfork_pages == 0, "libc's pages around __register_atfork stay mapped after hakmem's init");
#endif
  run_allocator();
  check_rodata();

#if !HKM_HAVE_RUN_TEXT
  printf("SKIP: the library was linked without src/run_text.ld (configure: the linker does not take it)\n");
  return 77;
#endif
  void *hm = dlsym(RTLD_DEFAULT, "malloc");
  uintptr_t run_end = section_end(hm, ".text.hkm_run");
  CHECK(run_end > (uintptr_t)hm, "hakmem's malloc is not in its .text.hkm_run section (src/run_text.ld)");
  uintptr_t split = (run_end + 4095) & ~(uintptr_t)4095;
  FILE *maps = fopen("/proc/self/maps", "r");
  CHECK(maps, "cannot read /proc/self/maps");
  uintptr_t lo = 0, hi = 0, cold_lo = 0, cold_hi = 0;
  char line[512];
  while (fgets(line, sizeof line, maps)) {
    unsigned long a, b;
    char perm[5];
    if (sscanf(line, "%lx-%lx %4s", &a, &b, perm) != 3) continue;
    if (a < run_end && run_end - 1 < b) {
      CHECK(perm[2] == 'x', "hakmem's malloc lies in a mapping that is not executable: %s", line);
      lo = a;
      hi = b;
    } else if (hi && a == hi && perm[2] == 'x') {
      cold_lo = a;
      cold_hi = b;
    }
  }
  fclose(maps);
  CHECK(hi, "no mapping holds hakmem's malloc");
  CHECK(hi == split, "the text mapping that holds malloc ends at +%#lx, not with .text.hkm_run's last page (+%#lx): "
        "the rest of the text was not split off (src/text_trim.c)", (unsigned long)(hi - lo), (unsigned long)(split - lo));
  CHECK(cold_hi, "no text mapping follows .text.hkm_run's");
  int pm = open("/proc/self/pagemap", O_RDONLY);
  CHECK(pm >= 0, "cannot open /proc/self/pagemap");
  unsigned mapped = (unsigned)count_present(pm, lo, hi), beyond = 0;
  for (uintptr_t a = cold_lo; a < cold_hi; a += 4096) {
    if (!page_present(pm, a)) continue;
    Dl_info di;
    const char *near = dladdr((void *)a, &di) && di.dli_sname ? di.dli_sname : "?";
    fprintf(stderr, "text page +%#lx is resident (near %s)\n", (unsigned long)(a - lo), near);
    beyond++;
  }
  close(pm);
  printf("%u of %lu pages of .text.hkm_run's mapping resident; of the %lu text pages after it %u are, none should be\n",
         mapped, (unsigned long)((hi - lo) / 4096), (unsigned long)((cold_hi - cold_lo) / 4096), beyond);
  CHECK(beyond == 0, "%u text pages past the code every process runs (.text.hkm_run) are resident", beyond);
  return 0;
}
