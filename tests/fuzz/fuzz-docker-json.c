/* libFuzzer target: every docker_json parser on the same arbitrary bytes
 * (the corpus holds captured Engine answers of each kind). An accepted input
 * must honour each parser's contract; a rejected one must leave nothing
 * allocated (ASan/LSan check that). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_container(const struct docker_container *c)
{
        if (!docker_id_valid(c->id) || !c->name || !docker_name_valid(c->name) || !c->image ||
            !c->image_id || !c->labels || c->pid < 0 || (c->running && c->pid == 0) ||
            c->memory_swap < -1 || c->cgroup || c->cgroup_v1_memory)
                abort();
        for (char **l = c->labels; *l; l++)
                if (!strchr(*l, '=') || **l == '=')
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *buf = (const char *)data;
        struct docker_container c;
        struct docker_json_event e;
        struct docker_image *images;
        char(*ids)[DOCKER_ID_MAX];
        char version[16], msg[64], **deleted;
        uint64_t reclaimed;
        size_t n;

        if (docker_json_parse_inspect(buf, size, &c) == 0) {
                struct docker_container copy;

                check_container(&c);
                if (docker_container_copy(&c, &copy) == 0) {
                        if (strcmp(copy.name, c.name) != 0)
                                abort();
                        docker_container_done(&copy);
                }
                docker_container_done(&c);
        }
        if (docker_json_parse_event(buf, size, &e) == 0) {
                if (e.container && e.action != DOCKER_ACTION_OTHER && !docker_id_valid(e.id))
                        abort();
                if (!e.container && e.id[0])
                        abort();
                if (strnlen(e.name, sizeof(e.name)) >= sizeof(e.name))
                        abort();
        }
        if (docker_json_parse_container_list(buf, size, &ids, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        if (!docker_id_valid(ids[i]))
                                abort();
                free(ids);
        }
        if (docker_json_parse_images(buf, size, &images, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        if (!images[i].repo_tags || strncmp(images[i].id, "sha256:", 7) != 0)
                                abort();
                docker_images_free(images, n);
        }
        if (docker_json_parse_prune(buf, size, &reclaimed, &deleted) == 0) {
                if (!deleted)
                        abort();
                docker_strv_free(deleted);
        }
        if (docker_json_parse_version(buf, size, version, sizeof(version)) == 0) {
                unsigned major, minor;

                if (docker_json_parse_api_version(version, &major, &minor) != 0 || major != 1 ||
                    minor < DOCKER_API_MIN_MINOR || minor > DOCKER_API_MAX_MINOR)
                        abort();
        }
        if (docker_json_parse_error(buf, size, msg, sizeof(msg)) == 0)
                for (const char *p = msg; *p; p++)
                        if ((unsigned char)*p < 0x20)
                                abort();
        /* the time parser wants a C string */
        if (size < 64) {
                char s[64];
                usec_t t;

                memcpy(s, buf, size);
                s[size] = '\0';
                (void)docker_json_parse_time(s, &t);
        }
        return 0;
}
