/* See collect_reap.h. */
#include "config.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "collect_format.h"
#include "collect_reap.h"

int hkm_collect_mark_reaped(const char *dir, int pid, int status) {
  char path[4096];
  int last = -1;
  for (unsigned n = 0; n < 1u << 20; n++) { /* the images are numbered from 0 without gaps */
    if ((size_t)snprintf(path, sizeof path, "%s/%d.%u", dir, pid, n) >= sizeof path) return -1;
    if (access(path, F_OK) != 0) break;
    last = (int)n;
  }
  if (last < 0) return -1;
  snprintf(path, sizeof path, "%s/%d.%d", dir, pid, last);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int32_t v[2] = {1, status}; /* reaped, wait_status: adjacent in the head */
  ssize_t w = pwrite(fd, v, sizeof v, offsetof(struct hkm_collect_head, reaped));
  close(fd);
  return w == (ssize_t)sizeof v ? 0 : -1;
}
