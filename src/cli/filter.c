/* SPDX-License-Identifier: MIT */
/* lsfd-style row filters (filter.h): a recursive-descent parser into a
 * small tree, evaluated per row. */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "util/number.h"

enum node_kind { N_OR, N_AND, N_NOT, N_CMP, N_TRUTH };
enum operand_kind { O_COLUMN, O_STRING, O_NUMBER };
enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE, C_MATCH, C_NOMATCH };

struct operand {
   enum operand_kind kind;
   const void *column;  /* O_COLUMN */
   char *text;          /* O_STRING, O_NUMBER: the literal */
};

struct node {
   enum node_kind kind;
   struct node *a, *b;      /* N_OR, N_AND; a for N_NOT */
   struct operand l, r;     /* N_CMP (l, r), N_TRUTH (l) */
   enum cmp cmp;
   regex_t re;              /* C_MATCH, C_NOMATCH */
   bool has_re;
};

struct filter {
   struct node *root;
   const void *columns[32]; /* the columns named, for filter_uses() */
   size_t n_columns;
};

struct parser {
   const char *s, *p;
   filter_column_fn lookup;
   struct filter *f;
   char *err;
   size_t err_len;
   int failed; /* 0, -EINVAL or -ENOMEM */
   unsigned depth; /* of parentheses and !, bounded: the parser recurses */
};

enum { MAX_DEPTH = 256 };

static void
fail(struct parser *ps, const char *fmt, ...)
{
   if (ps->failed)
      return;
   ps->failed = -EINVAL;
   va_list ap;
   va_start(ap, fmt);
   int n = vsnprintf(ps->err, ps->err_len, fmt, ap);
   va_end(ap);
   if (n >= 0 && (size_t)n < ps->err_len)
      snprintf(ps->err + n, ps->err_len - (size_t)n, " (at offset %zu)",
               (size_t)(ps->p - ps->s));
}

static void
oom(struct parser *ps)
{
   if (!ps->failed)
      ps->failed = -ENOMEM;
}

static void
skip_blanks(struct parser *ps)
{
   while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n')
      ps->p++;
}

/* Takes the operator word or symbol tok if it is next. */
static bool
take(struct parser *ps, const char *tok)
{
   skip_blanks(ps);
   size_t n = strlen(tok);
   if (strncmp(ps->p, tok, n) != 0)
      return false;
   /* A word ends where a word's letters do. */
   char next = ps->p[n];
   if (tok[0] >= 'a' && tok[0] <= 'z' &&
       ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '_' ||
        (next >= '0' && next <= '9')))
      return false;
   ps->p += n;
   return true;
}

static bool
is_name_char(char c)
{
   return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '_' || c == '.' || c == '-';
}

static char *
string_literal(struct parser *ps)
{
   char quote = *ps->p++;
   size_t cap = strlen(ps->p) + 1, n = 0;
   char *out = malloc(cap);
   if (!out) {
      oom(ps);
      return NULL;
   }
   for (;;) {
      char c = *ps->p;
      if (!c) {
         fail(ps, "a string without its closing %c", quote);
         free(out);
         return NULL;
      }
      ps->p++;
      if (c == quote)
         break;
      if (c == '\\' && (*ps->p == quote || *ps->p == '\\'))
         c = *ps->p++;
      out[n++] = c;
   }
   out[n] = 0;
   return out;
}

