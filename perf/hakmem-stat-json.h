/* A small JSON reader and writer for hakmem-stat: the library's reports in, hakmem-stat's own out.
 * Strict RFC 8259 parsing (what the library writes is always strict), bounded nesting. */
#ifndef HKM_STAT_JSON_H
#define HKM_STAT_JSON_H

#include <stddef.h>
#include <stdio.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
  enum jtype t;
  int b;            /* J_BOOL */
  double num;       /* J_NUM */
  char *str;        /* J_STR: NUL-terminated UTF-8 (an embedded \u0000 ends it early) */
  size_t n;         /* J_ARR, J_OBJ: number of items */
  struct jval **items;
  char **keys;      /* J_OBJ: items[i] is the value of keys[i], in document order */
};

/* One JSON text in s[0..len) (surrounding whitespace allowed); NULL with *err set when it is not. */
struct jval *json_parse(const char *s, size_t len, const char **err);
void json_free(struct jval *v);

/* Member key of an object (the first, if repeated); NULL when v is not an object or has no such key. */
const struct jval *json_get(const struct jval *v, const char *key);
/* The number, or def when v is not a number. */
double json_num(const struct jval *v, double def);
/* The string, or NULL when v is not a string. */
const char *json_str(const struct jval *v);

void json_write(FILE *f, const struct jval *v);
void json_write_str(FILE *f, const char *s);
/* A number as JSON: integers exactly (up to 2^53), others with 10 significant digits. */
void json_write_num(FILE *f, double x);

#endif
