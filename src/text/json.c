/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "escape.h"
#include "json.h"

/* Bytes written as they are: printable ASCII but the quote and backslash. */
static bool
plain(unsigned char c)
{
   return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void
json_write_string(FILE *f, const char *str)
{
   const unsigned char *s = (const unsigned char *)str;
   size_t n = strlen(str);
   fputc('"', f);
   for (size_t i = 0; i < n;) {
      /* Runs of plain bytes (nearly every name) in one write. */
      size_t run = 0;
      while (i + run < n && plain(s[i + run]))
         run++;
      if (run) {
         fwrite(s + i, 1, run, f);
         i += run;
         continue;
      }
      uint32_t cp;
      size_t len = utf8_decode(s + i, n - i, &cp);
      if (len == 0) {
         fprintf(f, "\\udc%02x", s[i]); /* surrogateescape */
         i++;
         continue;
      }
      if (cp == '"' || cp == '\\')
         fprintf(f, "\\%c", (int)cp);
      else if (cp == '\n')
         fputs("\\n", f);
      else if (cp == '\t')
         fputs("\\t", f);
      else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 ||
               cp == 0x2029)
         fprintf(f, "\\u%04x", (unsigned)cp);
      else
         fwrite(s + i, 1, len, f);
      i += len;
   }
   fputc('"', f);
}

void
json_write_string_or_null(FILE *f, const char *s)
{
   if (s && s[0])
      json_write_string(f, s);
   else
      fputs("null", f);
}

void
json_member(FILE *f, const char *key)
{
   fputs(", \"", f);
   fputs(key, f);
   fputs("\": ", f);
}

void
json_write_uint(FILE *f, unsigned long long v)
{
   /* Digit by digit, as the fraction: no locale, no format to parse. */
   char buf[24], *p = buf + sizeof(buf);
   do
      *--p = (char)('0' + v % 10);
   while (v /= 10);
   fwrite(p, 1, (size_t)(buf + sizeof(buf) - p), f);
}

void
json_write_int(FILE *f, long long v)
{
   if (v < 0)
      fputc('-', f);
   json_write_uint(f, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
}

void
json_write_fraction(FILE *f, double x)
{
   if (!(x >= 0) || x > 1e12) {
      fputs("null", f);
      return;
   }
   unsigned long long millionths = (unsigned long long)(x * 1e6 + 0.5);
   fprintf(f, "%llu.%06llu", millionths / 1000000, millionths % 1000000);
}