static bool
operand(struct parser *ps, struct operand *o)
{
   skip_blanks(ps);
   memset(o, 0, sizeof(*o));
   const char *start = ps->p;
   if (*ps->p == '"' || *ps->p == '\'') {
      o->kind = O_STRING;
      o->text = string_literal(ps);
      return o->text != NULL;
   }
   if (*ps->p >= '0' && *ps->p <= '9') {
      while (*ps->p >= '0' && *ps->p <= '9')
         ps->p++;
      o->kind = O_NUMBER;
      o->text = strndup(start, (size_t)(ps->p - start));
      if (!o->text)
         oom(ps);
      return o->text != NULL;
   }
   while (is_name_char(*ps->p))
      ps->p++;
   size_t len = (size_t)(ps->p - start);
   if (!len) {
      fail(ps, "a column, a string or a number expected");
      return false;
   }
   o->kind = O_COLUMN;
   o->column = ps->lookup(start, len);
   if (!o->column) {
      ps->p = start;
      fail(ps, "no column '%.*s'", (int)len, start);
      return false;
   }
   if (ps->f->n_columns < sizeof(ps->f->columns) / sizeof(ps->f->columns[0]))
      ps->f->columns[ps->f->n_columns++] = o->column;
   return true;
}

static struct node *
new_node(struct parser *ps, enum node_kind kind)
{
   struct node *n = calloc(1, sizeof(*n));
   if (!n)
      oom(ps);
   else
      n->kind = kind;
   return n;
}

static void
free_node(struct node *n)
{
   if (!n)
      return;
   free_node(n->a);
   free_node(n->b);
   free(n->l.text);
   free(n->r.text);
   if (n->has_re)
      regfree(&n->re);
   free(n);
}

static struct node *parse_or(struct parser *ps);

static const struct {
   const char *tok;
   enum cmp cmp;
} ops[] = {
   { "==", C_EQ }, { "!=", C_NE }, { "<=", C_LE }, { ">=", C_GE }, { "=~", C_MATCH },
   { "!~", C_NOMATCH }, { "<", C_LT }, { ">", C_GT }, { "eq", C_EQ }, { "ne", C_NE },
   { "le", C_LE }, { "ge", C_GE }, { "lt", C_LT }, { "gt", C_GT },
};

static struct node *
parse_primary(struct parser *ps)
{
   if (take(ps, "(")) {
      if (++ps->depth > MAX_DEPTH) {
         fail(ps, "nested deeper than %d", MAX_DEPTH);
         return NULL;
      }
      struct node *n = parse_or(ps);
      ps->depth--;
      if (n && !take(ps, ")")) {
         fail(ps, "')' expected");
         free_node(n);
         return NULL;
      }
      return n;
   }
   struct node *n = new_node(ps, N_TRUTH);
   if (!n || !operand(ps, &n->l)) {
      free_node(n);
      return NULL;
   }
   for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
      if (!take(ps, ops[i].tok))
         continue;
      n->kind = N_CMP;
      n->cmp = ops[i].cmp;
      if (!operand(ps, &n->r)) {
         free_node(n);
         return NULL;
      }
      if (n->cmp == C_MATCH || n->cmp == C_NOMATCH) {
         if (n->r.kind == O_COLUMN) {
            fail(ps, "a regular expression must be a string");
            free_node(n);
            return NULL;
         }
         int r = regcomp(&n->re, n->r.text, REG_EXTENDED | REG_NOSUB);
         if (r != 0) {
            char why[128];
            regerror(r, &n->re, why, sizeof(why));
            fail(ps, "bad regular expression: %s", why);
            free_node(n);
            return NULL;
         }
         n->has_re = true;
      }
      break;
   }
   return n;
}

static struct node *
parse_unary(struct parser *ps)
{
   if (take(ps, "!") || take(ps, "not")) {
      if (++ps->depth > MAX_DEPTH) {
         fail(ps, "nested deeper than %d", MAX_DEPTH);
         return NULL;
      }
      struct node *n = new_node(ps, N_NOT);
      if (n && !(n->a = parse_unary(ps))) {
         free_node(n);
         n = NULL;
      }
      ps->depth--;
      return n;
   }
   return parse_primary(ps);
}

/* One level of a left-associative chain of `kind` joined by t1 or t2. */
static struct node *
parse_chain(struct parser *ps, enum node_kind kind, const char *t1, const char *t2,
            struct node *(*next)(struct parser *))
{
   struct node *left = next(ps);
   while (left && (take(ps, t1) || take(ps, t2))) {
      struct node *n = new_node(ps, kind);
      if (!n) {
         free_node(left);
         return NULL;
      }
      n->a = left;
      if (!(n->b = next(ps))) {
         free_node(n);
         return NULL;
      }
      left = n;
   }
   return left;
}

