/* libFuzzer target: images.json (imagelru_parse) on arbitrary bytes, and
 * logprune_escape over hostile file names. An accepted state file must
 * format and parse back to the same entries; an escaped name must be
 * NUL-terminated within its buffer and hold no raw control byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imagelru.h"
#include "logprune.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escape(const uint8_t *data, size_t size)
{
        char name[512], out[64];
        size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

        memcpy(name, data, n);
        name[n] = '\0';
        /* every buffer size from 1 up: truncation must stay inside */
        for (size_t cap = 1; cap <= sizeof(out); cap += 7) {
                logprune_escape(name, out, cap);
                size_t len = strnlen(out, cap);
                if (len >= cap)
                        abort();
                for (size_t i = 0; i < len; i++)
                        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
                                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct imagelru l, back;
        char *json = NULL;

        check_escape(data, size);

        imagelru_init(&l);
        imagelru_init(&back);
        if (imagelru_parse(&l, (const char *)data, size) == 0) {
                if (imagelru_format(&l, &json) < 0)
                        abort();
                if (imagelru_parse(&back, json, strlen(json)) != 0 ||
                    back.n_entries != l.n_entries || back.baseline != l.baseline)
                        abort();
                for (size_t i = 0; i < l.n_entries; i++) {
                        const struct imagelru_entry *e = imagelru_find(&back, l.entries[i].id);
                        if (!e ||
                            e->last_used_realtime_usec != l.entries[i].last_used_realtime_usec ||
                            e->first_seen_realtime_usec != l.entries[i].first_seen_realtime_usec)
                                abort();
                }
                free(json);
        }
        imagelru_done(&l);
        imagelru_done(&back);
        return 0;
}
