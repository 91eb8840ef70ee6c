/* python: CPython building 100k records (x scale), serializing them to one JSON string (a buffer grown
 * by realloc to some 15 MiB), parsing it back and joining a field of each into one bytes object.
 *   wl_python [scale] */
#include "wl_real.h"

static const char script[] =
    "import json, sys\n"
    "n = int(100000 * float(sys.argv[1]))\n"
    "d = [{'k': i, 'v': str(i) * 10, 'l': list(range(i % 40))} for i in range(n)]\n"
    "s = json.dumps(d)\n"
    "e = json.loads(s)\n"
    "b = b''.join(x['v'].encode() for x in e)\n"
    "assert len(e) == n and e[-1]['k'] == n - 1\n"
    "print(len(s), len(b))\n";

int main(int argc, char **argv) {
  char *const args[] = {"/usr/bin/python3", "-c", (char *)script, argc > 1 ? argv[1] : "1", NULL};
  wl_exec(args);
}
