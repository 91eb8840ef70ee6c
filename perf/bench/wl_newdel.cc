/* newdel: wl_alloctest's loop in C++, through new and delete: a table of slots visited at random, an
 * empty slot gets a new block, a full one is deleted, half the slots live at any time. Three slots in
 * four hold a byte array (new unsigned char[n], n of 8 bytes to 4 KiB as wl_sizes.h draws them, deleted
 * with delete[]); the fourth an object of 24, 48 or 96 bytes (new Obj, deleted with the sized delete
 * C++14 compilers call for a class). An allocator that replaces malloc but not operator new is reached
 * through libstdc++'s operator new, one call further.
 *   wl_newdel [scale]
 * A block carries its slot's tag in its first bytes, checked before it is deleted. */
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "wl_rng.h"
#include "wl_sizes.h"

namespace {

struct Base {
  uint32_t tag;
  virtual ~Base() {}
};
template <unsigned N> struct Obj : Base {
  unsigned char pad[N];
};

struct Slot {
  void *p = nullptr;
  unsigned kind = 0; /* 0: array; 1-3: an Obj */
};

const unsigned SLOTS = 1u << 15;
const unsigned MAX_EXP = 12;

Base *make(unsigned kind) {
  switch (kind) {
  case 1: return new Obj<8>;
  case 2: return new Obj<32>;
  default: return new Obj<80>;
  }
}

} // namespace

int main(int argc, char **argv) {
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  long iters = (long)(30000000 * scale);
  uint64_t rng = WL_RNG_SEED;
  std::vector<Slot> slot(SLOTS);
  for (long i = 0; i < iters; i++) {
    uint64_t r = wl_next(&rng);
    unsigned k = (unsigned)(r % SLOTS);
    uint32_t tag = k * 64 + 1;
    Slot &s = slot[k];
    if (s.p) {
      uint32_t got;
      if (s.kind) got = static_cast<Base *>(s.p)->tag;
      else memcpy(&got, s.p, sizeof got);
      if (got != tag) {
        fprintf(stderr, "newdel: block in slot %u corrupted at iteration %ld\n", k, i);
        return 1;
      }
      if (s.kind) delete static_cast<Base *>(s.p);
      else delete[] static_cast<unsigned char *>(s.p);
      s.p = nullptr;
      continue;
    }
    s.kind = (r >> 20) & 3;
    if (s.kind) {
      Base *b = make(s.kind);
      b->tag = tag;
      s.p = b;
    } else {
      uint32_t n = wl_skewed_size(wl_next(&rng), MAX_EXP);
      unsigned char *a = new unsigned char[n];
      memcpy(a, &tag, sizeof tag);
      a[n - 1] = (unsigned char)k;
      s.p = a;
    }
  }
  for (Slot &s : slot) {
    if (s.kind) delete static_cast<Base *>(s.p);
    else delete[] static_cast<unsigned char *>(s.p);
  }
  return 0;
}
