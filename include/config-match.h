/* config-match — which rule governs a container or a cgroup.
 *
 * A rule's match lines ("match = name:GLOB", "label:KEY=VALUE", "image:GLOB",
 * "path:GLOB") as parsed values, and the lookup the sampler and the actuator
 * run for every group: the first rule of the kind that matches, except that a
 * protected rule wins over earlier unprotected ones. Pure: no allocation, no
 * I/O; safe on the critical path. */
#pragma once

struct config;

enum match_kind {
        MATCH_NAME,  /* name:GLOB over the container name (no leading '/') */
        MATCH_LABEL, /* label:KEY=VALUE (VALUE may be a glob) */
        MATCH_IMAGE, /* image:GLOB over the image reference */
        MATCH_PATH,  /* path:GLOB over the cgroup path relative to the root */
};

struct match {
        enum match_kind kind;
        char *key;  /* label key for MATCH_LABEL, else NULL */
        char *glob; /* pattern (label value for MATCH_LABEL) */
};

enum rule_kind {
        RULE_CONTAINER,
        RULE_CGROUP,
};

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
