# Manual pages.
dist_man_MANS += man/hakmem.3 man/hakmem-stat.1
