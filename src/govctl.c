/* sutazai-govctl — the operator's client for the governor's control socket.
 *
 *   sutazai-govctl [--socket PATH] [--json] VERB [ARGS]
 *
 * One request per run (control_proto.h). Exit status: 0 success, 1 the
 * daemon refused or failed the request or could not be reached, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_proto.h"
#include "control_render.h"
#include "units.h"
#include "util.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2

#define RESPONSE_MAX          (64U * 1024U * 1024U) /* bytes; a status of thousands of groups */
#define RESPONSE_TIMEOUT_MSEC (30 * 1000)           /* a busy daemon still answers in ms */
#define CLEANUP_TIMEOUT_MSEC  (15 * 60 * 1000)      /* pruning images can take minutes */
#define HISTORY_DEFAULT_COUNT 20

static const char *program = "sutazai-govctl";

struct verb_help {
        enum control_verb verb;
        const char *synopsis;
        const char *summary;
        const char *text;
};

static const struct verb_help verb_help[] = {
    {CONTROL_VERB_STATUS, "status", "tiers, host memory and pressure, one row per container",
     "Show the memory and disk tiers, host memory and pressure, and one row per\n"
     "container or managed cgroup: usage, memory.max, memory.high, PSI some avg10,\n"
     "priority, protection and override.\n"},
    {CONTROL_VERB_HISTORY, "history [-n N]", "the last N actions taken (or planned in dry-run)",
     "Show the last N actions taken (or, in dry-run, planned), oldest first.\n\n"
     "  -n, --count N   how many (default 20; 0 = every kept entry)\n"},
    {CONTROL_VERB_SET_LIMIT, "set-limit NAME SIZE [--for DURATION]",
     "override memory.max of a rule or container",
     "Override memory.max for a rule or container/cgroup NAME. SIZE: bytes with an\n"
     "optional K/M/G/T suffix (powers of 1024), N% of host memory, or \"max\".\n"
     "Requires root.\n\n"
     "  --for DURATION  expire by itself after DURATION (250ms, 30s, 10m, 1h, 7d);\n"
     "                  without it the override lasts until `clear`\n"},
    {CONTROL_VERB_CLEAR, "clear NAME", "drop an override",
     "Drop the override for NAME; the configured limit applies again. Requires root.\n"},
    {CONTROL_VERB_PAUSE, "pause [--for DURATION]",
     "stop enforcement actions (monitoring continues)",
     "Stop enforcement actions (monitoring, tiers, history and metrics continue).\n"
     "Requires root.\n\n"
     "  --for DURATION  resume by itself after DURATION\n"},
    {CONTROL_VERB_RESUME, "resume", "restart enforcement",
     "Restart enforcement after `pause`. Requires root.\n"},
    {CONTROL_VERB_CLEANUP, "cleanup [--dry-run]",
     "run disk cleanup now, or list what it would delete",
     "Run disk cleanup now: configured log directories, the journal, stopped\n"
     "containers, dangling images and build cache (never volumes). Requires root.\n\n"
     "  --dry-run       only list what would be deleted and the bytes (allowed to\n"
     "                  group " CONTROL_GROUP ")\n"},
    {CONTROL_VERB_RELOAD, "reload", "reload the configuration",
     "Reload the configuration; an invalid one is refused and the running one kept.\n"
     "Requires root.\n"},
    {CONTROL_VERB_METRICS, "metrics", "Prometheus text exposition",
     "Print the Prometheus text exposition.\n"},
    {CONTROL_VERB_EXPLAIN, "explain [NAME]", "what the governor would do now, and why",
     "Say what the governor would do now, without doing it: the memory tier and\n"
     "its marks, the actions due, what holds them back (pause, dry-run,\n"
     "cooldown), and for every group why it is or is not a candidate, candidates\n"
     "first in the order they would be chosen. NAME limits the groups to one\n"
     "container, cgroup or rule.\n"},
};

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: %s [--socket PATH] [--json] VERB [ARGS]\n"
                "\n"
                "Talk to sutazai-governor through its control socket.\n"
                "\n"
                "Verbs:\n",
                program);
        for (size_t i = 0; i < ELEMENTSOF(verb_help); i++)
                fprintf(f, "  %-38s %s\n", verb_help[i].synopsis, verb_help[i].summary);
        fprintf(f,
                "\n"
                "Options:\n"
                "  -s, --socket PATH  control socket (default " CONTROL_SOCKET_DEFAULT ")\n"
                "  -j, --json         machine-readable output\n"
                "  -h, --help         this help; VERB --help for a verb\n"
                "  -V, --version      print the version\n"
                "\n"
                "Exit status: 0 success, 1 refused or failed (or daemon not running), 2 usage.\n");
}

