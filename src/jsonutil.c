/* jsonutil — see include/jsonutil.h */
#include "jsonutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int jsonutil_get_u64(const cJSON *item, uint64_t max, uint64_t *ret)
{
        double v;

        if (!cJSON_IsNumber(item))
                return -EINVAL;
        v = item->valuedouble;
        if (!isfinite(v) || v < 0 || v != floor(v) || v > (double)max)
                return -ERANGE;
        *ret = (uint64_t)v;
        return 0;
}

cJSON *jsonutil_parse_versioned(const char *buf, size_t len, uint64_t version)
{
        cJSON *root = cJSON_ParseWithLength(buf, len);
        uint64_t v;

        if (cJSON_IsObject(root) &&
            jsonutil_get_u64(cJSON_GetObjectItemCaseSensitive(root, "version"), JSONUTIL_INT_MAX,
                             &v) == 0 &&
            v == version)
                return root;
        cJSON_Delete(root);
        return NULL;
}

char *jsonutil_print_line(const cJSON *root, bool formatted)
{
        char *s, *line;
        size_t n;

        if (!root)
                return NULL;
        s = formatted ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
        if (!s)
                return NULL;
        n = strlen(s);
        line = malloc(n + 2);
        if (line) {
                memcpy(line, s, n);
                memcpy(line + n, "\n", 2);
        }
        cJSON_free(s);
        return line;
}
