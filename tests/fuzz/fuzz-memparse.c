/* libFuzzer target: every memparse parser, and cgfs's pure parsers of
 * /proc/PID/cgroup and mountinfo, on the same arbitrary bytes (one corpus
 * holds samples of each format). An accepted input must honour each
 * parser's contract. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs.h"
#include "memparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_memparse(const char *buf, size_t len)
{
        struct memory_oom_control oc;
        struct memory_events ev;
        struct meminfo mi;
        uint64_t v;

        if (memparse_meminfo(buf, len, &mi) == 0 &&
            (mi.mem_total_bytes == 0 || mi.mem_available_bytes > mi.mem_total_bytes ||
             mi.swap_free_bytes > mi.swap_total_bytes))
                abort();
        (void)memparse_value(buf, len, &v);
        (void)memparse_memory_events(buf, len, &ev);
        (void)memparse_flat_keyed(buf, len, "anon", &v);
        (void)memparse_flat_keyed(buf, len, "oom_kill", &v);
        (void)memparse_oom_control(buf, len, &oc);
}

/* "" or components joined by single '/', none "." or "..". */
static int rel_path_ok(const char *path)
{
        const char *p = path;

        if (!*path)
                return 1;
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return 0;
                if (!slash)
                        return 1;
                p = slash + 1;
        }
}

static void fuzz_cgfs_parsers(const char *buf, size_t len)
{
        struct cgfs_layout_info *info;
        char *path = NULL;

        if (cgfs_parse_proc_cgroup(buf, len, &path) == 0) {
                /* A path we hand to cgfs must be relative and cannot climb. */
                if (!rel_path_ok(path))
                        abort();
                free(path);
        }
        path = NULL;
        if (cgfs_parse_proc_cgroup_v1(buf, len, "memory", &path) == 0) {
                if (!rel_path_ok(path))
                        abort();
                free(path);
        }
        info = malloc(sizeof *info);
        if (!info)
                return;
        if (cgfs_parse_mountinfo(buf, len, buf, len, info) == 0 &&
            info->layout == CGFS_LAYOUT_UNKNOWN)
                abort();
        free(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_memparse((const char *)data, size);
        fuzz_cgfs_parsers((const char *)data, size);
        return 0;
}