static const struct verb_help *find_help(enum control_verb v)
{
        for (size_t i = 0; i < ELEMENTSOF(verb_help); i++)
                if (verb_help[i].verb == v)
                        return &verb_help[i];
        return NULL;
}

static void verb_usage(enum control_verb v, FILE *f)
{
        const struct verb_help *h = find_help(v);

        fprintf(f, "Usage: %s [--socket PATH] [--json] %s\n\n%s", program, h->synopsis, h->text);
}

static int usage_error(enum control_verb *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(enum control_verb *v, const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "%s: ", program);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        if (v)
                fprintf(stderr, "Usage: %s %s\n", program, find_help(*v)->synopsis);
        else
                fprintf(stderr, "Try '%s --help'.\n", program);
        return EXIT_USAGE;
}

struct cli {
        const char *socket_path;
        bool json;
        struct control_request req;
};

/* Options valid after the verb: the globals again, and the verb's own. */
enum {
        OPT_FOR = 0x100,
        OPT_DRY_RUN,
};

static int parse_verb_args(struct cli *cli, int argc, char **argv)
{
        static const struct option options[] = {
            {"socket", required_argument, NULL, 's'},
            {"json", no_argument, NULL, 'j'},
            {"help", no_argument, NULL, 'h'},
            {"count", required_argument, NULL, 'n'},
            {"for", required_argument, NULL, OPT_FOR},
            {"dry-run", no_argument, NULL, OPT_DRY_RUN},
            {},
        };
        enum control_verb v = cli->req.verb;
        const char *positional[3];
        size_t n_positional = 0;
        bool have_count = false;
        int c, r;

        /* argv[0] is the verb; GNU getopt permutes so options may follow arguments. */
        /* 0, not 1: glibc re-initialises its permutation state only then. */
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":s:jhn:", options, NULL)) >= 0) {
                switch (c) {
                case 's':
                        cli->socket_path = optarg;
                        break;
                case 'j':
                        cli->json = true;
                        break;
                case 'h':
                        verb_usage(v, stdout);
                        return -1; /* exit 0 */
                case 'n': {
                        char *end;
                        unsigned long n;
                        if (v != CONTROL_VERB_HISTORY)
                                return usage_error(&v, "-n is an option of history only");
                        errno = 0;
                        n = strtoul(optarg, &end, 10);
                        if (errno || end == optarg || *end || optarg[0] == '-' || n > UINT32_MAX)
                                return usage_error(&v, "invalid count '%s'", optarg);
                        cli->req.count = (unsigned)n;
                        have_count = true;
                        break;
                }
                case OPT_FOR:
                        if (v != CONTROL_VERB_SET_LIMIT && v != CONTROL_VERB_PAUSE)
                                return usage_error(&v, "--for is an option of set-limit and pause");
                        r = units_parse_duration(optarg, &cli->req.for_usec);
                        if (r < 0 || cli->req.for_usec == 0)
                                return usage_error(&v, "invalid duration '%s'", optarg);
                        if (cli->req.for_usec > CONTROL_FOR_MAX_USEC)
                                return usage_error(&v, "duration '%s' is too long", optarg);
                        break;
                case OPT_DRY_RUN:
                        if (v != CONTROL_VERB_CLEANUP)
                                return usage_error(&v, "--dry-run is an option of cleanup");
                        cli->req.dry_run = true;
                        break;
                case ':':
                        return usage_error(&v, "option '%s' needs an argument", argv[optind - 1]);
                default:
                        return usage_error(&v, "unknown option '%s'", argv[optind - 1]);
                }
        }
        for (int i = optind; i < argc; i++) {
                if (n_positional == ELEMENTSOF(positional))
                        return usage_error(&v, "too many arguments");
                positional[n_positional++] = argv[i];
        }

        switch (v) {
        case CONTROL_VERB_SET_LIMIT: {
                struct size_spec spec;
                if (n_positional != 2)
                        return usage_error(&v, "set-limit needs NAME and SIZE");
                if (strlen(positional[0]) == 0 || strlen(positional[0]) >= GROUP_NAME_MAX)
                        return usage_error(&v, "invalid name '%s'", positional[0]);
                util_strlcpy(cli->req.name, positional[0], sizeof cli->req.name);
                r = units_parse_size(positional[1], &spec);
                if (r < 0)
                        return usage_error(&v, "invalid size '%s'", positional[1]);
                if (spec.is_percent) {
                        cli->req.memory_max_is_percent = true;
                        cli->req.memory_max_percent = spec.percent;
                } else if (spec.bytes != BYTES_MAX && spec.bytes > CONTROL_JSON_INT_MAX)
                        return usage_error(&v, "size '%s' is too large", positional[1]);
                else if (spec.bytes == 0)
                        return usage_error(&v, "size must be more than 0");
                else
                        cli->req.memory_max = spec.bytes;
                break;
        }
        case CONTROL_VERB_EXPLAIN:
                if (n_positional > 1)
                        return usage_error(&v, "explain takes at most one NAME");
                if (n_positional == 1) {
                        if (strlen(positional[0]) == 0 || strlen(positional[0]) >= GROUP_NAME_MAX)
                                return usage_error(&v, "invalid name '%s'", positional[0]);
                        util_strlcpy(cli->req.name, positional[0], sizeof cli->req.name);
                }
                break;
        case CONTROL_VERB_CLEAR:
                if (n_positional != 1)
                        return usage_error(&v, "clear needs NAME");
                if (strlen(positional[0]) == 0 || strlen(positional[0]) >= GROUP_NAME_MAX)
                        return usage_error(&v, "invalid name '%s'", positional[0]);
                util_strlcpy(cli->req.name, positional[0], sizeof cli->req.name);
                break;
        default:
                if (n_positional > 0)
                        return usage_error(&v, "unexpected argument '%s'", positional[0]);
                break;
        }
        if (v == CONTROL_VERB_HISTORY && !have_count)
                cli->req.count = HISTORY_DEFAULT_COUNT;
        return 0;
}

