/* SPDX-License-Identifier: MIT */
/* The processes a listing could not see (denied, vanished) or could not
 * verify (kcmp refused), said the same way by every subcommand. */
#ifndef FDID_CLI_SKIPPED_H
#define FDID_CLI_SKIPPED_H

#include <stdio.h>

#include "scan.h"

/* "skipped: PID/COMM (reason), ..." and a newline; the first 8, then how
 * many more. Nothing when none was skipped. */
void skipped_print_text(FILE *f, const struct scan *sc);

/* The JSON array [{"pid", "command", "reason"}, ...], every one. */
void skipped_print_json(FILE *f, const struct scan *sc);

#endif
