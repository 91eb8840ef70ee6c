#!/bin/sh
# xz on hakmem: a 6 MB file (text and random bytes) compressed with one and with two threads and
# decompressed again, both by the preloaded xz; the round trip must give the file back byte for byte,
# and glibc's xz must read what hakmem's wrote.
. "$HKM_TOP_SRCDIR/tests/api_preload.sh"
need xz
need awk
awk 'BEGIN { srand(7); for (i = 0; i < 140000; i++) printf "record %d value %d %s\n", i, int(rand() * 1e9), (i % 3 ? "even" : "odd") }' > "$tmp/data"
head -c 2000000 /dev/urandom >> "$tmp/data"
for threads in 1 2; do
  preloaded xz -T$threads -3 --block-size=1MiB -c "$tmp/data" > "$tmp/data.xz"
  preloaded xz -d -c "$tmp/data.xz" > "$tmp/back"
  cmp "$tmp/data" "$tmp/back" || fail "xz -T$threads round trip changed the data"
  xz -d -c "$tmp/data.xz" | cmp - "$tmp/data" || fail "glibc xz cannot read hakmem xz's output"
  echo "xz -T$threads: $(wc -c < "$tmp/data") bytes -> $(wc -c < "$tmp/data.xz") -> back, identical"
done
