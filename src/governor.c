/* sutazai-governor — command line; the daemon itself is daemon.c. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-dump.h"
#include "config-lint.h"
#include "config-load.h"
#include "daemon.h"
#include "log.h"
#include "safety.h"
#include "startup.h"

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: sutazai-governor [OPTIONS]\n"
                "\n"
                "Keep a Docker host out of OOM kills and full disks: watch kernel pressure\n"
                "(PSI) and cgroup v2, enforce container memory limits, act in tiers.\n"
                "\n"
                "  -c, --config FILE          configuration (default " CONFIG_DEFAULT_PATH ",\n"
                "                             drop-ins FILE.d/*.conf)\n"
                "  -n, --dry-run              log every decision, change nothing\n"
                "      --check-config         validate the configuration and exit\n"
                "      --dump-config          print the effective configuration and exit\n"
                "      --cgroup-root DIR      cgroup hierarchy (default /sys/fs/cgroup)\n"
                "      --docker-socket PATH   Docker Engine socket (default /var/run/docker.sock)\n"
                "      --control-socket PATH  control socket for sutazai-govctl\n"
                "      --state-dir DIR        overrides and history (default /var/lib/sutazai-governor)\n"
                "      --version              print the version and exit\n"
                "  -h, --help                 this help\n"
                "\n"
                "Signals: SIGHUP reloads the configuration; SIGTERM/SIGINT exit 0.\n"
                "See sutazai-governor(8), sutazai-governor.conf(5), sutazai-govctl(1).\n");
}

/* SUTAZAI_GOVERNOR_LOG_TARGET=journal|console|auto (default auto: the journal
 * when stderr is the journal stream, as under systemd). */
static enum log_target log_target_from_env(void)
{
        const char *e = getenv("SUTAZAI_GOVERNOR_LOG_TARGET");

        if (e && strcmp(e, "journal") == 0)
                return LOG_TARGET_JOURNAL;
        if (e && strcmp(e, "console") == 0)
                return LOG_TARGET_CONSOLE;
        return LOG_TARGET_AUTO;
}

enum {
        OPT_CHECK_CONFIG = 0x100,
        OPT_DUMP_CONFIG,
        OPT_CGROUP_ROOT,
        OPT_DOCKER_SOCKET,
        OPT_CONTROL_SOCKET,
        OPT_STATE_DIR,
        OPT_VERSION,
};

static void lint_to_stderr(const char *message, void *userdata)
{
        (void)userdata;
        fprintf(stderr, "warning: %s\n", message);
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                {"config", required_argument, NULL, 'c'},
                {"dry-run", no_argument, NULL, 'n'},
                {"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
                {"dump-config", no_argument, NULL, OPT_DUMP_CONFIG},
                {"cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT},
                {"docker-socket", required_argument, NULL, OPT_DOCKER_SOCKET},
                {"control-socket", required_argument, NULL, OPT_CONTROL_SOCKET},
                {"state-dir", required_argument, NULL, OPT_STATE_DIR},
                {"version", no_argument, NULL, OPT_VERSION},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        struct daemon_options opts = {.config_path = CONFIG_DEFAULT_PATH};
        bool check = false, dump = false;
        int c;

        while ((c = getopt_long(argc, argv, "c:nh", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        opts.config_path = optarg;
                        break;
                case 'n':
                        opts.dry_run = true;
                        break;
                case OPT_CHECK_CONFIG:
                        check = true;
                        break;
                case OPT_DUMP_CONFIG:
                        dump = true;
                        break;
                case OPT_CGROUP_ROOT:
                        opts.cgroup_root = optarg;
                        break;
                case OPT_DOCKER_SOCKET:
                        opts.docker_socket = optarg;
                        break;
                case OPT_CONTROL_SOCKET:
                        opts.control_socket = optarg;
                        break;
                case OPT_STATE_DIR:
                        opts.state_dir = optarg;
                        break;
                case OPT_VERSION:
                        printf("sutazai-governor %s\n", VERSION);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "sutazai-governor: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }

        if (check || dump) {
                struct config *config = NULL;
                char err[1024];
                /* the same refusal the daemon would give: who may write the files */
                int r = safety_check_config_file(opts.config_path, err, sizeof err);

                if (r >= 0)
                        r = config_load(opts.config_path, false, &config, err, sizeof err);

                if (r < 0) {
                        fprintf(stderr, "%s\n", err);
                        return 1;
                }
                if (dump)
                        r = config_dump(config, stdout);
                else {
                        const char *warning = startup_config_warning(config);

                        /* valid but governing no container: say so (exit 0) */
                        if (warning)
                                fprintf(stderr, "warning: %s\n", warning);
                        config_lint(config, lint_to_stderr, NULL);
                        /* stdout is the contract scripts compare: "configuration OK"
                         * alone; what was read goes beside the warnings */
                        fprintf(stderr, "info: %zu rule(s), %zu disk(s), %zu log director%s\n",
                                config->n_rules, config->n_disks, config->n_logs,
                                config->n_logs == 1 ? "y" : "ies");
                        printf("configuration OK\n");
                }
                config_free(config);
                return r < 0 ? 1 : 0;
        }

        /* Test hook (sutazai-governor(8), ENVIRONMENT): a procfs stand-in,
         * e.g. one without pressure files to play a kernel without PSI. */
        opts.proc_root = getenv("SUTAZAI_GOVERNOR_PROC_ROOT");
        log_init("sutazai-governor", log_target_from_env());
        if (getenv("SUTAZAI_GOVERNOR_DEBUG"))
                log_set_max_priority(LOG_DEBUG);
        if (getenv("SUTAZAI_GOVERNOR_LOG_FIELDS"))
                log_set_console_fields(true);
        return daemon_main(&opts);
}
