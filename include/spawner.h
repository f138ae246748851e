/* spawner — run one helper program (journalctl) without a shell, without
 * blocking the event loop.
 *
 * posix_spawn() of an absolute path with a fixed argv and an EMPTY
 * environment; stdin from /dev/null; stdout and stderr into one pipe that the
 * loop reads (at most output_max bytes kept, the rest drained and counted);
 * every other fd closed; signal mask and dispositions reset. The exit is
 * watched with sd_event_add_child (SIGCHLD is blocked for that, as sd-event
 * requires); after timeout_usec the child is sent SIGKILL.
 *
 * done() is called exactly once, from the loop, never from spawner_run():
 *   result 0: the program exited; status is its exit code (0..255);
 *   -ETIMEDOUT: killed at the time limit;
 *   -ECHILD: killed by another signal (status = the signal number).
 * output is NUL-terminated (may hold anything the program wrote). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "util.h"

#define SPAWNER_OUTPUT_MAX_DEFAULT 8192 /* bytes of output kept for the log */

struct spawner;

typedef void (*spawner_done_fn)(struct spawner *s, int result, int status, const char *output,
                                size_t output_len, void *userdata);

/* 0 with *ret (owned by the caller: free it in or after done), or -errno
 * (-ENOENT/-EACCES: path cannot be executed; -EINVAL: path not absolute). */
int spawner_run(sd_event *event, const char *path, char *const argv[], usec_t timeout_usec,
                size_t output_max, spawner_done_fn done, void *userdata, struct spawner **ret);

/* The posix_spawn() under spawner_run(), for a long-lived helper the caller
 * watches itself: path absolute, EMPTY environment, stdin /dev/null, stdout
 * stdout_fd (-1: /dev/null), stderr stderr_fd (STDERR_FILENO: the daemon's
 * own), fd3 (if >= 0; not itself 3) as fd 3, every other fd closed, signal
 * mask and dispositions reset, a new session. 0 with *ret_pid, or -errno. */
int spawner_exec(const char *path, char *const argv[], int stdout_fd, int stderr_fd, int fd3,
                 pid_t *ret_pid);

/* Frees; a child still running is killed (SIGKILL) and reaped first. */
struct spawner *spawner_free(struct spawner *s);

int spawner_pid(const struct spawner *s);
