/* SPDX-License-Identifier: MIT */
/* Skipped processes, in text and JSON (skipped.h). */
#include "escape.h"
#include "json.h"
#include "skipped.h"

/* Calls fn for every skipped process: those not listed, then those
 * listed but not verifiable. */
static void
each_skipped(const struct scan *sc, void (*fn)(FILE *f, size_t n, pid_t pid, const char *comm,
                                               const char *reason, void *data),
             FILE *f, void *data)
{
   size_t n = 0;
   for (size_t i = 0; i < sc->n_skipped; i++)
      fn(f, n++, sc->skipped[i].pid, sc->skipped[i].comm, sc->skipped[i].reason, data);
   for (size_t i = 0; i < sc->n_procs; i++) {
      if (sc->procs[i]->kcmp_ok == 0)
         fn(f, n++, sc->procs[i]->pid, sc->procs[i]->comm, "unverifiable", data);
   }
}

enum { SHOWN = 8 };

static void
text_one(FILE *f, size_t n, pid_t pid, const char *comm, const char *reason, void *data)
{
   *(size_t *)data = n + 1;
   if (n >= SHOWN)
      return;
   fprintf(f, "%s%d/", n ? ", " : "skipped: ", (int)pid);
   text_escape_write(f, comm, ESCAPE_SEPARATORS);
   fprintf(f, " (%s)", reason);
}

void
skipped_print_text(FILE *f, const struct scan *sc)
{
   size_t n = 0;
   each_skipped(sc, text_one, f, &n);
   if (n > SHOWN)
      fprintf(f, ", and %zu more (-J lists all)", n - SHOWN);
   if (n)
      fprintf(f, "\n");
}

static void
json_one(FILE *f, size_t n, pid_t pid, const char *comm, const char *reason, void *data)
{
   fprintf(f, "%s{\"pid\": %d, \"command\": ", n ? ", " : "", (int)pid);
   json_write_string(f, comm);
   fprintf(f, ", \"reason\": \"%s\"}", reason);
}

void
skipped_print_json(FILE *f, const struct scan *sc)
{
   fputc('[', f);
   each_skipped(sc, json_one, f, NULL);
   fputc(']', f);
}
