/* JSON reader (recursive descent) and writer; see hakmem-stat-json.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hakmem-stat-json.h"

#define MAX_DEPTH 64

struct parser {
  const char *p, *end;
  const char *err;
  int depth;
};

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) {
    fputs("hakmem-stat: out of memory\n", stderr);
    exit(125);
  }
  return p;
}

static void skip_ws(struct parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) ps->p++;
}

static struct jval *fail(struct parser *ps, const char *why) {
  if (!ps->err) ps->err = why;
  return NULL;
}

static int literal(struct parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) return 0;
  ps->p += n;
  return 1;
}

static int hex4(struct parser *ps, unsigned *out) {
  if (ps->end - ps->p < 4) return 0;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = ps->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return 0;
  }
  ps->p += 4;
  *out = v;
  return 1;
}

static size_t put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xc0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xe0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    o[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (char)(0xf0 | cp >> 18);
  o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
  o[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

/* At the opening quote. The decoded string is never longer than its source text. */
static char *parse_string(struct parser *ps) {
  ps->p++;
  const char *start = ps->p;
  while (ps->p < ps->end && *ps->p != '"') ps->p += *ps->p == '\\' ? 2 : 1;
  if (ps->p >= ps->end) return (char *)fail(ps, "unterminated string");
  char *out = xcalloc((size_t)(ps->p - start) + 1, 1), *o = out;
  const char *stop = ps->p, *end = ps->end;
  ps->p = start;
  ps->end = stop; /* escapes are decoded within the string */
  while (ps->p < stop) {
    unsigned char c = (unsigned char)*ps->p++;
    if (c < 0x20) {
      ps->end = end;
      free(out);
      return (char *)fail(ps, "control character in string");
    }
    if (c != '\\') {
      *o++ = (char)c;
      continue;
    }
    char e = *ps->p++;
    switch (e) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '/': *o++ = '/'; break;
    case 'b': *o++ = '\b'; break;
    case 'f': *o++ = '\f'; break;
    case 'n': *o++ = '\n'; break;
    case 'r': *o++ = '\r'; break;
    case 't': *o++ = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      if (!hex4(ps, &cp)) goto bad;
      if (cp >= 0xd800 && cp < 0xdc00) { /* a high surrogate needs its low half */
        if (stop - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') goto bad;
        ps->p += 2;
        if (!hex4(ps, &lo) || lo < 0xdc00 || lo >= 0xe000) goto bad;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      } else if (cp >= 0xdc00 && cp < 0xe000) {
        goto bad;
      }
      o += put_utf8(o, cp);
      break;
    }
    default:
      goto bad;
    }
  }
  *o = 0;
  ps->p = stop + 1;
  ps->end = end;
  return out;
bad:
  ps->end = end;
  free(out);
  return (char *)fail(ps, "bad escape in string");
}

static struct jval *parse_number(struct parser *ps) {
  const char *s = ps->p;
  if (ps->p < ps->end && *ps->p == '-') ps->p++;
  if (ps->p >= ps->end) return fail(ps, "bad number");
  if (*ps->p == '0')
    ps->p++;
  else if (*ps->p >= '1' && *ps->p <= '9')
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  else
    return fail(ps, "bad number");
  if (ps->p < ps->end && *ps->p == '.') {
    ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return fail(ps, "bad number");
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    ps->p++;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return fail(ps, "bad number");
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') ps->p++;
  }
  char tmp[64];
  size_t n = (size_t)(ps->p - s);
  if (n >= sizeof tmp) return fail(ps, "number too long");
  memcpy(tmp, s, n);
  tmp[n] = 0;
  struct jval *v = xcalloc(1, sizeof *v);
  v->t = J_NUM;
  v->num = strtod(tmp, NULL);
  return v;
}

static struct jval *parse_value(struct parser *ps);

/* Arrays and objects share the loop; growth by doubling. */
static struct jval *parse_container(struct parser *ps, int object) {
  char close = object ? '}' : ']';
  if (++ps->depth > MAX_DEPTH) return fail(ps, "nested too deeply");
  ps->p++;
  struct jval *v = xcalloc(1, sizeof *v);
  v->t = object ? J_OBJ : J_ARR;
  size_t cap = 0;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    ps->depth--;
    return v;
  }
  for (;;) {
    char *key = NULL;
    skip_ws(ps);
    if (object) {
      if (ps->p >= ps->end || *ps->p != '"' || !(key = parse_string(ps))) goto bad;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        free(key);
        fail(ps, "expected ':'");
        goto bad;
      }
      ps->p++;
    }
    struct jval *item = parse_value(ps);
    if (!item) {
      free(key);
      goto bad;
    }
    if (v->n == cap) {
      cap = cap ? cap * 2 : 8;
      v->items = realloc(v->items, cap * sizeof *v->items);
      if (object) v->keys = realloc(v->keys, cap * sizeof *v->keys);
      if (!v->items || (object && !v->keys)) {
        fputs("hakmem-stat: out of memory\n", stderr);
        exit(125);
      }
    }
    if (object) v->keys[v->n] = key;
    v->items[v->n++] = item;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      ps->depth--;
      return v;
    }
    fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    goto bad;
  }
