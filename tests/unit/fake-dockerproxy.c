/* fake-dockerproxy — a sutazai-governor-docker that breaks the protocol,
 * for test-docker-helper. Started by the core as "PROGRAM SOCKET"; the
 * basename of SOCKET says how it misbehaves once the first request came:
 *   oversized  a DATA one byte over the chunk bound
 *   truncated  a DONE cut inside its fixed part
 *   unknown    a message of type 99
 *   forged     a DONE for an id the core never issued
 *   exit       exits with status 3 without answering
 * Each start appends a line to SOCKET.spawns, so the test counts respawns. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dockerproxy.h"

int main(int argc, char *argv[])
{
        static char buf[DOCKERPROXY_REPLY_MAX + 2];
        char log_path[4096], *copy, *mode;
        struct dockerproxy_msg m;
        ssize_t n;
        FILE *f;

        if (argc != 2)
                return 1;
        snprintf(log_path, sizeof(log_path), "%s.spawns", argv[1]);
        f = fopen(log_path, "a");
        if (f) {
                fprintf(f, "%d\n", (int)getpid());
                fclose(f);
        }
        copy = strdup(argv[1]);
        mode = basename(copy);
        n = recv(DOCKERPROXY_FD, buf, sizeof(buf), 0);
        if (n <= 0 || dockerproxy_parse_request(buf, (size_t)n, &m) < 0)
                return 2;
        if (strcmp(mode, "exit") == 0)
                return 3;
        if (strcmp(mode, "oversized") == 0) {
                n = dockerproxy_build_data(buf, m.id, buf + 100, DOCKERPROXY_CHUNK_MAX);
                n++;
        } else if (strcmp(mode, "truncated") == 0) {
                n = dockerproxy_build_done(buf, m.id, 0, 200, NULL) - 3;
        } else if (strcmp(mode, "unknown") == 0) {
                n = dockerproxy_build_done(buf, m.id, 0, 200, NULL);
                buf[0] = 99;
        } else {
                n = dockerproxy_build_done(buf, m.id + 1000, 0, 200, NULL);
        }
        (void)send(DOCKERPROXY_FD, buf, (size_t)n, MSG_NOSIGNAL);
        /* Wait to be killed: the core must not rely on us leaving. */
        for (;;)
                pause();
}
