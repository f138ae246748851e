/* test-docker-helper — the core treats sutazai-governor-docker's messages as
 * untrusted: a helper that sends an oversized, truncated, unknown or forged
 * message is killed and respawned (with backoff), one that exits is
 * respawned, and the core never crashes nor believes it is connected.
 *
 *   test-docker-helper FAKE_HELPER */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker.h"
#include "log.h"
#include "test.h"

static const char *const modes[] = {"oversized", "truncated", "unknown", "forged", "exit"};
#define N_MODES (sizeof(modes) / sizeof(modes[0]))

static unsigned count_lines(const char *path)
{
        FILE *f = fopen(path, "r");
        unsigned n = 0;
        int c;

        if (!f)
                return 0;
        while ((c = fgetc(f)) != EOF)
                n += c == '\n';
        fclose(f);
        return n;
}

int main(int argc, char *argv[])
{
        char dir[] = "/tmp/test-docker-helper.XXXXXX";
        struct docker *docker[N_MODES] = {};
        char path[N_MODES][64];
        sd_event *e = NULL;
        usec_t deadline;

        if (argc != 2) {
                fprintf(stderr, "usage: %s FAKE_HELPER\n", argv[0]);
                return 2;
        }
        log_init("test-docker-helper", LOG_TARGET_CONSOLE);
        log_set_max_priority(LOG_ERR);
        CHECK(mkdtemp(dir) != NULL);
        CHECK(sd_event_default(&e) >= 0);
        docker_set_helper(argv[1]);
        for (size_t i = 0; i < N_MODES; i++) {
                snprintf(path[i], sizeof(path[i]), "%s/%s", dir, modes[i]);
                CHECK_EQ_INT(docker_new(e, path[i], NULL, NULL, NULL, &docker[i]), 0);
        }
        /* First try at once, the helper's backoff 250 ms then 500 ms, the
         * connection's the same: three spawns fit in 2 s. */
        deadline = util_now_usec() + 2 * USEC_PER_SEC;
        while (util_now_usec() < deadline)
                CHECK(sd_event_run(e, 100 * USEC_PER_MSEC) >= 0);
        for (size_t i = 0; i < N_MODES; i++) {
                char spawns[sizeof(path) + 16];
                struct docker_stats st;

                snprintf(spawns, sizeof(spawns), "%s.spawns", path[i]);
                docker_get_stats(docker[i], &st);
                if (count_lines(spawns) < 2)
                        fprintf(stderr, "%s: %u spawns\n", modes[i], count_lines(spawns));
                CHECK(count_lines(spawns) >= 2);
                CHECK(!docker_is_connected(docker[i]));
                CHECK(st.connect_failures >= 2);
                docker[i] = docker_free(docker[i]);
                unlink(spawns);
        }
        /* docker_free killed and reaped the last helpers: no child is left. */
        CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
        sd_event_unref(e);
        rmdir(dir);
        return TEST_RESULT();
}