bad:
  fail(ps, "bad object or array");
  json_free(v);
  return NULL;
}

static struct jval *parse_value(struct parser *ps) {
  skip_ws(ps);
  if (ps->p >= ps->end) return fail(ps, "unexpected end");
  struct jval *v;
  switch (*ps->p) {
  case '{': return parse_container(ps, 1);
  case '[': return parse_container(ps, 0);
  case '"': {
    char *s = parse_string(ps);
    if (!s) return NULL;
    v = xcalloc(1, sizeof *v);
    v->t = J_STR;
    v->str = s;
    return v;
  }
  case 't':
  case 'f':
  case 'n':
    v = xcalloc(1, sizeof *v);
    if (literal(ps, "true")) {
      v->t = J_BOOL;
      v->b = 1;
    } else if (literal(ps, "false")) {
      v->t = J_BOOL;
    } else if (literal(ps, "null")) {
      v->t = J_NULL;
    } else {
      free(v);
      return fail(ps, "bad literal");
    }
    return v;
  default: return parse_number(ps);
  }
}

struct jval *json_parse(const char *s, size_t len, const char **err) {
  struct parser ps = {s, s + len, NULL, 0};
  struct jval *v = parse_value(&ps);
  if (v) {
    skip_ws(&ps);
    if (ps.p != ps.end) {
      json_free(v);
      v = fail(&ps, "trailing characters");
    }
  }
  if (err) *err = ps.err;
  return v;
}

void json_free(struct jval *v) {
  if (!v) return;
  for (size_t i = 0; i < v->n; i++) {
    json_free(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

const struct jval *json_get(const struct jval *v, const char *key) {
  if (!v || v->t != J_OBJ) return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (!strcmp(v->keys[i], key)) return v->items[i];
  return NULL;
}

double json_num(const struct jval *v, double def) { return v && v->t == J_NUM ? v->num : def; }
const char *json_str(const struct jval *v) { return v && v->t == J_STR ? v->str : NULL; }

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static int utf8_len(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  int len = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
  if (!len || (size_t)len > n) return 0;
  for (int i = 1; i < len; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  if (len == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))) return 0;
  if (len == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))) return 0;
  return len;
}

/* Command lines may hold any bytes: what is not UTF-8 becomes U+FFFD, so the output always parses. */
void json_write_str(FILE *f, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s);
  putc('"', f);
  while (*p) {
    if (*p == '"' || *p == '\\') {
      fprintf(f, "\\%c", *p++);
    } else if (*p < 0x20 || *p == 0x7f) {
      fprintf(f, "\\u%04x", *p++);
    } else if (*p < 0x80) {
      putc(*p++, f);
    } else {
      int len = utf8_len(p, n - (size_t)(p - (const unsigned char *)s));
      if (len) {
        fwrite(p, 1, (size_t)len, f);
        p += len;
      } else {
        fputs("\\ufffd", f);
        p++;
      }
    }
  }
  putc('"', f);
}

void json_write_num(FILE *f, double x) {
  if (!isfinite(x))
    fputs("null", f);
  else if (x == floor(x) && fabs(x) < 9007199254740992.0)
    fprintf(f, "%.0f", x);
  else
    fprintf(f, "%.10g", x);
}

void json_write(FILE *f, const struct jval *v) {
  switch (v->t) {
  case J_NULL: fputs("null", f); break;
  case J_BOOL: fputs(v->b ? "true" : "false", f); break;
  case J_NUM: json_write_num(f, v->num); break;
  case J_STR: json_write_str(f, v->str); break;
  case J_ARR:
  case J_OBJ:
    putc(v->t == J_OBJ ? '{' : '[', f);
    for (size_t i = 0; i < v->n; i++) {
      if (i) putc(',', f);
      if (v->t == J_OBJ) {
        json_write_str(f, v->keys[i]);
        putc(':', f);
      }
      json_write(f, v->items[i]);
    }
    putc(v->t == J_OBJ ? '}' : ']', f);
    break;
  }
}
