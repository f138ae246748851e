/* statefile — the small JSON state files the governor keeps in STATE_DIR
 * (overrides.json, history.json): bounded reads, and moving a corrupt file
 * aside so the daemon starts clean instead of refusing to start.
 * Writes go through util_write_file_atomic(). */
#pragma once

#include <stddef.h>

#define STATEFILE_MAX (16U * 1024U * 1024U) /* bytes; history of 1000 entries is ~400 KiB */

/* Log that path is corrupt (why) and rename it to PATH.corrupt, replacing an
 * older one. Failures to rename are logged, not returned. */
void statefile_quarantine(const char *path, const char *why);

/* Read a whole state file (a regular file, not through a symlink, at most
 * STATEFILE_MAX) into a malloc'd, NUL-terminated buffer; a file that cannot
 * be used is moved aside. 0, -ENOENT (none), -EINVAL (too large or not a
 * regular file: quarantined) or -errno. */
int statefile_load(const char *path, char **ret_buf, size_t *ret_len);
