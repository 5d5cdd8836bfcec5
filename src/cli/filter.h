/* SPDX-License-Identifier: MIT */
/*
 * lsfd's -Q: an expression over a row's columns that picks the rows shown.
 *
 *   expr    := and ('||' and)*          ("or" too)
 *   and     := unary ('&&' unary)*      ("and")
 *   unary   := '!' unary | primary      ("not")
 *   primary := '(' expr ')' | operand [op operand]
 *   op      := == != < <= > >= =~ !~    (eq ne lt le gt ge)
 *   operand := COLUMN | "string" | 'string' | NUMBER
 *
 * A column is a table column's name, any case; its value is the cell's
 * text as a raw table shows it (escaped as there). Two operands that are
 * both decimal numbers compare as numbers, anything else as byte strings;
 * =~ and !~ take a POSIX extended regular expression on the right. An
 * operand alone is true when not empty (and not "0" for a number).
 * Numbers are digits only, in any locale.
 */
#ifndef FDID_CLI_FILTER_H
#define FDID_CLI_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct filter;

/* Looks a column name up (len bytes, any case): an opaque column, or NULL
 * when there is none. */
typedef const void *(*filter_column_fn)(const char *name, size_t len);
/* The text of `column` in the row, as a malloc'ed string (NULL: no
 * memory, which the filter reports). */
typedef char *(*filter_value_fn)(const void *column, const void *row, void *arg);

/*
 * Parses expr. 0 and *out; or -EINVAL with a message for the user in err
 * (what is wrong and where), or -ENOMEM.
 */
int filter_parse(const char *expr, filter_column_fn lookup, struct filter **out, char *err,
                 size_t err_len);
void filter_free(struct filter *f);

/* Does the row match? *failed is set when memory ran out (the row then
 * does not match). */
bool filter_match(const struct filter *f, const void *row, filter_value_fn value, void *arg,
                  bool *failed);

/* Does the expression name this column? */
bool filter_uses(const struct filter *f, const void *column);

#endif
