#!/bin/sh
# A share over 100% (the release thread's work, set against the malloc/free top level) does not
# squash the other bars of the SVG: the scale is the largest share within the API calls, which
# spans the full length; the bar past it is drawn to the same length, marked off scale, and says
# so. A stand-in library (test_stat_fake_report.c) reports reclaim_complete at 300%.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
fake="$HKM_TESTS_BUILDDIR/.libs/libstatfake.so"
[ -f "$fake" ] || fail "$fake not built"
"$stat" --lib "$fake" -q --svg "$tmp/s.svg" "$py" -c pass || fail "fake run failed"
"$py" - "$tmp/s.svg" <<'PY' || fail "SVG scale"
import sys
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
bars = {r.get("data-category"): r for r in root.iter(ns + "rect") if r.get("data-share")}
w = {k: float(r.get("width")) for k, r in bars.items()}
assert w["hak_alloc"] == max(w.values()), w                    # 66.67%: the largest share within the calls
assert abs(w["hak_free"] / w["hak_alloc"] - 0.5) < 1e-3, w     # 33.33% is half of it
assert abs(w["whale_get"] / w["hak_alloc"] - 0.75) < 1e-3, w   # 50%
rc = bars["reclaim_complete"]
assert rc.get("data-offscale") == "true" and "offscale" in rc.get("class").split(), rc.attrib
assert w["reclaim_complete"] == w["hak_alloc"], w
assert all(r.get("data-offscale") is None for k, r in bars.items() if k != "reclaim_complete")
texts = ["".join(t.itertext()) for t in root.iter(ns + "text")]
assert "300.00% (off scale)" in texts, texts
assert any(t.startswith("cut bars: work outside malloc/free") for t in texts), texts
print("scale: the largest share within the calls; reclaim_complete off scale")
PY
