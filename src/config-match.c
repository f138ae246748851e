/* config-match — see include/config-match.h
 *
 * On the sampling path for every container and cgroup at every tick: no
 * allocation, no I/O, fnmatch(3) over the strings the caller already holds. */
#include "config-match.h"

#include <assert.h>
#include <fnmatch.h>
#include <string.h>

static bool label_matches(const struct match *m, const char *const *labels)
{
        size_t key_len = strlen(m->key);

        if (!labels)
                return false;
        for (size_t i = 0; labels[i]; i++)
                if (strncmp(labels[i], m->key, key_len) == 0 && labels[i][key_len] == '=' &&
                    fnmatch(m->glob, labels[i] + key_len + 1, 0) == 0)
                        return true;
        return false;
}

static bool match_one(const struct match *m, const char *name, const char *image,
                      const char *const *labels, const char *path)
{
        switch (m->kind) {
        case MATCH_NAME:
                if (!name)
                        return false;
                /* Docker's API spells names "/foo". */
                if (name[0] == '/')
                        name++;
                return fnmatch(m->glob, name, 0) == 0;
        case MATCH_LABEL:
                return label_matches(m, labels);
        case MATCH_IMAGE:
                return image && fnmatch(m->glob, image, 0) == 0;
        case MATCH_PATH:
                if (!path)
                        return false;
                if (path[0] == '/')
                        path++;
                return fnmatch(m->glob, path, 0) == 0;
        }
        return false;
}

static bool rule_matches(const struct rule *r, const char *name, const char *image,
                         const char *const *labels, const char *path)
{
        for (size_t j = 0; j < r->n_matches; j++)
                if (match_one(&r->matches[j], name, image, labels, path))
                        return true;
        return false;
}

int config_rule_find(const struct config *c, enum rule_kind kind, const char *name,
                     const char *image, const char *const *labels, const char *path)
{
        int first = -1;

        assert(c);

        for (size_t i = 0; i < c->n_rules; i++) {
                const struct rule *r = &c->rules[i];

                if (r->kind != kind || !rule_matches(r, name, image, labels, path))
                        continue;
                /* a protect rule is never shadowed by an earlier unprotected one */
                if (r->protect)
                        return (int)i;
                if (first < 0)
                        first = (int)i;
        }
        return first;
}
