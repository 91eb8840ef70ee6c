/* C++'s operators (src/cxx_new.c) in a process without a C++ runtime: a C program that calls them by
 * their names gets hakmem's blocks, NULL from a nothrow form it cannot meet, and, from a throwing form
 * it cannot meet, one line naming the operator and an abort (there is nothing to throw
 * std::bad_alloc with), never a NULL it would not check. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>

#include "api_check.h"
#include "api_child.h"

void *_Znwm(size_t n);
void *_ZnwmRKSt9nothrow_t(size_t n, const void *tag);
void _ZdlPv(void *p);

static const char nothrow_tag;

static void new_impossible(void) {
  void *r = _Znwm(SIZE_MAX / 2);
  printf("returned %p\n", r);
}

int main(void) {
  CHECK(dlsym(RTLD_DEFAULT, "_ZSt17__throw_bad_allocv") == NULL, "a C++ runtime is loaded: this test needs none");
  void *p = _Znwm(100);
  CHECK(p != NULL && malloc_usable_size(p) >= 100, "_Znwm(100): %p", p);
  memset(p, 1, 100);
  _ZdlPv(p);
  void *q = _ZnwmRKSt9nothrow_t(SIZE_MAX / 2, &nothrow_tag);
  CHECK(q == NULL, "nothrow new of SIZE_MAX/2: %p", q);

  char buf[512];
  int st = api_child_stderr(new_impossible, buf, sizeof buf);
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "new of SIZE_MAX/2: status 0x%x, stderr: %s", st, buf);
  CHECK(strncmp(buf, "hakmem: _Znwm: no memory for ", 29) == 0 && strchr(buf, '\n') == buf + strlen(buf) - 1,
        "new of SIZE_MAX/2: stderr is not hakmem's one line: %s", buf);
  printf("without a C++ runtime: %s", buf);
  return 0;
}
