/* spawner — see include/spawner.h */
#include "spawner.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"

struct spawner {
        sd_event_source *child;
        sd_event_source *io;
        sd_event_source *timer;
        pid_t pid;
        char name[64]; /* program, for log messages */
        int out_fd;
        char *output;
        size_t output_len;
        size_t output_max;
        uint64_t output_dropped; /* bytes read beyond output_max */
        bool timed_out;
        bool finished; /* done() called */
        spawner_done_fn done;
        void *userdata;
};

/* Read what the pipe has now. Returns 1 at EOF, 0 when it would block. */
static int drain(struct spawner *s)
{
        char chunk[4096];

        for (;;) {
                ssize_t n = read(s->out_fd, chunk, sizeof(chunk));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? 0 : 1; /* a read error ends the output */
                if (n == 0)
                        return 1;
                size_t keep = s->output_max - s->output_len;
                if ((size_t)n < keep)
                        keep = (size_t)n;
                memcpy(s->output + s->output_len, chunk, keep);
                s->output_len += keep;
                s->output[s->output_len] = '\0';
                s->output_dropped += (size_t)n - keep;
        }
}

static void close_output(struct spawner *s)
{
        s->io = sd_event_source_disable_unref(s->io);
        if (s->out_fd >= 0)
                close(s->out_fd);
        s->out_fd = -1;
}

static int on_output(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
        struct spawner *s = userdata;

        if (drain(s) > 0)
                close_output(s);
        return 0;
}

static int on_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
        struct spawner *s = userdata;

        s->timed_out = true;
        log_warning("%s (pid %d) still running at its time limit: killing it", s->name,
                    (int)s->pid);
        (void)sd_event_source_send_child_signal(s->child, SIGKILL, NULL, 0);
        return 0;
}

static int on_child(sd_event_source *source, const siginfo_t *si, void *userdata)
{
        struct spawner *s = userdata;
        int result, status;

        /* The program is gone; what it (not its leftover children) wrote is in
         * the pipe already. */
        if (s->out_fd >= 0) {
                (void)drain(s);
                close_output(s);
        }
        s->timer = sd_event_source_disable_unref(s->timer);

        if (si->si_code == CLD_EXITED) {
                result = 0;
                status = si->si_status;
        } else {
                result = s->timed_out ? -ETIMEDOUT : -ECHILD;
                status = si->si_status;
        }
        if (s->output_dropped > 0)
                log_debug("%s (pid %d): %llu bytes of output not kept", s->name, (int)s->pid,
                          (unsigned long long)s->output_dropped);
        s->finished = true;
        s->done(s, result, status, s->output, s->output_len, s->userdata);
        return 0;
}

int spawner_pid(const struct spawner *s)
{
        assert(s);
        return (int)s->pid;
}

struct spawner *spawner_free(struct spawner *s)
{
        if (!s)
                return NULL;
        /* The child source owns the process: freeing it SIGKILLs and reaps
         * a child that is still running. */
        s->child = sd_event_source_disable_unref(s->child);
        s->timer = sd_event_source_disable_unref(s->timer);
        close_output(s);
        free(s->output);
        free(s);
        return NULL;
}

int spawner_exec(const char *path, char *const argv[], int stdout_fd, int stderr_fd, int fd3,
                 pid_t *ret_pid)
{
        static char *const empty_environment[] = {NULL};
        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        sigset_t mask, all;
        pid_t pid;
        int r;

        assert(path);
        assert(argv && argv[0]);
        assert(ret_pid);

        if (path[0] != '/')
                return -EINVAL;
        r = -posix_spawn_file_actions_init(&actions);
        if (r < 0)
                return r;
        r = -posix_spawnattr_init(&attr);
        if (r < 0) {
                posix_spawn_file_actions_destroy(&actions);
                return r;
        }
        sigemptyset(&mask);
        sigfillset(&all);
        r = -posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (r == 0)
                r = stdout_fd >= 0
                        ? -posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO)
                        : -posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                                            O_WRONLY, 0);
        if (r == 0 && stderr_fd != STDERR_FILENO)
                r = -posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
        if (r == 0 && fd3 >= 0)
                r = -posix_spawn_file_actions_adddup2(&actions, fd3, STDERR_FILENO + 1);
        /* Nothing of the daemon's (sockets, PSI fds) leaks into the helper. */
        if (r == 0)
                r = -posix_spawn_file_actions_addclosefrom_np(&actions,
                                                              STDERR_FILENO + (fd3 >= 0 ? 2 : 1));
        if (r == 0)
                r = -posix_spawnattr_setflags(
                    &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
        if (r == 0)
                r = -posix_spawnattr_setsigmask(&attr, &mask);
        if (r == 0)
                r = -posix_spawnattr_setsigdefault(&attr, &all);
        if (r == 0)
                r = -posix_spawn(&pid, path, &actions, &attr, argv, empty_environment);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (r < 0)
                return r;
        *ret_pid = pid;
        return 0;
}

int spawner_run(sd_event *event, const char *path, char *const argv[], usec_t timeout_usec,
                size_t output_max, spawner_done_fn done, void *userdata, struct spawner **ret)
{
        sigset_t mask;
        struct spawner *s;
        int pipe_fds[2] = {-1, -1};
        int r;

        assert(event);
        assert(path);
        assert(argv && argv[0]);
        assert(done);
        assert(ret);

        if (path[0] != '/')
                return -EINVAL;

        /* sd_event_add_child() requires SIGCHLD blocked; block it before the
         * child exists so its exit cannot be lost. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->out_fd = -1;
        s->pid = -1;
        s->output_max = output_max;
        s->done = done;
        s->userdata = userdata;
        s->output = malloc(output_max + 1);
        if (!s->output) {
                free(s);
                return -ENOMEM;
        }
        s->output[0] = '\0';
        util_strlcpy(s->name, path, sizeof(s->name));

        if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
                r = -errno;
                goto fail;
        }

        r = spawner_exec(path, argv, pipe_fds[1], pipe_fds[1], -1, &s->pid);
        if (r < 0) {
                s->pid = -1;
                goto fail;
        }

        close(pipe_fds[1]);
        pipe_fds[1] = -1;
        s->out_fd = TAKE_FD(pipe_fds[0]);
        if (fcntl(s->out_fd, F_SETFL, O_NONBLOCK) < 0) {
                r = -errno;
                goto fail_child;
        }

        r = sd_event_add_child(event, &s->child, s->pid, WEXITED, on_child, s);
        if (r < 0)
                goto fail_child;
        /* Owned: if we are freed first, sd-event kills and reaps it. */
        (void)sd_event_source_set_child_process_own(s->child, true);
        r = sd_event_add_io(event, &s->io, s->out_fd, EPOLLIN, on_output, s);
        if (r < 0)
                goto fail;
        r = sd_event_add_time_relative(event, &s->timer, CLOCK_MONOTONIC, timeout_usec, 0,
                                       on_timeout, s);
        if (r < 0)
                goto fail;

        *ret = s;
        return 0;

fail_child:
        /* No child source yet: kill and reap it here. */
        kill(s->pid, SIGKILL);
        (void)waitpid(s->pid, NULL, 0);
fail:
        if (pipe_fds[0] >= 0)
                close(pipe_fds[0]);
        if (pipe_fds[1] >= 0)
                close(pipe_fds[1]);
        spawner_free(s);
        return r;
}
