/* config-dump — the effective configuration written back as INI
 * (`sutazai-governor --dump-config`, and golden files in the tests). Pure
 * formatting over the key tables: every key of every section, defaults
 * included, so an operator sees what the governor will do. */
#pragma once

#include <stdio.h>

struct config;

/* The effective configuration as INI that config_parse_string accepts again
 * and that yields the same config. Deterministic: [governor], [memory],
 * [journal], then disks, logs and rules in config order; every key with its
 * effective value; an unset optional value is a comment "# KEY = (not set)".
 * 0 or -EIO. */
int config_dump(const struct config *c, FILE *f);
