/* config-match — which rule governs a container or a cgroup.
 *
 * The lookup the sampler and the actuator run for every group over a rule's
 * match lines (struct match in config.h): the first rule of the kind that
 * matches, except that a protected rule wins over earlier unprotected ones. Pure: no allocation, no
 * I/O; safe on the critical path. */
#pragma once

#include "config.h"

/* First rule of the given kind that matches (any of its match lines) —
 * except that the first matching rule with protect = yes wins over earlier
 * unprotected ones: an earlier, broader rule never takes a protection away
 * (config_lint warns about such a shadow).
 * name/image/path may be NULL; labels is a NULL-terminated array of
 * "KEY=VALUE" strings or NULL. Globs are fnmatch(3) without flags, so '*'
 * also matches '/'. A leading '/' of a Docker name or of a cgroup path is
 * ignored. Returns the rule index or -1. */
int config_rule_find(const struct config *c, enum rule_kind kind, const char *name,
                     const char *image, const char *const *labels, const char *path);
