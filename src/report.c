/* TEMPORARY: report.c is written by the profiler issue. */