static struct node *
parse_and(struct parser *ps)
{
   return parse_chain(ps, N_AND, "&&", "and", parse_unary);
}

static struct node *
parse_or(struct parser *ps)
{
   return parse_chain(ps, N_OR, "||", "or", parse_and);
}

int
filter_parse(const char *expr, filter_column_fn lookup, struct filter **out, char *err,
             size_t err_len)
{
   struct filter *f = calloc(1, sizeof(*f));
   if (!f)
      return -ENOMEM;
   struct parser ps = { expr, expr, lookup, f, err, err_len, 0, 0 };
   f->root = parse_or(&ps);
   skip_blanks(&ps);
   if (f->root && *ps.p)
      fail(&ps, "unexpected '%c'", *ps.p);
   if (!f->root && !ps.failed)
      fail(&ps, "an empty expression");
   if (ps.failed) {
      filter_free(f);
      return ps.failed;
   }
   *out = f;
   return 0;
}

void
filter_free(struct filter *f)
{
   if (!f)
      return;
   free_node(f->root);
   free(f);
}

bool
filter_uses(const struct filter *f, const void *column)
{
   for (size_t i = 0; f && i < f->n_columns; i++) {
      if (f->columns[i] == column)
         return true;
   }
   return false;
}

struct eval {
   const void *row;
   filter_value_fn value;
   void *arg;
   bool failed;
};

/* The operand's text: the literal, or the column's value (malloc'ed:
 * *owned says to free it). */
static const char *
value_of(struct eval *ev, const struct operand *o, char **owned)
{
   *owned = NULL;
   if (o->kind != O_COLUMN)
      return o->text;
   *owned = ev->value(o->column, ev->row, ev->arg);
   if (!*owned)
      ev->failed = true;
   return *owned ? *owned : "";
}

static bool
number_of(const char *s, uint64_t *v)
{
   size_t n = strlen(s);
   return n && fdid_parse_digits(s, n, 10, UINT64_MAX, v) == n;
}

static bool
compare(const struct node *n, const char *l, const char *r)
{
   if (n->cmp == C_MATCH || n->cmp == C_NOMATCH)
      return (regexec(&n->re, l, 0, NULL, 0) == 0) == (n->cmp == C_MATCH);
   uint64_t a, b;
   int c;
   if (number_of(l, &a) && number_of(r, &b))
      c = a < b ? -1 : a > b;
   else
      c = strcmp(l, r);
   switch (n->cmp) {
   case C_EQ: return c == 0;
   case C_NE: return c != 0;
   case C_LT: return c < 0;
   case C_LE: return c <= 0;
   case C_GT: return c > 0;
   default: return c >= 0;
   }
}

static bool
eval(struct eval *ev, const struct node *n)
{
   switch (n->kind) {
   case N_OR: return eval(ev, n->a) || eval(ev, n->b);
   case N_AND: return eval(ev, n->a) && eval(ev, n->b);
   case N_NOT: return !eval(ev, n->a);
   case N_TRUTH: {
      char *owned;
      const char *v = value_of(ev, &n->l, &owned);
      uint64_t x;
      bool truth = v[0] && !(number_of(v, &x) && x == 0);
      free(owned);
      return truth;
   }
   default: {
      char *lo, *ro;
      const char *l = value_of(ev, &n->l, &lo), *r = value_of(ev, &n->r, &ro);
      bool m = compare(n, l, r);
      free(lo);
      free(ro);
      return m;
   }
   }
}

bool
filter_match(const struct filter *f, const void *row, filter_value_fn value, void *arg,
             bool *failed)
{
   struct eval ev = { row, value, arg, false };
   bool m = eval(&ev, f->root);
   if (ev.failed)
      *failed = true;
   return m && !ev.failed;
}
