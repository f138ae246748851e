/* disk-driver — drives the disk modules on a real filesystem for the
 * integration tests (tests/integration/test-disk-*.sh).
 *
 *   disk-driver prune [--dry-run] [--recursive] [--max-total BYTES] [--pause]
 *                     DIR PATTERN MAX_AGE_SECONDS
 *       scan, plan, print "plan\tREASON\tPATH" per marked file; with --pause
 *       print "PAUSE" and wait for a line on stdin (the test swaps files in
 *       between: the scan/delete race made deterministic); then delete and
 *       print "deleted\tPATH\tBYTES" or "kept\tPATH\tERROR". Paths escaped.
 *   disk-driver usage PATH WARNING CRITICAL EMERGENCY
 *       statvfs PATH and print "blocks=P inodes=P used=P tier=T" (hold 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "disks.h"
#include "log.h"
#include "logprune.h"

static int usage_error(void)
{
        fprintf(stderr, "usage: disk-driver prune [--dry-run] [--recursive] [--max-total BYTES] "
                        "[--pause] DIR PATTERN MAX_AGE_SECONDS\n"
                        "       disk-driver usage PATH WARNING CRITICAL EMERGENCY\n");
        return 2;
}

static int cmd_prune(int argc, char **argv)
{
        bool dry_run = false, recursive = false, pause_between = false;
        uint64_t max_total = BYTES_MAX;
        struct logprune_scan scan;
        int i, r;

        for (i = 0; i < argc && argv[i][0] == '-'; i++) {
                if (strcmp(argv[i], "--dry-run") == 0)
                        dry_run = true;
                else if (strcmp(argv[i], "--recursive") == 0)
                        recursive = true;
                else if (strcmp(argv[i], "--pause") == 0)
                        pause_between = true;
                else if (strcmp(argv[i], "--max-total") == 0 && i + 1 < argc)
                        max_total = strtoull(argv[++i], NULL, 10);
                else
                        return usage_error();
        }
        if (argc - i != 3)
                return usage_error();

        r = logprune_scan(argv[i], argv[i + 1], recursive, &scan);
        if (r < 0) {
                printf("error\t%s\n", strerror(-r));
                return 1;
        }
        printf("scanned\t%zu\tsymlinks=%u\tmounts=%u\n", scan.n_files, scan.skipped_symlinks,
               scan.skipped_mounts);
        logprune_plan(scan.files, scan.n_files, strtoull(argv[i + 2], NULL, 10) * USEC_PER_SEC,
                      max_total, util_realtime_usec());
        for (size_t k = 0; k < scan.n_files; k++) {
                char shown[2048];
                if (scan.files[k].reason != LOGPRUNE_KEEP)
                        printf("plan\t%s\t%s\n", logprune_reason_name(scan.files[k].reason),
                               logprune_file_display(&scan.files[k], shown, sizeof(shown)));
        }
        if (pause_between) {
                char line[16];
                printf("PAUSE\n");
                fflush(stdout);
                if (!fgets(line, sizeof(line), stdin))
                        return 1;
        }
        for (size_t k = 0; k < scan.n_files && !dry_run; k++) {
                char shown[2048];
                uint64_t freed = 0;

                if (scan.files[k].reason == LOGPRUNE_KEEP)
                        continue;
                logprune_file_display(&scan.files[k], shown, sizeof(shown));
                r = logprune_delete(&scan, k, &freed);
                if (r < 0)
                        printf("kept\t%s\t%s\n", shown,
                               r == -ESTALE   ? "ESTALE"
                               : r == -ENOENT ? "ENOENT"
                                              : strerror(-r));
                else
                        printf("deleted\t%s\t%llu\n", shown, (unsigned long long)freed);
        }
        logprune_scan_done(&scan);
        return 0;
}

static int cmd_usage(int argc, char **argv)
{
        struct disk_section cfg = {0};
        struct disk_state state;
        struct disk_usage u;
        struct disk_decision d;
        struct statvfs sv;

        if (argc != 4)
                return usage_error();
        if (statvfs(argv[0], &sv) < 0) {
                perror("statvfs");
                return 1;
        }
        cfg.warning_percent = strtod(argv[1], NULL);
        cfg.critical_percent = strtod(argv[2], NULL);
        cfg.emergency_percent = strtod(argv[3], NULL);
        cfg.low_percent = cfg.warning_percent - 10;
        disk_state_init(&state);
        disks_usage_from_statvfs(&sv, &u);
        disks_decide(&cfg, &state, &u, 0, false, &d);
        printf("blocks=%.1f inodes=%.1f used=%.1f tier=%s cleanup=%d\n", u.blocks_percent,
               u.inodes_percent, u.used_percent, tier_name(d.tier), d.start_cleanup);
        return 0;
}

int main(int argc, char **argv)
{
        log_init("disk-driver", LOG_TARGET_CONSOLE);
        if (argc < 2)
                return usage_error();
        if (strcmp(argv[1], "prune") == 0)
                return cmd_prune(argc - 2, argv + 2);
        if (strcmp(argv[1], "usage") == 0)
                return cmd_usage(argc - 2, argv + 2);
        return usage_error();
}
