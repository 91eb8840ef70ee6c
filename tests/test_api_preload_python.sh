#!/bin/sh
# Debian's python3 on hakmem: big dicts and strings, lists of objects, and threads that build and
# drop their own dicts; the results must be the exact ones computed below (and the same as glibc's).
. "$HKM_TOP_SRCDIR/tests/api_preload.sh"
py=/usr/bin/python3 # a pyenv shim is a script and would not take LD_PRELOAD into the interpreter
[ -x "$py" ] || { echo "$py not installed: skipped"; exit 77; }
cat > "$tmp/work.py" <<'PY'
import hashlib, threading
d = {i: str(i) * 20 for i in range(300000)}
total = sum(len(v) for v in d.values())
big = "".join(chr(97 + i % 26) for i in range(1 << 20)) * 24          # a 24 MiB string
h = hashlib.sha256(big.encode()).hexdigest()[:16]
objs = [[i, str(i), {"k": i}] for i in range(200000)]
del d
results = [None] * 8
def work(t):
    m = {}
    for i in range(60000):
        m["%d-%d" % (t, i)] = bytes(i % 700) + b"x" * (i % 50)
    results[t] = sum(len(v) for v in m.values())
threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
for th in threads: th.start()
for th in threads: th.join()
print(total, len(big), h, len(objs), sum(o[0] for o in objs), len(set(results)), results[0])
PY
# sum of len(str(i)) * 20, 24 MiB, 200000 objects, sum 0..199999, eight equal results
want_prefix="33777800 25165824 "
want_suffix=" 200000 19999900000 1 22390000"
preloaded "$py" "$tmp/work.py" > "$tmp/out"
got=$(cat "$tmp/out")
ref=$("$py" "$tmp/work.py")
echo "hakmem: $got"
echo "glibc:  $ref"
[ "$got" = "$ref" ] || fail "python output differs from the run without hakmem"
case "$got" in "$want_prefix"*"$want_suffix") ;; *) fail "python output is not the expected one" ;; esac
