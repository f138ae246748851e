/* control_render — a verb's result (the JSON of control_proto.h) shown to
 * people: what sutazai-govctl prints without --json. Pure but for writing
 * to the FILE* it is given; the result comes from a socket, so every field
 * is checked before use and names are stripped of control characters. The
 * status and explain tables share one table printer. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "control_proto.h"
#include "util.h"

struct control_render_options {
        bool colour;         /* ANSI colour for tiers and states */
        usec_t now_realtime; /* to show "in 59m" for expiries; 0 = absolute only */
};

/* Render a result for people. 0, or -EINVAL when the result does not have
 * the shape the verb promises. */
int control_render(enum control_verb verb, const cJSON *result,
                   const struct control_render_options *opts, FILE *f);
