/* hkm_text_window (src/text_trim.c) around a call that maps read-only data: the pages the call mapped
 * in the read-only segment of the object whose text holds the function are unmapped again at close,
 * the pages mapped before the open stay. The object here is this program (its ld.so entry, as libc's
 * is for __register_atfork at init), the data a table of its own in .rodata, a page of it read before
 * the window opens and one far from it inside. Exits 77 when the kernel maps the far page together
 * with the first (a whole large folio), so that nothing is left to see. */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "text_trim.h"

#define TABLE_PAGES 96 /* within HKM_WINDOW_PAGES of the segment's start with the rest of .rodata */
#define NEAR 0
#define FAR 90

static const unsigned char table[TABLE_PAGES * 4096] __attribute__((aligned(4096))) = {1};

__attribute__((noinline)) static int read_page(int page) {
  return ((volatile const unsigned char *)table)[page * 4096 + 7];
}

static int present(int pm, int page) {
  uint64_t e;
  if (pread(pm, &e, sizeof e, (off_t)((uintptr_t)(table + page * 4096) / 4096 * sizeof e)) != sizeof e) {
    perror("pagemap");
    _exit(1);
  }
  return (int)(e >> 63);
}

int main(void) {
  int pm = open("/proc/self/pagemap", O_RDONLY);
  if (pm < 0) {
    perror("/proc/self/pagemap");
    return 1;
  }
  madvise((void *)table, sizeof table, MADV_DONTNEED); /* clean file pages: whatever is read faults in again */
  read_page(NEAR);
  unsigned char before[TABLE_PAGES];
  for (int i = 0; i < TABLE_PAGES; i++) before[i] = (unsigned char)present(pm, i);
  if (!before[NEAR] || before[FAR]) {
    printf("SKIP: page %d of the table is %s after reading page %d\n", before[NEAR] ? FAR : NEAR,
           before[NEAR] ? "mapped" : "not mapped", NEAR);
    return 77;
  }
  struct hkm_text_window w;
  hkm_text_window_open(&w, (const void *)read_page);
  read_page(FAR);
  int mapped = present(pm, FAR);
  hkm_text_window_close(&w);
  int wrong = 0, dropped = 0;
  for (int i = 0; i < TABLE_PAGES; i++) {
    int now = present(pm, i);
    if (now != before[i]) {
      fprintf(stderr, "table page %d: %s before the window, %s after it\n", i, before[i] ? "mapped" : "not mapped",
              now ? "mapped" : "not mapped");
      wrong++;
    }
    dropped += !now && i >= FAR - 15 && i <= FAR;
  }
  printf("page %d mapped by the call: %d; after the window: %d table pages as before it (%d wrong), "
         "%d around page %d unmapped\n", FAR, mapped, TABLE_PAGES - wrong, wrong, dropped, FAR);
  if (!mapped) {
    fprintf(stderr, "reading page %d did not map it\n", FAR);
    return 1;
  }
  return wrong ? 1 : 0;
}
