/* config-lint — see include/config-lint.h */
#include "config-lint.h"

#include <assert.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Container cgroups as the Docker drivers name them (cgroupfs, systemd) and
 * their ancestors, with a made-up id: what a [cgroup:] pattern must not hit. */
#define LINT_ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
static const char *const container_cgroups[] = {
    "docker/" LINT_ID,
    "docker",
    "system.slice/docker-" LINT_ID ".scope",
    "system.slice",
    "",
};

static bool globs_overlap(const char *a, const char *b)
{
        return strcmp(a, b) == 0 || fnmatch(a, b, 0) == 0 || fnmatch(b, a, 0) == 0;
}

/* Can two matches select the same container? Different kinds of match
 * (a name and a label) always can; the same kind when the globs overlap. */
static bool matches_overlap(const struct match *a, const struct match *b)
{
        if (a->kind != b->kind)
                return true;
        if (a->kind == MATCH_LABEL && strcmp(a->key, b->key) != 0)
                return true; /* two labels on one container */
        return globs_overlap(a->glob, b->glob);
}

static bool rules_overlap(const struct rule *a, const struct rule *b)
{
        for (size_t i = 0; i < a->n_matches; i++)
                for (size_t j = 0; j < b->n_matches; j++)
                        if (matches_overlap(&a->matches[i], &b->matches[j]))
                                return true;
        return false;
}

static const char *kind_name(enum rule_kind k)
{
        return k == RULE_CGROUP ? "cgroup" : "container";
}

size_t config_lint(const struct config *c, config_lint_fn emit, void *userdata)
{
        char msg[1024];
        size_t n = 0;

        assert(c && emit);
        for (size_t p = 0; p < c->n_rules; p++) {
                const struct rule *prot = &c->rules[p];

                if (!prot->protect)
                        continue;
                for (size_t u = 0; u < p; u++) {
                        const struct rule *early = &c->rules[u];

                        if (early->kind != prot->kind || early->protect ||
                            !rules_overlap(early, prot))
                                continue;
                        snprintf(msg, sizeof msg,
                                 "[%s:%s] (not protected) comes before protected [%s:%s] and can "
                                 "match the same %ss; protection wins for them, so [%s:%s]'s "
                                 "limits and priority do not apply there: narrow its match or "
                                 "move it after [%s:%s]",
                                 kind_name(early->kind), early->name, kind_name(prot->kind),
                                 prot->name, kind_name(prot->kind), kind_name(early->kind),
                                 early->name, kind_name(prot->kind), prot->name);
                        emit(msg, userdata);
                        n++;
                }
        }
        for (size_t i = 0; i < c->n_rules; i++) {
                const struct rule *r = &c->rules[i];

                if (r->kind != RULE_CGROUP)
                        continue;
                for (size_t j = 0; j < r->n_matches; j++) {
                        const struct match *m = &r->matches[j];
                        const char *hit = NULL;

                        if (m->kind != MATCH_PATH)
                                continue;
                        for (size_t k = 0; !hit && k < sizeof container_cgroups /
                                                                sizeof *container_cgroups;
                             k++)
                                if (fnmatch(m->glob, container_cgroups[k], 0) == 0)
                                        hit = container_cgroups[k];
                        if (!hit)
                                continue;
                        snprintf(msg, sizeof msg,
                                 "[cgroup:%s] path:%s can match a container's cgroup or an "
                                 "ancestor (%s): containers are governed by [container:] rules; "
                                 "the governor never kills, throttles or reclaims a cgroup "
                                 "holding a protected group, but everything else under it is "
                                 "fair game",
                                 r->name, m->glob, hit[0] ? hit : "the root");
                        emit(msg, userdata);
                        n++;
                }
        }
        return n;
}
