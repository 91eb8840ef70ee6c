/* Event names to perf_event_attr, and opening them (see perfev.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "options.h"
#include "perfev.h"

#if HKM_HAVE_PFM
static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_status = -1;
static void pfm_start(void) { pfm_status = pfm_initialize(); }
#endif

int hkm_event_encode(const char *name, struct perf_event_attr *attr, char *why, size_t whylen) {
  memset(attr, 0, sizeof *attr);
#if HKM_HAVE_PFM
  pthread_once(&pfm_once, pfm_start);
  if (pfm_status != PFM_SUCCESS) {
    snprintf(why, whylen, "libpfm4 did not initialize: %s", pfm_strerror(pfm_status));
    return -1;
  }
  pfm_perf_encode_arg_t arg;
  memset(&arg, 0, sizeof arg);
  arg.attr = attr;
  arg.size = sizeof arg;
  int r = pfm_get_os_event_encoding(name, PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
  if (r != PFM_SUCCESS) {
    snprintf(why, whylen, "%s", pfm_strerror(r));
    return -1;
  }
#else
  if (strcmp(name, "page-faults") != 0 && strcmp(name, "faults") != 0) {
    snprintf(why, whylen, "hakmem was built --without-pfm and knows only page-faults");
    return -1;
  }
  attr->type = PERF_TYPE_SOFTWARE;
  attr->config = PERF_COUNT_SW_PAGE_FAULTS;
#endif
  attr->size = sizeof *attr;
  attr->exclude_kernel = 1;
  attr->exclude_hv = 1;
  return 0;
}

int hkm_event_open_on(struct perf_event_attr *attr, int cpu, int group_fd) {
  long fd = syscall(SYS_perf_event_open, attr, 0, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
  return fd < 0 ? -1 : (int)fd;
}

int hkm_event_open(struct perf_event_attr *attr, int group_fd) { return hkm_event_open_on(attr, -1, group_fd); }

int hkm_event_split(const char *list, char names[][HKM_EVENT_NAME_MAX], int max, const char *var) {
  int n = 0;
  while (*list) {
    size_t len = strcspn(list, ",");
    if (len >= HKM_EVENT_NAME_MAX)
      hkm_warn("%s: event name '%.*s' is too long; ignored", var, (int)len, list);
    else if (len && n == max)
      hkm_warn("%s: at most %d events; '%.*s' ignored", var, max, (int)len, list);
    else if (len) {
      memcpy(names[n], list, len);
      names[n++][len] = 0;
    }
    list += len;
    if (*list == ',') list++;
  }
  return n;
}
