/* SPDX-License-Identifier: MIT */
/* Label values for Prometheus' text format (prometheus.h). */
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "prometheus.h"

/* Kept as it is, in any locale: no C0 or C1 control, no DEL, nothing
 * that reorders or breaks the text. */
static bool
printable(uint32_t cp)
{
   return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
          !text_reorders_or_breaks(cp);
}

void
prom_write_label_value(FILE *f, const char *s)
{
   const unsigned char *p = (const unsigned char *)s;
   size_t n = strlen(s);
   for (size_t i = 0; i < n;) {
      uint32_t cp;
      size_t k = utf8_decode(p + i, n - i, &cp);
      if (k && printable(cp)) {
         if (cp == '\\')
            fputs("\\\\\\\\", f); /* the text's "\\", in the format's escapes */
         else if (cp == '"')
            fputs("\\\"", f);
         else
            fwrite(p + i, 1, k, f);
         i += k;
      } else {
         fprintf(f, "\\\\x%02x", p[i]); /* the text's "\xHH" */
         i++;
      }
   }
}