/* Connect, send, read the whole response. 0, or an exit status after a message. */
static int exchange(const char *path, const char *request, int timeout_msec, char **ret_response,
                    size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t len = 0, allocated = 0;

        if (strlen(path) >= sizeof sa.sun_path) {
                fprintf(stderr, "%s: socket path too long: %s\n", program, path);
                return EXIT_USAGE;
        }
        memcpy(sa.sun_path, path, strlen(path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                fprintf(stderr, "%s: socket: %s\n", program, strerror(errno));
                return EXIT_REFUSED;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                int e = errno;
                if (e == EACCES || e == EPERM)
                        fprintf(stderr, "%s: permission denied: %s (root or group %s required)\n",
                                program, path, CONTROL_GROUP);
                else if (e == ENOENT || e == ECONNREFUSED)
                        fprintf(stderr,
                                "%s: cannot connect to %s: %s (is sutazai-governor running?)\n",
                                program, path, strerror(e));
                else
                        fprintf(stderr, "%s: cannot connect to %s: %s\n", program, path,
                                strerror(e));
                return EXIT_REFUSED;
        }
        if (util_write_all(fd, request, strlen(request)) < 0 || shutdown(fd, SHUT_WR) < 0) {
                fprintf(stderr, "%s: cannot send the request: %s\n", program, strerror(errno));
                return EXIT_REFUSED;
        }
        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                ssize_t n;
                int r = poll(&p, 1, timeout_msec);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r == 0) {
                        fprintf(stderr, "%s: no answer from the governor within %d s\n", program,
                                timeout_msec / 1000);
                        return EXIT_REFUSED;
                }
                if (allocated - len < 65536) {
                        size_t n_alloc = allocated ? allocated * 2 : 65536;
                        char *p2;
                        if (n_alloc > RESPONSE_MAX + 1) {
                                fprintf(stderr, "%s: response too large\n", program);
                                return EXIT_REFUSED;
                        }
                        p2 = realloc(buf, n_alloc);
                        if (!p2) {
                                fprintf(stderr, "%s: out of memory\n", program);
                                return EXIT_REFUSED;
                        }
                        buf = p2;
                        allocated = n_alloc;
                }
                n = read(fd, buf + len, allocated - len - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        fprintf(stderr, "%s: reading the response: %s\n", program, strerror(errno));
                        return EXIT_REFUSED;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (!buf) {
                fprintf(stderr, "%s: the governor closed the connection without an answer\n",
                        program);
                return EXIT_REFUSED;
        }
        buf[len] = '\0';
        *ret_response = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static bool want_colour(void)
{
        const char *no_color = getenv("NO_COLOR");

        if (no_color && no_color[0])
                return false;
        return isatty(STDOUT_FILENO);
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
            {"socket", required_argument, NULL, 's'},
            {"json", no_argument, NULL, 'j'},
            {"help", no_argument, NULL, 'h'},
            {"version", no_argument, NULL, 'V'},
            {},
        };
        struct cli cli = {.socket_path = CONTROL_SOCKET_DEFAULT};
        _cleanup_free_ char *request = NULL, *response = NULL;
        struct control_render_options ropts;
        cJSON *result = NULL;
        char err[1024];
        size_t len;
        int c, r;

        /* '+': stop at the verb; its options are parsed with it. */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:s:jhV", options, NULL)) >= 0) {
                switch (c) {
                case 's':
                        cli.socket_path = optarg;
                        break;
                case 'j':
                        cli.json = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("sutazai-govctl %s\n", VERSION);
                        return 0;
                case ':':
                        return usage_error(NULL, "option '%s' needs an argument", argv[optind - 1]);
                default:
                        return usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
                }
        }
        if (optind >= argc)
                return usage_error(NULL, "no verb given");
        if (control_verb_from_name(argv[optind], &cli.req.verb) < 0)
                return usage_error(NULL, "unknown verb '%s'", argv[optind]);
        r = parse_verb_args(&cli, argc - optind, argv + optind);
        if (r < 0)
                return 0; /* --help was printed */
        if (r > 0)
                return r;

        if (control_request_format(&cli.req, &request) < 0) {
                fprintf(stderr, "%s: out of memory\n", program);
                return EXIT_REFUSED;
        }
        r = exchange(cli.socket_path, request,
                     cli.req.verb == CONTROL_VERB_CLEANUP ? CLEANUP_TIMEOUT_MSEC
                                                          : RESPONSE_TIMEOUT_MSEC,
                     &response, &len);
        if (r != 0)
                return r;

        r = control_response_parse(response, len, &result, err, sizeof err);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", program, err);
                return EXIT_REFUSED;
        }
        if (r > 0) {
                fprintf(stderr, "%s: %s\n", program, err);
                return EXIT_REFUSED;
        }

        if (cli.json && cli.req.verb != CONTROL_VERB_METRICS) {
                char *text = result ? cJSON_Print(result) : NULL;
                if (!text) {
                        cJSON_Delete(result);
                        fprintf(stderr, "%s: empty or unprintable result\n", program);
                        return EXIT_REFUSED;
                }
                puts(text);
                cJSON_free(text);
        } else {
                ropts.colour = want_colour();
                ropts.now_realtime = util_realtime_usec();
                r = control_render(cli.req.verb, result, &ropts, stdout);
                if (r < 0) {
                        cJSON_Delete(result);
                        fprintf(stderr, "%s: unexpected response from the governor\n", program);
                        return EXIT_REFUSED;
                }
        }
        cJSON_Delete(result);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "%s: write error: %s\n", program, strerror(errno));
                return EXIT_REFUSED;
        }
        return 0;
}
