/* C++'s operator new and delete are hakmem's (src/cxx_new.c): every form resolves to libhakmem, the
 * blocks are hakmem's, and what only the C++ runtime does still happens - a request hakmem cannot meet
 * runs the new-handler until it gives up, then throws std::bad_alloc (nothrow forms: nullptr). A
 * second delete of a block aborts with hakmem's one line, as a second free does. */
#include <dlfcn.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#include "api_check.h"
#include "api_child.h"

/* Deleting twice is what one case is about. */
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wuse-after-free"

static void expect_hakmem(const char *name, void *fn) {
  Dl_info info;
  CHECK(dladdr(fn, &info) && info.dli_fname, "%s: dladdr found no object", name);
  CHECK(strstr(info.dli_fname, "libhakmem") != NULL, "%s resolves to %s, not libhakmem", name, info.dli_fname);
}

static int handler_calls;
static void give_up_second_time() {
  if (++handler_calls == 2) std::set_new_handler(nullptr);
}

static const std::size_t impossible = SIZE_MAX / 2;

/* The throwing forms: the handler runs twice (it lets go on its second call), then std::bad_alloc. */
template <typename F> static void expect_bad_alloc(const char *what, F f) {
  handler_calls = 0;
  std::set_new_handler(give_up_second_time);
  bool thrown = false;
  try {
    void *p = f();
    __asm__ volatile("" : : "r"(p) : "memory");
  } catch (const std::bad_alloc &) {
    thrown = true;
  }
  std::set_new_handler(nullptr);
  CHECK(thrown, "%s: no std::bad_alloc", what);
  CHECK(handler_calls == 2, "%s: the new-handler ran %d times, not 2", what, handler_calls);
}

template <typename F> static void expect_null(const char *what, F f) {
  void *p = f();
  __asm__ volatile("" : : "r"(p) : "memory");
  CHECK(p == nullptr, "%s: %p for an impossible size", what, p);
}

struct Node {
  Node *next;
  std::uint64_t v[3];
};

struct alignas(256) Wide {
  unsigned char b[300];
};

static void delete_twice() {
  Node *n = new Node{};
  __asm__ volatile("" : : "r"(n) : "memory");
  delete n;
  __asm__ volatile("" : : "r"(n) : "memory");
  delete n;
}

int main() {
  typedef void *(*new_t)(std::size_t);
  typedef void *(*new_nt_t)(std::size_t, const std::nothrow_t &);
  typedef void *(*new_al_t)(std::size_t, std::align_val_t);
  typedef void (*del_t)(void *);
  typedef void (*del_sz_t)(void *, std::size_t);
  typedef void (*del_al_t)(void *, std::align_val_t);
  expect_hakmem("operator new", (void *)static_cast<new_t>(&::operator new));
  expect_hakmem("operator new[]", (void *)static_cast<new_t>(&::operator new[]));
  expect_hakmem("operator new(nothrow)", (void *)static_cast<new_nt_t>(&::operator new));
  expect_hakmem("operator new[](nothrow)", (void *)static_cast<new_nt_t>(&::operator new[]));
  expect_hakmem("operator new(align)", (void *)static_cast<new_al_t>(&::operator new));
  expect_hakmem("operator new[](align)", (void *)static_cast<new_al_t>(&::operator new[]));
  expect_hakmem("operator delete", (void *)static_cast<del_t>(&::operator delete));
  expect_hakmem("operator delete[]", (void *)static_cast<del_t>(&::operator delete[]));
  expect_hakmem("operator delete(size)", (void *)static_cast<del_sz_t>(&::operator delete));
  expect_hakmem("operator delete(align)", (void *)static_cast<del_al_t>(&::operator delete));

  /* Blocks of every tier, written through and given back by each form of delete. */
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(24), std::size_t(1000), std::size_t(5000),
                        std::size_t(100) << 10, std::size_t(3) << 20}) {
    unsigned char *a = static_cast<unsigned char *>(::operator new(n));
    unsigned char *b = new unsigned char[n + 1];
    CHECK(a && b && a != b, "new(%zu): %p and %p", n, (void *)a, (void *)b);
    CHECK(malloc_usable_size(a) >= n && malloc_usable_size(b) >= n + 1, "new(%zu): usable sizes %zu, %zu", n,
          malloc_usable_size(a), malloc_usable_size(b));
    memset(a, 0x5a, n);
    memset(b, 0xa5, n + 1);
    __asm__ volatile("" : : "r"(a), "r"(b) : "memory");
    ::operator delete(a, n);
    delete[] b;
  }
  std::vector<Node *> nodes;
  for (int i = 0; i < 10000; i++) nodes.push_back(new Node{nodes.empty() ? nullptr : nodes.back(), {1, 2, 3}});
  for (Node *p : nodes) delete p; /* sized delete */
  for (int i = 0; i < 100; i++) {
    Wide *w = new Wide;
    Wide *ws = new Wide[3];
    CHECK((uintptr_t)w % 256 == 0 && (uintptr_t)ws % 256 == 0, "aligned new: %p, %p", (void *)w, (void *)ws);
    memset(w, 1, sizeof *w);
    __asm__ volatile("" : : "r"(w) : "memory");
    delete w;
    delete[] ws;
    void *p = ::operator new(100, std::align_val_t(4096), std::nothrow);
    CHECK(p && (uintptr_t)p % 4096 == 0, "aligned nothrow new: %p", p);
    ::operator delete(p, std::align_val_t(4096));
  }

  expect_bad_alloc("new", [] { return ::operator new(impossible); });
  expect_bad_alloc("new[]", [] { return ::operator new[](impossible); });
  expect_bad_alloc("aligned new", [] { return ::operator new(impossible, std::align_val_t(64)); });
  expect_null("nothrow new", [] { return ::operator new(impossible, std::nothrow); });
  expect_null("nothrow new[]", [] { return ::operator new[](impossible, std::nothrow); });
  expect_null("aligned nothrow new", [] { return ::operator new(impossible, std::align_val_t(64), std::nothrow); });
  bool odd_thrown = false; /* an alignment not a power of two: libstdc++'s answer, std::bad_alloc */
  try {
    void *p = ::operator new(100, std::align_val_t(24));
    __asm__ volatile("" : : "r"(p) : "memory");
  } catch (const std::bad_alloc &) {
    odd_thrown = true;
  }
  CHECK(odd_thrown, "new(100, align_val_t(24)): no std::bad_alloc");
  expect_null("nothrow new aligned to 24", [] { return ::operator new(100, std::align_val_t(24), std::nothrow); });
  void *after = ::operator new(64);
  CHECK(after != nullptr, "new after the failures");
  ::operator delete(after);

  /* A second delete aborts with hakmem's line. */
  char buf[512];
  int st = api_child_stderr(delete_twice, buf, sizeof buf);
  CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "second delete: status 0x%x, stderr: %s", st, buf);
  CHECK(strncmp(buf, "hakmem: ", 8) == 0 && strstr(buf, "double free"), "second delete: stderr: %s", buf);
  printf("operator new and delete are hakmem's; bad_alloc after 2 handler calls; second delete: %s", buf);
  return 0;
}
