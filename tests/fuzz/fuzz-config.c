/* libFuzzer target: config_parse_string() on arbitrary text over the
 * defaults. Links: config_dep (which brings units_dep, util_dep, inih).
 * Seed corpus: tests/fuzz/corpus/config/.
 *
 * Beyond "no crash, no leak, no UB": an error must be reported as
 * "fuzz.conf:LINE: ..."; and an accepted text must survive the dump round
 * trip — config_dump() parses again onto fresh defaults, and dumps the same
 * text a second time. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-dump.h"
#include "config-ini.h"
#include "config-validate.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *dump(const struct config *c)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                abort();
        if (config_dump(c, f) < 0)
                abort();
        fclose(f);
        return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char err[512];
        char *text;
        struct config *c, *again;
        int r;

        /* The parser takes a C string, as config_load hands it one. */
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        c = config_new_default();
        if (!c)
                abort();
        r = config_parse_string(c, "fuzz.conf", text, err, sizeof(err));
        if (r < 0) {
                if (r != -EINVAL && r != -ENOMEM)
                        abort();
                if (r == -EINVAL && strncmp(err, "fuzz.conf:", 10) != 0)
                        abort();
        } else {
                (void)config_validate(c, err, sizeof(err));
                char *first = dump(c);

                again = config_new_default();
                if (!again)
                        abort();
                if (config_parse_string(again, "dump", first, err, sizeof(err)) < 0) {
                        fprintf(stderr, "dump does not parse: %s\n%s", err, first);
                        abort();
                }
                char *second = dump(again);
                if (strcmp(first, second) != 0) {
                        fprintf(stderr, "round trip differs:\n%s---\n%s", first, second);
                        abort();
                }
                free(second);
                free(first);
                config_free(again);
        }
        config_free(c);
        free(text);
        return 0;
}
