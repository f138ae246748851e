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

/* Frees; a child still running is killed (SIGKILL) and reaped first. */
struct spawner *spawner_free(struct spawner *s);

int spawner_pid(const struct spawner *s);
