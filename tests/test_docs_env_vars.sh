#!/bin/sh
# Every HAKMEM_* variable the code reads is documented in hakmem(3) and the README, and the docs name
# none that the code does not read (HAKMEM_X stands for "any variable" in the diagnostics section).
cd "$HKM_TOP_SRCDIR" || exit 1
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
grep -rhoE 'HAKMEM_[A-Z0-9_]+' src perf --include='*.c' --include='*.h' | grep -vE '_H$' | sort -u > "$tmp/code"
[ -s "$tmp/code" ] || { echo "no HAKMEM_ variable found in the code"; exit 1; }
status=0
for doc in man/hakmem.3 README.md; do
  grep -oE 'HAKMEM_[A-Z0-9_]+' "$doc" | grep -vxE 'HAKMEM_X' | sort -u > "$tmp/doc"
  missing=$(comm -23 "$tmp/code" "$tmp/doc")
  extra=$(comm -13 "$tmp/code" "$tmp/doc")
  [ -z "$missing" ] || { echo "$doc does not document:" $missing; status=1; }
  [ -z "$extra" ] || { echo "$doc documents variables the code does not read:" $extra; status=1; }
done
[ $status -eq 0 ] && echo "$(wc -l < "$tmp/code") variables, all documented in man/hakmem.3 and README.md"
exit $status
