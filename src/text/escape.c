/* SPDX-License-Identifier: MIT */
/*
 * Escaping for terminals; the rules are in escape.h. The UTF-8 decoder
 * (also json.c's) is strict as RFC 3629 is: no overlong forms, no
 * surrogates, nothing above U+10FFFF.
 */
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "escape.h"

size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
   if (n == 0)
      return 0;
   unsigned char c = s[0];
   if (c < 0x80) {
      *cp = c;
      return 1;
   }
   size_t len;
   uint32_t v, min;
   if (c >= 0xc2 && c <= 0xdf) {
      len = 2, v = c & 0x1f, min = 0x80;
   } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, v = c & 0x0f, min = 0x800;
   } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, v = c & 0x07, min = 0x10000;
   } else {
      return 0; /* a continuation byte, 0xc0/0xc1 (overlong), 0xf5.. */
   }
   if (n < len)
      return 0;
   for (size_t i = 1; i < len; i++) {
      if ((s[i] & 0xc0) != 0x80)
         return 0;
      v = v << 6 | (s[i] & 0x3f);
   }
   if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
      return 0;
   *cp = v;
   return len;
}

static bool utf8_locale;

void
text_escape_init(void)
{
   const char *set = nl_langinfo(CODESET);
   utf8_locale = set && (strcmp(set, "UTF-8") == 0 || strcmp(set, "utf8") == 0);
}

/* Characters that are printable by Unicode's lights but change what a
 * terminal shows elsewhere: bidirectional marks, embeddings and isolates
 * (text shown in another order than it is), and line separators. */
bool
text_reorders_or_breaks(uint32_t cp)
{
   return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
          (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

static bool
shown_as_is(uint32_t cp, unsigned flags)
{
   if (cp == '\\')
      return false;
   if ((flags & ESCAPE_BLANKS) && (cp == ' ' || cp == '\t'))
      return false;
   if ((flags & ESCAPE_SEPARATORS) && (cp == ',' || cp == '/'))
      return false;
   if (cp < 0x80)
      return cp >= 0x20 && cp < 0x7f;
   return utf8_locale && cp >= 0xa0 && !text_reorders_or_breaks(cp) && iswprint((wint_t)cp);
}

char *
text_escape(const char *str, unsigned flags)
{
   const unsigned char *s = (const unsigned char *)str;
   size_t n = strlen(str);
   /* At most four bytes out ("\xHH") for every byte in. */
   char *out = malloc(4 * n + 1), *o = out;
   if (!out)
      return NULL;
   for (size_t i = 0; i < n;) {
      uint32_t cp;
      size_t len = utf8_decode(s + i, n - i, &cp);
      if (len && shown_as_is(cp, flags)) {
         memcpy(o, s + i, len);
         o += len;
         i += len;
         continue;
      }
      if (len == 0)
         len = 1; /* one invalid byte at a time */
      for (size_t k = 0; k < len; k++, i++) {
         if (s[i] == '\\') {
            *o++ = '\\';
            *o++ = '\\';
         } else {
            static const char hex[] = "0123456789abcdef";
            *o++ = '\\';
            *o++ = 'x';
            *o++ = hex[s[i] >> 4];
            *o++ = hex[s[i] & 15];
         }
      }
   }
   *o = 0;
   return out;
}

void
text_escape_write(FILE *f, const char *s, unsigned flags)
{
   char *e = text_escape(s, flags);
   if (e) {
      fputs(e, f);
      free(e);
      return;
   }
   /* No memory for the copy: the safest thing that still says something. */
   for (; *s; s++)
      fputc(*s >= 0x20 && *s < 0x7f && *s != '\\' ? *s : '?', f);
}
