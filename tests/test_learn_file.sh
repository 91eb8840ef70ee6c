#!/bin/sh
# HAKMEM_LEARN_FILE: a run saves what it learned at exit and the next run starts from it (the dense
# site's very first block already gets the learned backing). A file cut short, corrupted, of another
# version, written by another program, or whose program has changed since, is ignored with exactly
# one warning and the run learns from scratch; another program's file is left as it was, the others
# are replaced by a good one. Skipped (77) where THP is off.
prog="$HKM_TESTS_BUILDDIR/learn_prog"
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
for v in $(env | sed -n 's/^\(HAKMEM_[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done
fail() { echo "FAIL: $*"; exit 1; }
f="$tmp/learned"

# run PROGRAM WARNING_REGEX|"" : learning with the file; stderr must be that one line, or empty.
run() {
  HAKMEM_MODE=learning HAKMEM_LEARN_FILE="$f" "$1" first > "$tmp/out" 2> "$tmp/err"
  st=$?
  [ $st -eq 77 ] && exit 77
  [ $st -eq 0 ] || { cat "$tmp/err"; fail "exit status $st"; }
  if [ -z "$2" ]; then
    [ -s "$tmp/err" ] && { cat "$tmp/err"; fail "unexpected stderr"; }
  else
    [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -Eq "$2" "$tmp/err" || { cat "$tmp/err"; fail "expected one line matching '$2'"; }
  fi
  sed -n 's/^first dense=//p' "$tmp/out"
}

complete() { tail -n 1 "$f" | grep -q '^end [0-9][0-9]*$' || { cat "$f"; fail "$1: the file was not saved whole"; }; }

first=$(run "$prog" "")
[ "$first" = small ] || fail "no file yet, yet the first block got $first"
complete "first run"
head -n 1 "$f" | grep -qx 'hakmem-learn 1' || fail "no version line"
grep -qx "program $(readlink -f "$prog")" "$f" || { cat "$f"; fail "no program line"; }
learned=$(awk '$1 == "site" && $9 >= 900 { print $5 }' "$f")
want=small
[ "$learned" = huge ] && want=huge
cp "$f" "$tmp/good"
first=$(run "$prog" "")
[ "$first" = $want ] || fail "second run: the first dense block got $first, the file says $learned"
# After its rounds the dense site may have been re-learned (a loaded machine's huge-page faults cost
# up to 7 ms each, and the learner measures them again), the sparse site never goes huge.
grep -Eqx "after dense=(huge|small) sparse=small" "$tmp/out" || { cat "$tmp/out"; fail "second run: after its rounds, expected sparse=small"; }
# What was loaded is what was learned: research mode's decision log never shows the sparse site
# (density under 100/1000) switching to huge pages, as it did when the file lost the share of 2 MiB
# chunks it touches (all of them) and the model took its one page in twenty for one chunk in twenty.
cp "$tmp/good" "$f"
HAKMEM_MODE=research HAKMEM_LEARN_FILE="$f" "$prog" first > "$tmp/out" 2> "$tmp/err" || { cat "$tmp/err"; fail "research run failed"; }
if grep -E '^hakmem: learn: .* -> huge .*density [0-9]{1,2}/1000$' "$tmp/err"; then fail "the sparse site went huge"; fi
echo "ok: saved, and loaded by the next run (first block $first; the sparse site still small)"

W="^hakmem: HAKMEM_LEARN_FILE=$f: "
bad() { # bad WHAT REGEX: the file in $f is damaged; one warning, learning from scratch, a good file after
  first=$(run "$prog" "$W$2; ignored$")
  [ "$first" = small ] || fail "$1: the damaged file was used (first block $first)"
  complete "$1"
  echo "ok: $1"
}
size=$(wc -c < "$tmp/good")
head -c $((size / 2)) "$tmp/good" > "$f"
bad "cut in the middle of a line" "cut short \(line [0-9]+ has no end\)"
grep -v '^end ' "$tmp/good" > "$f"
bad "no end line" "cut short \(no end line\)"
sed 's/^\(site [0-9]* [0-9a-fx]* [a-z]* \)[a-z]*/\1bogus/' "$tmp/good" > "$f"
bad "a word corrupted" "line [0-9]+: bad tier, backing or keep"
sed 's/^end \([0-9]*\)/end 99\1/' "$tmp/good" > "$f"
bad "a wrong count" "line [0-9]+: [0-9]+ sites, but the end line says otherwise"
sed '1s/.*/hakmem-learn 2/' "$tmp/good" > "$f"
bad "another version" "version is not 1 \(written by another hakmem\)"
head -c 300 /dev/urandom > "$f"
printf '\000' >> "$f"
bad "binary garbage" "not a (text|hakmem learn) file"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$f"
bad "another kind of file" "not a hakmem learn file"

# Another program's file: ignored, and left alone.
sed 's|^program .*|program /bin/true|' "$tmp/good" > "$f"
cp "$f" "$tmp/theirs"
first=$(run "$prog" "${W}written by /bin/true, not by this program \(.*\); ignored$")
[ "$first" = small ] || fail "another program's file was used"
cmp -s "$f" "$tmp/theirs" || fail "another program's file was overwritten"
# A process that never allocates over 2 MiB (a shell running the program) does not even read it.
err=$(HAKMEM_MODE=learning HAKMEM_LEARN_FILE="$f" LD_PRELOAD="$HKM_LIB" sh -c 'echo hello' 2>&1 >/dev/null)
[ -z "$err" ] || { echo "$err"; fail "a process without large blocks warned about the file"; }
cmp -s "$f" "$tmp/theirs" || fail "a process without large blocks wrote the file"
echo "ok: another program's file, ignored and kept"

# The program changed since (a copy of it, then touched): its sites are dropped, one warning.
cp "$prog" "$tmp/prog_copy"
rm -f "$f"
run "$tmp/prog_copy" "" > /dev/null
complete "the copy's first run"
touch -d '2001-01-01 00:00' "$tmp/prog_copy"
first=$(run "$tmp/prog_copy" "${W}$tmp/prog_copy changed since the file was written; its [0-9]+ sites? ignored$")
[ "$first" = small ] || fail "a changed program's sites were used"
echo "ok: a changed program's sites, dropped"
