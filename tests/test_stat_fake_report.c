/* A stand-in for libhakmem in the hakmem-stat tests: preloaded with --lib, it writes at exit one
 * fixed report with the PMU parts of the schema (per-category "events" with null for an event that
 * cannot be counted, "pmu" with its reason, "induced" faults by category and site), a category whose
 * share is over 100% (the release helper's work), per-thread figures (a program thread, a helper
 * thread without malloc/free calls, and entries with nothing recorded) and call sites with and
 * without an exported symbol, so that hakmem-stat's handling of them is tested with known figures
 * on any machine, PMU or not.
 * STAT_FAKE_BROKEN=1 appends a line cut short as well. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((destructor)) static void fake_report(void) {
  const char *file = getenv("HAKMEM_TIMING_FILE");
  if (!file) return;
  int fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[8192];
  int n = snprintf(line, sizeof line,
                   "{\"schema\":\"hakmem-profile\",\"version\":1,\"pid\":%d,\"ppid\":%d,\"command\":\"fake \\u00e9\","
                   "\"timing_compiled\":true,\"enabled\":true,\"threads\":1,\"tsc_hz\":1000000000,"
                   "\"top_level_cycles\":3000,\"categories\":["
                   "{\"name\":\"hak_alloc\",\"parent\":null,\"count\":10,\"total_cycles\":2000,\"min_cycles\":100,"
                   "\"max_cycles\":400,\"total_ns\":2000,\"share\":0.666667,"
                   "\"events\":{\"page-faults\":7,\"cycles\":null}},"
                   "{\"name\":\"hak_free\",\"parent\":null,\"count\":10,\"total_cycles\":1000,\"min_cycles\":50,"
                   "\"max_cycles\":200,\"total_ns\":1000,\"share\":0.333333,"
                   "\"events\":{\"page-faults\":1,\"cycles\":null}},"
                   "{\"name\":\"whale_get\",\"parent\":\"hak_alloc\",\"count\":2,\"total_cycles\":1500,"
                   "\"min_cycles\":700,\"max_cycles\":800,\"total_ns\":1500,\"share\":0.5,"
                   "\"events\":{\"page-faults\":6,\"cycles\":null}},"
                   "{\"name\":\"reclaim_complete\",\"parent\":null,\"count\":3,\"total_cycles\":9000,"
                   "\"min_cycles\":1000,\"max_cycles\":5000,\"total_ns\":9000,\"share\":3.0}],"
                   "\"pmu\":{\"sample_every\":1,\"read\":\"read\",\"running_fraction\":1.0,\"events\":["
                   "{\"name\":\"page-faults\",\"supported\":true,\"error\":null},"
                   "{\"name\":\"cycles\",\"supported\":false,\"error\":\"No such file or directory\"}]},"
                   "\"induced\":{\"period\":1,\"lost\":3,\"throttled\":0,\"process_minor_faults\":500,\"events\":["
                   "{\"name\":\"page-faults\",\"supported\":true,\"error\":null,\"samples\":105,\"total\":105,"
                   "\"categories\":{\"tiny_alloc\":40,\"whale_get\":60},\"other\":5,\"classes\":[]}],"
                   "\"site_total\":100,\"sites\":[{\"address\":\"0x1000\",\"symbol\":\"load+0x4\",\"object\":\"/x/fake\","
                   "\"object_offset\":16,\"category\":\"whale_get\",\"faults\":60},"
                   "{\"address\":\"0x7f0000002020\",\"symbol\":null,\"object\":\"/x/fake\",\"object_offset\":32,"
                   "\"category\":\"tiny_alloc\",\"faults\":40}]},"
                   "\"reclaim\":{\"backend\":\"thread\",\"batches\":2,\"ranges\":6,\"bytes\":12288,"
                   "\"avg_batch\":3.00,\"fallbacks\":1},"
                   "\"per_thread\":[{\"tid\":%d,\"exited\":false,\"threads\":1,\"categories\":{"
                   "\"hak_alloc\":{\"count\":10,\"total_cycles\":2000},\"hak_free\":{\"count\":10,\"total_cycles\":1000},"
                   "\"whale_get\":{\"count\":2,\"total_cycles\":1500}}},"
                   "{\"tid\":%d,\"exited\":false,\"threads\":1,\"categories\":{"
                   "\"reclaim_complete\":{\"count\":3,\"total_cycles\":9000}}},"
                   "{\"tid\":%d,\"exited\":true,\"threads\":1,\"categories\":{}},"
                   "{\"tid\":-1,\"exited\":true,\"threads\":0,\"categories\":{}}],"
                   "\"sites\":[{\"addr\":\"0x1000\",\"object\":\"/x/fake\",\"object_offset\":16,\"symbol\":\"load\","
                   "\"symbol_offset\":4,\"count\":2,\"total_cycles\":1500},"
                   "{\"addr\":\"0x7f0000002020\",\"object\":\"/x/fake\",\"object_offset\":32,\"symbol\":null,"
                   "\"symbol_offset\":null,\"count\":10,\"total_cycles\":500}]}\n",
                   (int)getpid(), (int)getppid(), (int)getpid(), (int)getpid() + 1, (int)getpid() + 2);
  const char *broken = getenv("STAT_FAKE_BROKEN");
  ssize_t w = write(fd, line, (size_t)n);
  if (broken && *broken == '1') {
    line[100] = '\n';
    w = write(fd, line, 101);
  }
  (void)w;
  close(fd);
}
