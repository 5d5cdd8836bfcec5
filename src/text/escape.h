/* SPDX-License-Identifier: MIT */
/*
 * Strings other processes control (file names, `comm`, dma-buf names,
 * fdinfo text) on their way out: to a terminal, and into JSON.
 *
 * Terminal (text_escape): a backslash is written "\\", every byte that is
 * not part of a printable character "\xHH". Printable means ASCII 0x20 to
 * 0x7e, and in a UTF-8 locale also valid UTF-8 whose character is printable
 * there (no C1 controls, no line or paragraph separators, no bidirectional
 * overrides that reorder what a terminal shows). The escape is reversible:
 * "\\" and "\xHH" are the only backslash sequences.
 *
 * JSON (json.h's json_write_string): valid UTF-8 is kept exactly (controls, DEL, C1
 * controls and U+2028/U+2029 as \uXXXX escapes, which parse back to the
 * same characters). Each byte that is not part of valid UTF-8 (a stray
 * continuation byte, a truncated or overlong sequence, an encoded
 * surrogate, anything above U+10FFFF) becomes the lone surrogate
 * \udcHH, as Python's "surrogateescape" does: valid UTF-8 never encodes a
 * surrogate, so the original bytes come back unambiguously (Python:
 * json.loads(doc)[...].encode("utf-8", "surrogateescape")). The output is
 * always ASCII-safe, valid UTF-8 JSON.
 */
#ifndef FDID_TEXT_ESCAPE_H
#define FDID_TEXT_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Length (1 to 4) of the valid UTF-8 sequence at s (n bytes available),
 * its code point in *cp; 0 when the bytes there are not valid UTF-8. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Printable by Unicode's lights but changing what a terminal shows
 * elsewhere: bidirectional marks, embeddings and isolates, line and
 * paragraph separators, the byte order mark. */
bool text_reorders_or_breaks(uint32_t cp);

enum text_escape_flags {
   ESCAPE_BLANKS = 1 << 0,     /* also spaces and tabs (raw tables) */
   ESCAPE_SEPARATORS = 1 << 1, /* also ',' and '/' (the HOLDERS column) */
};

/* Reads the locale once: non-ASCII text is shown as text only in a UTF-8
 * locale. Call after setlocale(). */
void text_escape_init(void);

/* s escaped for a terminal, as a malloc'ed string (NULL: no memory). */
char *text_escape(const char *s, unsigned flags);

/* Writes s escaped to f. */
void text_escape_write(FILE *f, const char *s, unsigned flags);

#endif
