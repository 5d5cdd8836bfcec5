/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the inspector's escapes (src/text/escape.c) on any
 * bytes a file name or command could hold. The JSON string must be valid
 * UTF-8 with no raw control character, and must decode back to exactly
 * the input: valid UTF-8 as itself, every other byte through its
 * \udcXX surrogate escape. The terminal escape must hold only printable
 * ASCII (C locale) and decode back through "\\" and "\xHH".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"

static unsigned
hex(const char *s, int n)
{
   unsigned v = 0;
   for (int i = 0; i < n; i++) {
      char c = s[i];
      unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;
      if (d > 15)
         abort();
      v = v << 4 | d;
   }
   return v;
}

/* UTF-8 of a code point below U+10000 (what \uXXXX escapes here are). */
static size_t
put_utf8(unsigned cp, unsigned char *o)
{
   if (cp < 0x80) {
      o[0] = (unsigned char)cp;
      return 1;
   }
   if (cp < 0x800) {
      o[0] = (unsigned char)(0xc0 | cp >> 6);
      o[1] = (unsigned char)(0x80 | (cp & 0x3f));
      return 2;
   }
   o[0] = (unsigned char)(0xe0 | cp >> 12);
   o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
   o[2] = (unsigned char)(0x80 | (cp & 0x3f));
   return 3;
}

/* The decoded bytes must be the input, exactly; frees back. */
static void
check_same(unsigned char *back, size_t b, const char *in, size_t n)
{
   if (b != n || memcmp(back, in, n) != 0)
      abort();
   free(back);
}

static void
check_json(const char *in, size_t n)
{
   char *out = NULL;
   size_t len = 0;
   FILE *f = open_memstream(&out, &len);
   if (!f)
      abort();
   json_write_string(f, in);
   fclose(f);
   /* Valid UTF-8 throughout, quoted, no raw control character. */
   if (len < 2 || out[0] != '"' || out[len - 1] != '"')
      abort();
   for (size_t i = 0; i < len;) {
      uint32_t cp;
      size_t l = utf8_decode((const unsigned char *)out + i, len - i, &cp);
      if (l == 0 || cp < 0x20 || cp == 0x7f)
         abort();
      i += l;
   }
   /* Decode as a JSON parser with surrogateescape would. */
   unsigned char *back = malloc(n + 1);
   size_t b = 0;
   for (size_t i = 1; i + 1 < len;) {
      if (out[i] == '"')
         abort(); /* an unescaped quote ends the string early */
      if (out[i] != '\\') {
         back[b++] = (unsigned char)out[i++];
      } else if (out[i + 1] == 'u') {
         unsigned cp = hex(out + i + 2, 4);
         if (cp >= 0xdc80 && cp <= 0xdcff)
            back[b++] = (unsigned char)(cp - 0xdc00);
         else if (cp >= 0xd800 && cp <= 0xdfff)
            abort(); /* no other surrogate is ever written */
         else
            b += put_utf8(cp, back + b);
         i += 6;
      } else {
         char c = out[i + 1];
         back[b++] = c == 'n' ? '\n' : c == 't' ? '\t' : (unsigned char)c;
         if (c != 'n' && c != 't' && c != '"' && c != '\\')
            abort();
         i += 2;
      }
      if (b > n)
         abort();
   }
   check_same(back, b, in, n);
   free(out);
}

static void
check_text(const char *in, size_t n, unsigned flags)
{
   char *out = text_escape(in, flags);
   if (!out)
      return;
   unsigned char *back = malloc(n + 1);
   size_t b = 0;
   for (const char *p = out; *p;) {
      unsigned char c = (unsigned char)*p;
      if (c < 0x20 || c >= 0x7f)
         abort(); /* C locale: printable ASCII only */
      if ((flags & ESCAPE_BLANKS) && c == ' ')
         abort();
      if ((flags & ESCAPE_SEPARATORS) && (c == ',' || c == '/'))
         abort();
      if (c != '\\') {
         back[b++] = c;
         p++;
      } else if (p[1] == '\\') {
         back[b++] = '\\';
         p += 2;
      } else if (p[1] == 'x') {
         back[b++] = (unsigned char)hex(p + 2, 2);
         p += 4;
      } else {
         abort();
      }
      if (b > n)
         abort();
   }
   check_same(back, b, in, n);
   free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   /* A C string: up to the first NUL, as names and commands are. */
   char *in = malloc(size + 1);
   memcpy(in, data, size);
   in[size] = 0;
   size_t n = strlen(in);
   check_json(in, n);
   check_text(in, n, 0);
   check_text(in, n, ESCAPE_BLANKS | ESCAPE_SEPARATORS);
   free(in);
   return 0;
}
