/* libFuzzer target: the control socket's wire format on arbitrary bytes.
 *
 *  - control_request_parse() as the daemon runs it on a client's request: an
 *    accepted request must survive control_request_format() and parse back
 *    to the same request (the CLI and the daemon agree), with a name that is
 *    printable and values within the documented ranges;
 *  - control_response_parse() and control_render() as sutazai-govctl runs
 *    them on what came back from the socket: any result, of any shape, for
 *    every verb, renders or is refused with -EINVAL, never crashes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "control_proto.h"
#include "control_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const struct control_request *req)
{
        struct control_request again;
        char *line = NULL, err[256];

        if ((unsigned)req->verb >= CONTROL_VERB_COUNT)
                abort();
        for (const unsigned char *p = (const unsigned char *)req->name; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        abort();
        if (req->memory_max_is_percent &&
            !(req->memory_max_percent > 0 && req->memory_max_percent <= 100))
                abort();
        if (req->for_usec > CONTROL_FOR_MAX_USEC)
                abort();
        if (req->verb == CONTROL_VERB_SET_LIMIT && !req->memory_max_is_percent &&
            (req->memory_max == 0 ||
             (req->memory_max > CONTROL_JSON_INT_MAX && req->memory_max != BYTES_MAX)))
                abort();
        if (control_request_format(req, &line) < 0)
                return; /* -ENOMEM only */
        if (control_request_parse(line, strlen(line), &again, err, sizeof err) != 0)
                abort();
        if (again.verb != req->verb || strcmp(again.name, req->name) != 0 ||
            again.memory_max_is_percent != req->memory_max_is_percent ||
            again.for_usec != req->for_usec || again.dry_run != req->dry_run ||
            again.count != req->count)
                abort();
        if (req->verb == CONTROL_VERB_SET_LIMIT && !req->memory_max_is_percent &&
            again.memory_max != req->memory_max)
                abort();
        free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct control_request req;
        char err[256];
        cJSON *result = NULL;
        FILE *devnull;

        if (control_request_parse((const char *)data, size, &req, err, sizeof err) == 0)
                check_request(&req);

        if (control_response_parse((const char *)data, size, &result, err, sizeof err) == 0) {
                struct control_render_options opts = {.colour = size % 2 == 0,
                                                      .now_realtime = 1700000000ULL * USEC_PER_SEC};
                devnull = fopen("/dev/null", "we");
                if (devnull) {
                        for (int v = 0; v < CONTROL_VERB_COUNT; v++)
                                (void)control_render((enum control_verb)v, result, &opts, devnull);
                        fclose(devnull);
                }
                cJSON_Delete(result);
        }
        return 0;
}
