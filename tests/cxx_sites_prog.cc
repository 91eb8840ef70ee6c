/* A C++ program for test_stat_cxx_sites.sh, not linked with hakmem (hakmem-stat preloads it): N
 * objects made with new in cxx_site_new, M arrays with new[] in cxx_site_array, each deleted at once.
 *   cxx_sites_prog N M */
#include <cstdlib>

struct Node {
  Node *next;
  long v[2];
};

extern "C" __attribute__((noinline)) void cxx_site_new(int n) {
  for (int i = 0; i < n; i++) {
    Node *p = new Node{};
    __asm__ volatile("" : : "r"(p) : "memory"); /* a new and delete of nothing may be left out */
    delete p;
  }
}

extern "C" __attribute__((noinline)) void cxx_site_array(int n) {
  for (int i = 0; i < n; i++) {
    char *p = new char[3000];
    __asm__ volatile("" : : "r"(p) : "memory");
    delete[] p;
  }
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  cxx_site_new(atoi(argv[1]));
  cxx_site_array(atoi(argv[2]));
  return 0;
}
