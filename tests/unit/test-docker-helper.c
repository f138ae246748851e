/* test-docker-helper — the core treats sutazai-governor-docker's messages as
 * untrusted: a helper that sends an oversized, truncated, unknown or forged
 * message is killed and respawned (with backoff), one that exits is
 * respawned, and the core never crashes nor believes it is connected; an
 * absent socket is waited for (its directory watched), not retried.
 *
 *   test-docker-helper FAKE_HELPER */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static void run_for(sd_event *e, usec_t span)
{
        usec_t deadline = util_now_usec() + span;

        while (util_now_usec() < deadline)
                CHECK(sd_event_run(e, 100 * USEC_PER_MSEC) >= 0);
}

int main(int argc, char *argv[])
{
        char dir[] = "/tmp/test-docker-helper.XXXXXX";
        struct docker *docker[N_MODES] = {};
        char path[N_MODES][64];
        sd_event *e = NULL;

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
                /* something at the socket's path (the fake helper never
                 * connects): an absent socket would be waited for instead */
                int fd = open(path[i], O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                CHECK(fd >= 0);
                if (fd >= 0)
                        close(fd);
                CHECK_EQ_INT(docker_new(e, path[i], NULL, NULL, NULL, &docker[i]), 0);
        }
        /* First try at once, the helper's backoff 250 ms then 500 ms, the
         * connection's the same: three spawns fit in 2 s. */
        run_for(e, 2 * USEC_PER_SEC);
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
                unlink(path[i]);
        }
        /* An absent socket in a watched directory is waited for, not
         * retried every backoff: one try in a second; the socket appearing
         * brings the next try at once. */
        {
                char sub[sizeof(dir) + 16], sock[sizeof(sub) + 16], spawns[sizeof(sock) + 16];
                struct docker *absent = NULL;
                unsigned before;
                int fd;

                snprintf(sub, sizeof(sub), "%s/absent", dir);
                snprintf(sock, sizeof(sock), "%s/exit", sub);
                snprintf(spawns, sizeof(spawns), "%s.spawns", sock);
                CHECK(mkdir(sub, 0700) == 0);
                CHECK_EQ_INT(docker_new(e, sock, NULL, NULL, NULL, &absent), 0);
                run_for(e, 1500 * USEC_PER_MSEC);
                before = count_lines(spawns);
                if (before != 1)
                        fprintf(stderr, "absent socket: %u spawns in 1.5 s\n", before);
                CHECK(before == 1);
                fd = open(sock, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
                CHECK(fd >= 0);
                if (fd >= 0)
                        close(fd);
                run_for(e, 500 * USEC_PER_MSEC);
                CHECK(count_lines(spawns) > before);
                absent = docker_free(absent);
                unlink(spawns);
                unlink(sock);
                rmdir(sub);
        }
        /* docker_free killed and reaped the last helpers: no child is left. */
        CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD);
        sd_event_unref(e);
        rmdir(dir);
        return TEST_RESULT();
}
