# perf/: the hakmem-stat CLI and the benchmarks.
include perf/bench/bench.mk
