/* SPDX-License-Identifier: MIT */
/*
 * fdid ls --assoc: the files processes hold without an fd (assoc.h),
 * after the descriptions: each file once, its holders marked exe, cwd,
 * root or mem, and the IDs of the listing's descriptions of the same file
 * (its fds' descriptions, shown or not). Never merged into a description:
 * a mapping or a working directory holds a file, not an open file
 * description. -Q and -o apply to the descriptions only.
 */
#ifndef FDID_CLI_LS_ASSOC_H
#define FDID_CLI_LS_ASSOC_H

#include <stdbool.h>
#include <stdio.h>

#include "assoc.h"
#include "group.h"

/* A table (INODE, NAME, HOLDERS, DESCRIPTIONS) under a title; raw: cells
 * one blank apart, blanks escaped. 0 or -ENOMEM. */
int ls_assoc_print_table(const struct assoc_list *l, const struct grouping *g, bool raw,
                         bool noheadings);

/* ,"pinned": [{"dev", "inode", "name", "holders": [{"pid", "command",
 * "assoc"}], "descriptions": [ID...]}], "pinned_unreadable": N */
void ls_assoc_print_json(FILE *f, const struct assoc_list *l, const struct grouping *g);

#endif
