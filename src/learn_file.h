/* HAKMEM_LEARN_FILE: the learned site rules of a program, saved at its exit and loaded at its next
 * run's first large allocation, so that a second run starts where the first ended.
 *
 * A small text file, one line per item, version first:
 *   hakmem-learn 1
 *   program <path of the executable>
 *   object <index> <size> <mtime> <path>          every object (executable, library) holding a site
 *   site <object> <offset> <tier> <backing> <keep> <keep_ms_log2> <foreign> <density_pm>
 *        <chunk_density_pm> <pages>
 *        <score lazy huge prefault> <pulls lazy huge prefault>
 *   end <number of site lines>
 * (a site is one line; '#' starts a comment line). Sites are keyed by object and offset from the
 * object's load address, so address space randomization does not matter. A file that is not this
 * version, that another program wrote, or that is cut short or malformed anywhere is ignored whole,
 * with one warning; the sites of an object whose size or time changed since (a rebuilt library) are
 * dropped, with one warning. Another program's file is never overwritten. */
#ifndef HKM_LEARN_FILE_H
#define HKM_LEARN_FILE_H

#include <stdint.h>
#include "site_rules.h"

#define HKM_LEARN_FILE_SITES 256

/* One site as saved. */
struct hkm_learned {
  uintptr_t addr;  /* the site in this process: set by resolve (0: its object is not loaded or changed);
                      given to save */
  uint8_t tier, backing, keep, keep_ms_log2, foreign;
  int32_t density_pm;              /* pages touched per thousand, -1 unknown */
  int32_t chunk_density_pm;        /* 2 MiB chunks touched per thousand, -1 unknown */
  uint32_t pages;                  /* pages of a typical block */
  int64_t score[HKM_BACK_COUNT];   /* cycles per KiB used, -1 unknown */
  uint32_t pulls[HKM_BACK_COUNT];
  /* load only */
  unsigned object;
  uint64_t offset;
};

/* Reads path into out (at most max sites); returns how many, 0 when there is none, with one warning
 * when the file exists but is not usable. Does not allocate. */
int hkm_learn_file_load(const char *path, struct hkm_learned *out, int max);
/* Sets addr of each loaded site whose object is loaded here unchanged (dl_iterate_phdr, stat). */
void hkm_learn_file_resolve(struct hkm_learned *e, int n);
/* Writes the sites (by addr) to path, through a temporary file renamed over it; nothing when the
 * file belongs to another program. Returns 0, or -1 after one warning. */
int hkm_learn_file_save(const char *path, const struct hkm_learned *e, int n);

#endif
