#!/bin/sh
# --svg writes a self-contained SVG (well-formed XML, no external reference) whose bars carry the
# category shares of the JSON report and whose lengths are proportional to them; a --svg path that
# cannot be written stops hakmem-stat before the command runs.
. "$HKM_TOP_SRCDIR/tests/test_stat_lib.sh"
need_timing
"$stat" --json -o "$tmp/j" --svg "$tmp/chart.svg" "$prog" count 500 50 || fail "run failed"
check_py "$tmp/j" "$tmp/chart.svg" <<'PY' || fail "SVG"
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[2]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg", root.tag
for el in root.iter():
    for k, v in el.attrib.items():
        assert "href" not in k and "url(" not in v, (k, v)
bars = [r for r in root.iter(ns + "rect") if r.get("class", "").split()[:1] == ["share"]]
cats = {c["name"]: c for c in j["profile"]["categories"] if c["count"] > 0}
assert sorted(b.get("data-category") for b in bars) == sorted(cats), ([b.get("data-category") for b in bars], list(cats))
# the scale is the largest share within the API calls; a share past 100% is drawn cut (test_stat_svg_off_scale)
top = max(c["share"] for c in cats.values() if c["share"] <= 1)
wmax = max(float(b.get("width")) for b in bars)
for b in bars:
    c = cats[b.get("data-category")]
    assert abs(float(b.get("data-share")) - c["share"]) < 2e-6, (b.attrib, c["share"])
    assert (b.get("data-offscale") == "true") == (c["share"] > top), (b.attrib, top)
    if c["share"] <= top:
        assert abs(float(b.get("width")) / wmax - c["share"] / top) < 1e-3, (b.attrib, c["share"], top)
values = [float(b.get("data-share")) for b in bars]
assert values == sorted(values, reverse=True)
print(len(bars), "bars match the JSON shares")
PY
# A path that cannot be written is known before the command runs, as with -o: one line, exit 2.
"$stat" -q --svg "$tmp/missing/dir/x.svg" "$prog" output 2> "$tmp/err" > "$tmp/out"; rc=$?
[ $rc = 2 ] && [ "$(cat "$tmp/err")" = "hakmem-stat: --svg $tmp/missing/dir/x.svg: No such file or directory" ] ||
  { cat "$tmp/err"; fail "unwritable --svg: rc $rc"; }
[ ! -s "$tmp/out" ] || fail "the command ran despite an unwritable --svg"
