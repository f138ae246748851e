/* config-load — the configuration as the daemon reads it: files, then
 * validation.
 *
 * Sources: one main file, then every "*.conf" in the drop-in directory
 * (FILE.d/ beside it) in lexical (strcmp) order; names starting with '.' and
 * names not ending in ".conf" are ignored, and so is a directory named
 * "x.conf". Each file is read whole (at most 1 MiB, no NUL byte) and handed
 * to config_parse_string(); the result is validated (config_validate, then
 * config_validate_host against this host's MemTotal). On any error nothing is
 * returned: the caller keeps its old config. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct config;

#define CONFIG_DEFAULT_PATH "/etc/sutazai/governor.conf"

/* Load path and its drop-ins (every *.conf in path + ".d") over the defaults and
 * validate. A missing main file is an error unless allow_missing. Returns 0
 * with *ret_config, or negative errno with err filled. */
int config_load(const char *path, bool allow_missing, struct config **ret_config, char *err,
                size_t err_size);
