/* Marking a reaped process's collection file with its wait status: what its parent on hakmem (the
 * wait family, collect_end.c) or hakmem-stat learns when it reaps it. Shared by the library and
 * hakmem-stat; uses nothing but system calls (it may run inside a program's waitpid). */
#ifndef HKM_COLLECT_REAP_H
#define HKM_COLLECT_REAP_H

/* In dir, the file of pid's last image (DIR/PID.N with the largest N) gets reaped = 1 and status.
 * Returns 0, or -1 when pid left no file there (it never ran on hakmem). */
int hkm_collect_mark_reaped(const char *dir, int pid, int status);

#endif
