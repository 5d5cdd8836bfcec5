/* SPDX-License-Identifier: MIT */
/*
 * The inspector's JSON writer: strings by the escaping rule of escape.h
 * (valid UTF-8 kept, other bytes as \udcHH surrogate escapes: the output
 * is always valid UTF-8), and the few shapes the documents use.
 */
#ifndef FDID_TEXT_JSON_H
#define FDID_TEXT_JSON_H

#include <stdio.h>

/* s as a JSON string, quotes included. */
void json_write_string(FILE *f, const char *s);
/* s, or null when s is NULL or empty. */
void json_write_string_or_null(FILE *f, const char *s);
/* `, "key": ` before the next member of an object whose first member is
 * already written. key is fdid's own, never escaped. */
void json_member(FILE *f, const char *key);
/* An integer in decimal, never in a locale's form. */
void json_write_int(FILE *f, long long v);
void json_write_uint(FILE *f, unsigned long long v);
/* A fraction (0 <= x, a utilisation) with six decimals, "0.499292":
 * written digit by digit, never in the locale's form ("0,499292" is no
 * JSON number). */
void json_write_fraction(FILE *f, double x);

#endif
