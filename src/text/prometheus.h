/* SPDX-License-Identifier: MIT */
/*
 * Prometheus' text exposition format (version 0.0.4, what node_exporter's
 * textfile collector reads): label values from text other processes
 * control. The format's own escapes are \\, \" and \n, and its text must
 * be UTF-8; a command name may be any bytes. So a label value is written
 * as text_escape() writes it for a terminal, whatever the locale: valid
 * printable UTF-8 as it is, a backslash as "\\", every other byte as
 * "\xHH" (reversible: those are its only backslash sequences), and that
 * text then in the format's escapes. A parser reads back the escaped
 * text; no byte can end the value, the line or the UTF-8.
 */
#ifndef FDID_TEXT_PROMETHEUS_H
#define FDID_TEXT_PROMETHEUS_H

#include <stdio.h>

/* Writes s as the inside of a label value's quotes. */
void prom_write_label_value(FILE *f, const char *s);

#endif
