/* The collection file of one process image (HAKMEM_TIMING_DIR=DIR, set by hakmem-stat): DIR/PID.N,
 * N counting the program images that process PID ran on hakmem (an execve into another program on
 * hakmem starts N + 1). The process's profiler counters live in it (a shared mapping), so the figures
 * are on disk however the process ends; hakmem-stat reads every file after the run.
 *
 * Layout: the head below, at offset 0, then `chunks` chunks of `chunk_blocks` blocks of `block_bytes`
 * each, from offset `head_bytes` (a multiple of the page size), then the exit report when there is
 * one (`json_off`, `json_len`): the profiler's per-thread blocks
 * (prof_block.h: a struct hkm_prof_block_head, then `nslots` struct hkm_prof_slot at `slot_off`,
 * `ncat` struct hkm_prof_cat at `cat_off`, `ncat` struct hkm_pmu_tally at `pmu_off`). The first block
 * of the first chunk holds the threads whose own blocks were taken over by newer threads.
 *
 * Endings: a process writes `ending` itself when it leaves through exit() (its exit report written)
 * or _exit(); a parent on hakmem that reaps it with the wait family, or hakmem-stat
 * when it reaps it, writes `reaped` and the wait status into the file of its last image. Types and
 * constants only: shared by the library (collect.c) and hakmem-stat (hakmem-stat-run.c, -agg.c). */
#ifndef HKM_COLLECT_FORMAT_H
#define HKM_COLLECT_FORMAT_H

#include <stdint.h>

#define HKM_COLLECT_MAGIC 0x314c4f434d4b4855ull /* "UHKMCOL1" */
/* 2: nest in the head, inner counts in the categories; 3: interrupted calls; 4: event tallies split */
#define HKM_COLLECT_VERSION 4
#define HKM_COLLECT_CATS 64       /* room for category names */
#define HKM_COLLECT_NAME 32       /* bytes per category name */
#define HKM_COLLECT_SLOT_MAP 256  /* room for the slot map */
#define HKM_COLLECT_WARNINGS 8    /* distinct warnings kept */
#define HKM_COLLECT_WARNING 240   /* bytes of each, "hakmem: ...\n" */
#define HKM_COLLECT_CMDLINE 256

enum hkm_collect_ending {
  HKM_END_NONE,  /* running, or ended without saying so: killed, exec'd, or an exit that ran no handler */
  HKM_END_EXIT,  /* left through exit(): its exit handler ran and wrote the report */
  HKM_END__EXIT, /* left through _exit() or _Exit() with exit_code */
};

struct hkm_collect_warning {
  uint32_t count; /* times this process gave it */
  char text[HKM_COLLECT_WARNING];
};

struct hkm_collect_head {
  uint64_t magic;
  uint32_t version;
  uint32_t head_bytes;   /* where the first chunk starts */
  uint32_t block_bytes;  /* bytes per block */
  uint32_t chunk_blocks; /* blocks per chunk */
  uint32_t chunks;       /* chunks in the file so far */
  uint32_t ncat, nslots;
  uint32_t slot_off, cat_off, pmu_off; /* within a block */
  int32_t pid, ppid;
  uint32_t image;        /* N */
  uint32_t sample_every; /* HAKMEM_TIMING_SAMPLE */
  uint32_t timing_compiled;
  uint64_t tsc0, ns0; /* the TSC and CLOCK_MONOTONIC_RAW (ns) read together at the start */
  uint64_t bias;      /* the timer bias of one measurement, in cycles, written with the exit report
                       * (calibrating costs a process some 40 us: those that write none take
                       * another image's of the run) */
  uint64_t nest;      /* what a measurement ending inside a timed call adds to it, written with bias */
  int32_t ending;     /* enum hkm_collect_ending */
  int32_t exit_code;  /* with HKM_END__EXIT */
  int32_t reaped;     /* 1: wait_status is what its parent or hakmem-stat got from the kernel */
  int32_t wait_status;
  uint32_t nwarn;
  uint32_t json_len;  /* the exit report (JSON, one line), when it ended through exit() */
  uint64_t json_off;  /* where it is in the file: after the chunks */
  char cmdline[HKM_COLLECT_CMDLINE]; /* arguments joined by spaces, NUL-terminated */
  char cat_name[HKM_COLLECT_CATS][HKM_COLLECT_NAME];
  int8_t cat_parent[HKM_COLLECT_CATS]; /* -1: none */
  uint8_t cat_sampled[HKM_COLLECT_CATS];
  int8_t slot_cat[HKM_COLLECT_SLOT_MAP][2]; /* the categories each slot stands for, -1: none */
  struct hkm_collect_warning warn[HKM_COLLECT_WARNINGS];
};

#endif
