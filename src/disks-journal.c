/* disks-journal — a cleanup's vacuum-journal stage; see
 * src/disks-journal.h. */
#include "disks-journal.h"

#define JOURNAL_TIMEOUT_USEC (60 * USEC_PER_SEC) /* journalctl --vacuum-* time limit */
#define JOURNAL_OUTPUT_MAX   4096                /* bytes of journalctl output logged */

/* journalctl prints "Vacuuming done, freed 1.2G of archived journals from
 * DIR." once per journal directory; sum what it says it freed. */
static uint64_t journal_freed_bytes(const char *output)
{
        uint64_t total = 0;

        for (const char *p = strstr(output, "freed "); p; p = strstr(p, "freed ")) {
                char *end;
                double v;
                uint64_t mult = 1;

                p += strlen("freed ");
                v = strtod(p, &end);
                if (end == p || v < 0)
                        continue;
                switch (*end) {
                case 'K':
                        mult = 1024ULL;
                        break;
                case 'M':
                        mult = 1024ULL * 1024;
                        break;
                case 'G':
                        mult = 1024ULL * 1024 * 1024;
                        break;
                case 'T':
                        mult = 1024ULL * 1024 * 1024 * 1024;
                        break;
                default:
                        break;
                }
                total += (uint64_t)(v * (double)mult);
        }
        return total;
}

static void journal_done(struct spawner *s, int result, int status, const char *output,
                         size_t output_len, void *userdata)
{
        struct job *job = userdata;
        char escaped[JOURNAL_OUTPUT_MAX * 2], f_status[32];
        const char *fields[] = {"GOVERNOR_ACTION=vacuum-journal", f_status, NULL};
        uint64_t freed = journal_freed_bytes(output);
        struct actuator_disk_outcome o = {0};

        /* output belongs to s: use it before freeing s. */
        logprune_escape(output, escaped, sizeof(escaped));
        for (size_t n = strlen(escaped); n >= 2 && strcmp(escaped + n - 2, "\\n") == 0; n -= 2)
                escaped[n - 2] = '\0'; /* the final newline(s) say nothing */
        job->spawn = spawner_free(job->spawn);
        job->waiting = false;
        if (!job->disks) {
                disks_job_free(job);
                return;
        }
        snprintf(f_status, sizeof(f_status), "GOVERNOR_EXIT_STATUS=%d", status);
        /* what journalctl said is detail; the outcome is the actuator's */
        log_event(LOG_INFO, MSGID_CLEANUP, fields, "journalctl (status %d): %s", status, escaped);
        if (result == 0 && status == 0)
                disks_outcome_set(&o, 0, "journal", freed, true, "journalctl exited 0");
        else {
                disks_outcome_set(&o, result < 0 ? result : -EIO, "journal", 0, false,
                                  "journal archives beyond the vacuum size or age");
                if (result == -ETIMEDOUT)
                        util_strlcpy(o.detail, "killed at its time limit", sizeof(o.detail));
                else if (result < 0)
                        util_strlcpy(o.detail, "killed by a signal", sizeof(o.detail));
                else
                        snprintf(o.detail, sizeof(o.detail), "journalctl status %d", status);
        }
        disks_job_complete(job, &o);
}

int disks_journal_stage(struct job *job, struct actuator_disk_outcome *o)
{
        const struct journal_section *j = &job->disks->env.config->journal;
        char size[32], age[32], arg_size[64], arg_time[64], shown[256];
        char *argv[] = {"journalctl", arg_size, arg_time, NULL};
        int r;

        if (!j->journalctl || !j->journalctl[0])
                return 0;
        units_format_bytes_exact(j->vacuum_size_bytes, size, sizeof(size));
        units_format_duration(j->vacuum_time_usec, age, sizeof(age));
        snprintf(arg_size, sizeof(arg_size), "--vacuum-size=%s", size);
        snprintf(arg_time, sizeof(arg_time), "--vacuum-time=%s", age);
        snprintf(shown, sizeof(shown), "%s %s %s", j->journalctl, arg_size, arg_time);

        if (job->dry_run) {
                disks_outcome_set(o, 0, "journal", 0, false, "%s would run", shown);
                return disks_job_item_add(job, "vacuum-journal", "journal", shown, 0, false,
                                          "journal archives beyond the vacuum size or age", 0);
        }

        struct actuator_disk_request rq = disks_job_request(job);
        r = actuator_vacuum_journal(&rq, job->disks->env.event, j->journalctl, argv,
                                    JOURNAL_TIMEOUT_USEC, JOURNAL_OUTPUT_MAX, journal_done, job,
                                    &job->spawn);
        if (r < 0) {
                disks_outcome_set(o, r, "journal", 0, false, "cannot run %s", j->journalctl);
                return r == -ENOMEM ? r : 0;
        }
        log_info("cleanup: running %s", shown);
        job->waiting = true;
        return ACTUATOR_DISK_PENDING;
}
