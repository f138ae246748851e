/* config-ini — one configuration file's text read into a struct config.
 *
 * Syntax: inih, one "key = value" per line (':' works as '=' too); leading
 * blanks are ignored (no continuation lines); '#' or ';' at the start of a
 * line, or after a blank, starts a comment, so a value can not begin with
 * either; lines of more than 199 characters are refused. A UTF-8 byte order
 * mark and CRLF line ends are accepted.
 *
 * Merging: later files override single keys of sections of the same name,
 * and add sections (a new rule goes after all earlier rules; a merged rule
 * keeps its place). "match" and "keep_image" lines accumulate within one file
 * (several = any); the first such line of a section in a later file replaces
 * the list the earlier files built.
 *
 * Errors are "FILE:LINE: message", the first one only. Unknown sections,
 * unknown keys, duplicate sections or keys within one file, malformed or
 * out-of-range values are all errors. Pure: no I/O (fuzzed). */
#pragma once

#include <stddef.h>

struct config;

/* Parse one file's text into c (which holds defaults or earlier files).
 * file_name is used in messages only. Returns 0, or -EINVAL with
 * "FILE:LINE: message" in err (the first error only). -ENOMEM is fatal.
 * On error c may hold part of the file: it stays valid to free, but must not
 * be used (config_load never hands out such a config). Does not run
 * config_validate (a later drop-in may complete a section). */
int config_parse_string(struct config *c, const char *file_name, const char *text, char *err,
                        size_t err_size);
