/* control_server — the control socket on the daemon's sd-event loop: listen,
 * accept, slots, deadlines and who the peer is. It knows the framing of
 * control_proto.h (one request line in, one response line out, then close)
 * but not the verbs: each complete request goes to the handler given at
 * control_server_new(), which answers it with control_server_respond(), at
 * once or later (control_server_defer()).
 *
 * Socket: a SOCK_STREAM unix socket, either passed by systemd
 * (sd_listen_fds(), units/sutazai-governor.socket) or created at path: its
 * directory is created 0755 if missing and must be a real directory (not a
 * symlink) owned by us and not writable by group or others; a stale socket
 * is replaced, a live one (another governor) is refused with -EADDRINUSE.
 * The socket is mode 0660, group CONTROL_GROUP when that group exists.
 *
 * Access by SO_PEERCRED / SO_PEERGROUPS: uid 0 may do everything; members of
 * CONTROL_GROUP (primary or supplementary) the reading verbs; others are
 * answered "permission denied" here, before the handler sees anything.
 * CONTROL_GROUP is looked up at start-up and by control_server_reload(),
 * never per connection (NSS may be slow).
 *
 * Robustness (issue 13): non-blocking; root is always served. Unprivileged
 * clients share CONTROL_CLIENTS_MAX slots, CONTROL_CLIENTS_PER_UID_MAX per
 * uid; root has CONTROL_ROOT_CLIENTS_MAX of its own, and past those the
 * oldest unprivileged client is dropped to make room; root's clients are
 * served before others that are ready at the same time. A client without a
 * slot is answered "busy" and closed instead of waiting in the backlog ahead
 * of root. The work per loop wake-up is bounded: at most
 * CONTROL_ACCEPT_BATCH connections are taken from the backlog per wake-up,
 * and accepting is paced to one connection per CONTROL_ACCEPT_COST_USEC
 * (15.6k a second; bursts of CONTROL_ACCEPT_BURST): a storm costs a bounded
 * share of a CPU, while root's connection, however many wait ahead of it,
 * is reached at that rate (a full backlog in 16 ms); a client is read,
 * answered or dropped in one step of its own. A client's request buffer is
 * allocated once it sends something: idle connections cost little. Each
 * client has CONTROL_CLIENT_TIMEOUT_USEC to send its request and again to
 * read the response, else it is dropped. A client that misbehaves is
 * dropped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "util.h"

#define CONTROL_CLIENTS_MAX         32  /* concurrent connections of unprivileged clients */
#define CONTROL_CLIENTS_PER_UID_MAX 8   /* of those, from one uid */
#define CONTROL_ROOT_CLIENTS_MAX    128 /* root's own slots, beside the shared ones */
#define CONTROL_ACCEPT_BATCH        8   /* connections accepted per loop wake-up */
#define CONTROL_ACCEPT_COST_USEC    64  /* µs of accept credit per connection: 15.6k/s */
#define CONTROL_ACCEPT_BURST        32  /* connections of credit saved at most */
#define CONTROL_ROOT_PRIORITY       (SD_EVENT_PRIORITY_NORMAL - 1) /* root's clients before others */
#define CONTROL_CLIENT_TIMEOUT_USEC (2 * USEC_PER_SEC) /* per phase: request, response */
#define CONTROL_BACKLOG             256                /* connections not yet accepted */

struct control_server;
struct control_server_client;

/* Who sent a request, as the kernel told at connect(). */
struct control_peer {
        uid_t uid;
        pid_t pid;
        bool may_change; /* root: every verb */
};

/* A complete request of a client allowed to read (len bytes, not
 * NUL-terminated). The handler must answer: control_server_respond() now, or
 * control_server_defer() now and control_server_respond() later. */
typedef void (*control_server_request_fn)(struct control_server_client *cl,
                                          const struct control_peer *peer, const char *request,
                                          size_t len, void *userdata);

/* Listen on path (a socket passed by systemd wins; NULL or "":
 * CONTROL_SOCKET_DEFAULT). 0 or -errno. */
int control_server_new(sd_event *event, const char *path, control_server_request_fn on_request,
                       void *userdata, struct control_server **ret);
/* Closes every client but deferred ones (their answer, when it comes, goes
 * nowhere and frees them), the socket, and unlinks the socket it created. */
struct control_server *control_server_free(struct control_server *s);

/* Look CONTROL_GROUP up again (on SIGHUP): who may read changes only here.
 * The lookup runs on a thread of its own (NSS may be slow: LDAP, sssd) and
 * its answer is applied on the loop, logged ("control group NAME is gid N")
 * when it changed; until then the gid known so far stays in force. */
void control_server_reload(struct control_server *s);

/* Answer cl with line (ownership taken; NULL: out of memory, cl is dropped)
 * and close it once written. cl may be gone from here on. */
void control_server_respond(struct control_server_client *cl, char *line);
/* The answer comes later (an asynchronous result): no deadline meanwhile;
 * a peer that hangs up is forgotten, but cl stays valid for the respond. */
void control_server_defer(struct control_server_client *cl);
