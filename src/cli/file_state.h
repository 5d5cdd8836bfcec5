/* SPDX-License-Identifier: MIT */
/*
 * What an open file description holds beside its file, as fdinfo prints it
 * for the first holder: position and open flags (lsfd's POS, FLAGS and
 * MODE). Two processes sharing a description see each other's reads move
 * POS and fcntl(F_SETFL) change FLAGS; O_CLOEXEC is per fd and left out.
 */
#ifndef FDID_CLI_FILE_STATE_H
#define FDID_CLI_FILE_STATE_H

#include <stdbool.h>
#include <stdio.h>

#include "fdinfo.h"

/* The access mode as lsfd's MODE shows it: "r-", "-w", "rw", "--" for an
 * O_PATH open; NULL when fdinfo was not read. */
const char *file_state_mode(const struct fdinfo *i);

/* The flags beside the access mode, comma-separated ("append,nonblock");
 * an empty string for none. false (nothing written) when fdinfo has no
 * flags line. */
bool file_state_write_flags(FILE *f, const struct fdinfo *i);

#endif
