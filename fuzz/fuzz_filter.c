/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: fdid ls's -Q expressions (src/cli/filter.c). The
 * parser takes any bytes (a command line) and must refuse or accept them
 * cleanly; an accepted expression is evaluated on a row whose two
 * columns hold the input's own halves, and freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter.h"

/* libFuzzer's entry point; declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "ID", "NAME" };

static const void *
lookup(const char *name, size_t len)
{
   for (size_t i = 0; i < 2; i++) {
      if (strlen(names[i]) == len && strncasecmp(names[i], name, len) == 0)
         return names[i];
   }
   return NULL;
}

static char *
value(const void *column, const void *row, void *arg)
{
   const char *const *cells = row;
   return strdup(column == names[0] ? cells[0] : cells[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   char *text = malloc(size + 1);
   if (!text)
      return 0;
   memcpy(text, data, size);
   text[size] = 0;
   struct filter *f = NULL;
   char err[160];
   if (filter_parse(text, lookup, &f, err, sizeof(err)) == 0) {
      const char *cells[2] = { "12", text + size / 2 };
      bool failed = false;
      filter_match(f, cells, value, NULL, &failed);
      filter_free(f);
   } else if (!memchr(err, 0, sizeof(err))) {
      abort();
   }
   free(text);
   return 0;
}
