/* config-lint — warnings about a configuration that loads but may not do
 * what its author meant (`sutazai-governor --check-config`, and the journal at
 * start-up and reload). Pure: reads the config, writes messages.
 *
 *   - shadow: an unprotected rule listed before a protected rule of the same
 *     kind whose matches can select the same containers (a label or image
 *     match beside a name match, or globs that match each other). The
 *     protected rule still protects them (config_rule_find lets protection
 *     win), but the earlier rule's intent is ambiguous;
 *   - container cgroups: a [cgroup:] path pattern that can match a
 *     container's cgroup or one of its ancestors (docker/<id>,
 *     system.slice/docker-<id>.scope and their parents). Containers are
 *     governed as containers; the governor never acts on such a cgroup as a
 *     cgroup where it holds a protected group, but the rule is a mistake.
 *
 * emit is called once per warning with a one-line message. Returns how many. */
#pragma once

#include <stddef.h>

#include "config.h"

typedef void (*config_lint_fn)(const char *message, void *userdata);
size_t config_lint(const struct config *c, config_lint_fn emit, void *userdata);
