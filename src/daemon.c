/* daemon — see include/daemon.h */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <systemd/sd-daemon.h>

#include "actuator.h"
#include "config-lint.h"
#include "config-load.h"
#include "control.h"
#include "control_status.h"
#include "disks.h"
#include "docker.h"
#include "history.h"
#include "log.h"
#include "looplag.h"
#include "oomguard.h"
#include "overrides.h"
#include "safety.h"
#include "sampler.h"
#include "sdunit.h"
#include "startup.h"
#include "ticker.h"
#include "trigger.h"
#include "units.h"

#define DEFAULT_CGROUP_ROOT "/sys/fs/cgroup"
#define OOM_SCORE_ADJ_MIN   "-1000" /* never chosen by the kernel OOM killer */
/* usec: the tick while memory is at or near the warning mark; a runaway can
 * go from warning to the OOM killer between two idle ticks */
#define PRESSURE_TICK_USEC (100 * USEC_PER_MSEC)
/* usec: metrics_file is rewritten at most this often while the action
 * history stands still (node_exporter scrapes every 15 s or so; formatting
 * and renaming ~25 KB every 1 s tick was most of the idle CPU) */
#define METRICS_FILE_REFRESH_USEC (10 * USEC_PER_SEC)
/* usec: how long an exit waits for Docker to answer requests in flight
 * (a kill's tell: without it Docker's restart policy brings the container
 * back), and how often it looks */
#define EXIT_DOCKER_WAIT_USEC (2 * USEC_PER_SEC)
#define EXIT_DOCKER_POLL_USEC (50 * USEC_PER_MSEC)
/* usec: while all is quiet (see quiet()), groups are sampled and the policy
 * run at least this often; in between a tick reads host memory alone, as
 * earlyoom does. Cgroup events, Docker events, PSI triggers and operator
 * changes evaluate at once regardless (writes to a group's limits raise
 * change events too), so this is the refresh of status and metrics; every
 * group is re-read on it (the sampler's slow refresh, SAMPLER_REFRESH_USEC,
 * is shorter). */
#define IDLE_SAMPLE_USEC (60 * USEC_PER_SEC)
/* usec: after a host PSI trigger fires, calm ticks read the host's PSI
 * whatever the last reading was: avg10 moves every 2 s and may pass a mark
 * one update after the stall that fired the trigger (trigger.h) */
#define HOST_PSI_HOLD_USEC (10 * USEC_PER_SEC)
/* bytes per second: the fastest host memory is assumed to fill (earlyoom's
 * figure). Far from the marks the host poll sleeps as long as the headroom
 * lasts at this rate, never longer than the configured interval. */
#define MEMORY_FILL_RATE_BYTES_PER_SEC (6000ULL * 1024 * 1024)

/* What disk cleanup uses of the daemon (disks.h), as of now. */
#define DISKS_ENV(d)                                                                               \
        {                                                                                          \
                .event = (d)->event, .config = (d)->config,                                        \
                .state_dir = (d)->options.state_dir ? (d)->options.state_dir                       \
                                                    : (d)->config->governor.state_dir,             \
                .docker = (d)->docker, .overrides = (d)->overrides, .actuator = (d)->actuator,     \
                .dry_run = (d)->dry_run,                                                           \
                .io_pressure_some_avg10 = (d)->snapshot.host.has_psi                               \
                                                  ? (d)->snapshot.host.io_psi.some.avg10           \
                                                  : 0.0,                                           \
        }

static const char *pick(const char *flag, const char *config_value)
{
        return flag ? flag : config_value;
}

/* ---- cgroup layout ---------------------------------------------------- */

static bool is_cgroup2(const char *path)
{
        struct statfs sfs;

        return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static bool controllers_have_memory(const char *root)
{
        char path[4096], buf[512];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof path, "%s/cgroup.controllers", root);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = util_read_fd(fd, buf, sizeof buf);
        if (n < 0)
                return false;
        for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
                if (strcmp(tok, "memory") == 0)
                        return true;
        return false;
}

/* The real mounts are found with libcgroup (cgfs_detect); a root given on the
 * command line or in the config that is not the system's (a fixture tree, a
 * VM's own mount) is taken as a cgroup2 root as it is. */
static int resolve_layout(const char *cgroup_root, struct cgfs_layout_info *ret)
{
        int r;

        memset(ret, 0, sizeof *ret);
        if (strcmp(cgroup_root, DEFAULT_CGROUP_ROOT) == 0) {
                r = cgfs_detect(ret);
                if (r < 0)
                        return r;
                if (ret->layout == CGFS_LAYOUT_V1 || !ret->v2_root[0])
                        return -EOPNOTSUPP;
                return 0;
        }
        util_strlcpy(ret->v2_root, cgroup_root, sizeof ret->v2_root);
        ret->v2_memory = controllers_have_memory(cgroup_root);
        ret->layout = ret->v2_memory || !is_cgroup2(cgroup_root) ? CGFS_LAYOUT_V2
                                                                 : CGFS_LAYOUT_HYBRID;
        return 0;
}

/* ---- evaluation --------------------------------------------------------- */

static void log_tier_change(struct daemon *d, const struct plan *plan)
{
        char f_tier[64], f_prev[64], f_used[64];
        const char *fields[] = {f_tier, f_prev, f_used, NULL};

        snprintf(f_tier, sizeof f_tier, "GOVERNOR_TIER=%s", tier_name(plan->memory_tier));
        snprintf(f_prev, sizeof f_prev, "GOVERNOR_PREVIOUS_TIER=%s",
                 tier_name(plan->previous_tier));
        snprintf(f_used, sizeof f_used, "GOVERNOR_MEMORY_USED_PERCENT=%.1f",
                 plan->memory_used_percent);
        log_event(plan->memory_tier > plan->previous_tier ? LOG_WARNING : LOG_NOTICE, MSGID_TIER,
                  fields, "memory tier %s -> %s (%.1f%% in use, PSI some %.2f%% full %.2f%%)",
                  tier_name(plan->previous_tier), tier_name(plan->memory_tier),
                  plan->memory_used_percent, d->snapshot.host.memory_psi.some.avg10,
                  d->snapshot.host.memory_psi.full.avg10);
}

static void sync_group_triggers(struct daemon *d)
{
        if (!d->triggers)
                return;
        triggers_mark(d->triggers);
        for (size_t i = 0; i < d->snapshot.n_groups; i++) {
                const struct group_sample *g = &d->snapshot.groups[i];
                int r;

                if (g->rule < 0 || !g->cgroup[0])
                        continue;
                r = triggers_add_group(d->triggers, group_key(g), g->cgroup);
                if (r < 0 && r != -ENOENT && r != -ENODEV)
                        log_debug("no PSI trigger for %s: %s", g->name, strerror(-r));
        }
        triggers_sweep(d->triggers);
}

/* Host memory at or near the warning mark (within the hysteresis below
 * it), as of the last read: the fast tick's reach. */
static bool memory_near(const struct daemon *d)
{
        const struct memory_section *m = &d->config->memory;

        return d->plan.memory_tier >= TIER_WARNING || d->policy.memory.tier >= TIER_WARNING ||
               d->host_used_percent >= m->warning_percent - m->hysteresis_percent;
}

/* How long until host memory is read again, as earlyoom sleeps: near the
 * marks the fast tick; further away as long as the headroom to the fast
 * tick's reach lasts at MEMORY_FILL_RATE_BYTES_PER_SEC, capped at the
 * configured interval. PSI triggers wake the loop in between either way:
 * this poll is the backstop for memory filling without stalls. */
static usec_t tick_interval(const struct daemon *d)
{
        const struct memory_section *m = &d->config->memory;
        usec_t interval = d->config->governor.interval_usec, step;
        double headroom_percent;

        if (interval <= PRESSURE_TICK_USEC)
                return interval;
        if (memory_near(d))
                return PRESSURE_TICK_USEC;
        headroom_percent = m->warning_percent - m->hysteresis_percent - d->host_used_percent;
        step = (usec_t)(headroom_percent / 100.0 * (double)d->host_total_bytes /
                        (double)MEMORY_FILL_RATE_BYTES_PER_SEC * (double)USEC_PER_SEC);
        return step < PRESSURE_TICK_USEC ? PRESSURE_TICK_USEC : step > interval ? interval : step;
}

/* The next tick step after base, and every step after that. */
static void tick_arm_at(struct daemon *d, usec_t base, usec_t step)
{
        int r = ticker_arm(d->ticker, base + step, step);

        if (r < 0)
                log_warning("cannot arm the tick: %s", strerror(-r));
}

/* After an evaluation outside the tick (a PSI trigger, a Docker event) brought
 * memory near the marks: do not wait out an idle interval for the next sample. */
static void hasten_tick(struct daemon *d)
{
        usec_t now = util_now_usec(), step = tick_interval(d);

        if (d->ticker && ticker_due(d->ticker) > now + step)
                tick_arm_at(d, now, step);
}

/* One OOM kill (or several) the kernel or Docker reported: journal, history, counter. */
static void record_oom(struct daemon *d, enum group_kind kind, const char *name, uint64_t kills,
                       const char *reason)
{
        char f_target[GROUP_NAME_MAX + 32];
        const char *fields[] = {"GOVERNOR_ACTION=oom", f_target, NULL};

        snprintf(f_target, sizeof f_target, "%s=%s",
                 kind == GROUP_CONTAINER ? "GOVERNOR_CONTAINER" : "GOVERNOR_CGROUP", name);
        d->counters.oom_events += kills;
        log_event(LOG_WARNING, MSGID_OOM, fields, "OOM kill in %s %s (%s)",
                  kind == GROUP_CONTAINER ? "container" : "cgroup", name, reason);
        actuator_record(d->actuator, "oom", name, reason, 0, false, HISTORY_RESULT_DONE, NULL);
}

/* oom_kill increases in memory.events (v1 memory.oom_control on hybrid hosts)
 * between two samples. Containers are reported by Docker's own oom event
 * while it is connected; counting both would report one kill twice. */
static void note_oom_kills(struct daemon *d, const struct snapshot *old, const struct snapshot *now)
{
        bool docker_reports = d->docker && docker_is_connected(d->docker);

        for (size_t i = 0; i < now->n_groups; i++) {
                const struct group_sample *g = &now->groups[i];
                const struct group_sample *before;
                char reason[96];

                if (!g->has_events || (g->kind == GROUP_CONTAINER && docker_reports))
                        continue;
                before = snapshot_find(old, group_key(g));
                if (!before || !before->has_events || g->events.oom_kill <= before->events.oom_kill)
                        continue;
                snprintf(reason, sizeof reason, "the kernel OOM-killed %" PRIu64 " process(es)",
                         g->events.oom_kill - before->events.oom_kill);
                record_oom(d, g->kind, g->name, g->events.oom_kill - before->events.oom_kill,
                           reason);
        }
}

/* The plan's actions and the OOM guard pass (actuator), then the disks:
 * the part of an evaluation after the plan, also run on a quiet tick (with
 * the previous, empty plan). <0: the loop is told to exit (out of memory). */
static int act_and_check_disks(struct daemon *d, usec_t now)
{
        struct actuator_env env = {
                .config = d->config,
                .docker = d->docker,
                .overrides = d->overrides,
                .sdunit = d->sdunit,
                .oomguard = d->oomguard,
                .dry_run = d->dry_run,
        };

        actuator_run(d->actuator, &env, &d->snapshot, &d->plan, &d->policy);
        /* Disks: statvfs tiers and cleanup (issue 4). */
        if (d->disks)
                disks_set_env(d->disks, &(struct disks_env)DISKS_ENV(d));
        if (d->disks && disks_evaluate(d->disks, now) == -ENOMEM) {
                log_error("out of memory while evaluating disks");
                sd_event_exit(d->event, 1);
                return -ENOMEM;
        }
        return 0;
}

/* The status control and metrics read (status.h): rewritten here only, at
 * the end of each evaluation and after a reload, so what they see is one
 * evaluation's state, never a half-made one. */
static void daemon_publish(struct daemon *d)
{
        struct status *st = &d->status;

        st->published = true;
        st->config = d->config;
        st->snapshot = &d->snapshot;
        st->policy = &d->policy;
        st->history = d->history;
        st->memory_tier = d->policy.memory.tier;
        st->layout = d->layout.layout;
        st->dry_run = d->dry_run;
        st->state_dir = pick(d->options.state_dir, d->config ? d->config->governor.state_dir : NULL);
        st->metrics_file = d->config ? d->config->governor.metrics_file : NULL;
        st->docker_configured = d->docker != NULL;
        st->docker_connected = d->docker && docker_is_connected(d->docker);
        status_set_string(st->docker_version, sizeof st->docker_version,
                          d->docker ? docker_engine_version(d->docker) : NULL);
        status_set_string(st->docker_api_version, sizeof st->docker_api_version,
                          d->docker ? docker_api_version(d->docker) : NULL);
        st->counters = d->counters;
        if (d->actuator) {
                struct actuator_stats as;

                actuator_get_stats(d->actuator, &as);
                st->counters.actions_failed += as.failed;
                st->counters.bytes_freed += as.bytes_freed;
        }
        st->started_realtime_usec = d->started_realtime_usec;
        st->disks_available = d->disks != NULL;
        st->n_disks = 0;
        for (size_t i = 0; d->disks && i < disks_count(d->disks) && i < STATUS_DISKS_MAX; i++) {
                struct disks_status ds;

                if (disks_get_status(d->disks, i, &ds) < 0)
                        break;
                st->disks[st->n_disks++] = (struct status_disk){
                    .path = ds.path,
                    .tier = ds.tier,
                    .sampled = ds.sampled,
                    .used_percent = ds.usage.used_percent,
                    .size_bytes = ds.usage.bytes_total,
                    .avail_bytes = ds.usage.bytes_avail,
                };
        }
}

/* The host PSI reading a calm tick compares with its watch (host_psi_needed). */
static void note_host_psi(struct daemon *d, const struct snapshot *s)
{
        d->host_psi_known = s->host.has_psi;
        d->host_psi_some_avg10 = s->host.memory_psi.some.avg10;
}

void daemon_evaluate(struct daemon *d, const char *reason)
{
        /* Groups are read on demand (sampler.h): memory.current of all of
         * them once memory is above normal or a PSI trigger woke us. */
        struct sampler_context ctx = {
            .config = d->config,
            .fs = d->fs,
            .layout = &d->layout,
            .docker = d->docker,
            .previous = &d->snapshot,
            .usage_needed = d->policy.memory.tier > TIER_NORMAL || strstr(reason, "pressure"),
        };
        struct policy_input in = {0};
        struct snapshot snap;
        usec_t start = util_now_usec();
        int r;

        /* nothing new is decided once exiting (waiting for Docker's answers) */
        if (d->evaluating || d->exit_deadline_usec)
                return;
        d->evaluating = true;

        snapshot_init(&snap);
        r = sampler_take(&ctx, start, &snap);
        if (r == -ENOMEM) {
                log_error("out of memory while sampling");
                sd_event_exit(d->event, 1);
                goto out;
        }
        if (r < 0) {
                log_warning("cannot sample host memory: %s", strerror(-r));
                snapshot_done(&snap);
                goto out;
        }
        note_oom_kills(d, &d->snapshot, &snap);
        snapshot_done(&d->snapshot);
        d->snapshot = snap;
        d->host_used_percent = snapshot_memory_used_percent(&d->snapshot);
        d->host_total_bytes = d->snapshot.host.mem.mem_total_bytes;
        note_host_psi(d, &d->snapshot);
        sync_group_triggers(d);

        in.config = d->config;
        in.snapshot = &d->snapshot;
        in.now = start;
        /* Operator overrides and pause (sutazai-govctl, issue 5). */
        if (d->overrides) {
                in.paused = overrides_paused(d->overrides);
                in.overrides = overrides_get(d->overrides, &in.n_overrides);
        }
        plan_done(&d->plan);
        plan_init(&d->plan);
        r = policy_evaluate(&in, &d->policy, &d->plan);
        if (r < 0) {
                log_error("policy evaluation failed: %s", strerror(-r));
                sd_event_exit(d->event, 1);
                goto out;
        }
        if (d->plan.memory_tier != d->plan.previous_tier)
                log_tier_change(d, &d->plan);
        if (d->plan.n_actions > 0)
                log_debug("evaluation (%s): %zu action(s)", reason, d->plan.n_actions);
        if (act_and_check_disks(d, start) < 0)
                goto out;

        d->counters.ticks++;
        d->counters.last_tick_usec = util_now_usec() - start;
        hasten_tick(d);
out:
        daemon_publish(d);
        d->evaluating = false;
}

/* ---- event sources ------------------------------------------------------ */

static void on_pressure(const char *key, usec_t notice_usec, void *userdata)
{
        struct daemon *d = userdata;
        bool watch = strcmp(key, TRIGGER_HOST_WATCH_KEY) == 0, host = watch || !key[0];

        d->counters.trigger_wakeups++;
        log_debug("PSI trigger %s at %" PRIu64 "us",
                  watch ? "host watch" : host ? "host" : key, notice_usec);
        if (host)
                d->host_psi_read_until = notice_usec + HOST_PSI_HOLD_USEC;
        /* The watch only stands in for the calm tick's PSI reading: the next
         * tick reads it again, within the interval as before there was a
         * watch, and a stall too small for the configured trigger costs no
         * full sample. */
        if (!watch)
                daemon_evaluate(d, host ? "host pressure" : "group pressure");
}

/* Whether a tick that reads host memory alone must read its PSI too. Not
 * when no pressure_* mark is set (PSI decides nothing), nor, in the normal
 * tier, while the calm tick's watch (trigger.h) stands guard: armed, not
 * fired within HOST_PSI_HOLD_USEC, and the last reading below its share,
 * so no mark can have been reached since. A higher tier's stay needs the
 * reading itself. */
static bool host_psi_needed(const struct daemon *d, usec_t now)
{
        const struct psi_trigger_spec *watch = &d->psi_watch;

        if (!d->psi_watch_set)
                return false;
        if (d->policy.memory.tier != TIER_NORMAL || !triggers_host_watched(d->triggers) ||
            !d->host_psi_known || now < d->host_psi_read_until)
                return true;
        return d->host_psi_some_avg10 * (double)watch->window_usec >=
               100.0 * (double)watch->stall_usec;
}

/* Between full samples under pressure, host memory alone (one read of
 * /proc/meminfo and its PSI) tells whether the tier machine would see anything
 * new: a higher tier's mark met, or the current tier's stay lost. Only then
 * is the whole host sampled before the interval is up. */
static bool host_memory_moved(struct daemon *d, usec_t now, bool near_counts)
{
        const struct memory_section *m = &d->config->memory;
        struct snapshot host;
        struct tier_conditions c;
        enum tier current = d->policy.memory.tier;

        snapshot_init(&host);
        if (cgfs_read_meminfo(d->fs, &host.host.mem) < 0)
                return true;
        d->host_used_percent = snapshot_memory_used_percent(&host);
        d->host_total_bytes = host.host.mem.mem_total_bytes;
        if (host_psi_needed(d, now)) {
                host.host.has_psi =
                    cgfs_read_host_psi(d->fs, "memory", &host.host.memory_psi) >= 0;
                note_host_psi(d, &host);
        }
        /* reaching the fast tick's reach is news to a quiet tick */
        if (near_counts &&
            snapshot_memory_used_percent(&host) >= m->warning_percent - m->hysteresis_percent)
                return true;
        policy_memory_conditions(d->config, &host, &c);
        if (current > TIER_NORMAL && !c.stay[current])
                return true;
        for (int t = current + 1; t < TIER_COUNT; t++)
                if (c.enter[t])
                        return true;
        return false;
}

/* Nothing the groups or the policy could make anything of: memory calm
 * and not near the marks, the last plan empty, no cgroup event pending, and
 * a full sample younger than IDLE_SAMPLE_USEC. Host memory alone is read. */
static bool quiet(struct daemon *d, usec_t now)
{
        return d->policy.memory.tier == TIER_NORMAL && d->plan.n_actions == 0 && !memory_near(d) &&
               !cgfs_watch_pending(d->fs) && now >= d->snapshot.time &&
               now < d->snapshot.time + IDLE_SAMPLE_USEC && !host_memory_moved(d, now, true);
}

static void on_tick(usec_t usec, void *userdata)
{
        struct daemon *d = userdata;
        usec_t interval = d->config->governor.interval_usec, step = tick_interval(d), now;
        /* a tick brought forward (a cgroup event) within half a step of the
         * interval's end stands for it: no second full sample a moment later */
        bool interval_due = step >= interval || usec + step / 2 >= d->snapshot.time + interval;
        uint64_t history;

        if (interval_due && quiet(d, usec)) {
                /* the OOM guard's pass and the disks keep their pace */
                (void)act_and_check_disks(d, usec);
                daemon_publish(d); /* disk tiers and counters moved */
        } else if (interval_due || cgfs_watch_pending(d->fs) || host_memory_moved(d, usec, false))
                daemon_evaluate(d, "tick");
        /* History to disk when it changed, metrics_file (issue 5): at once
         * after an action; else after a new sample, at most every
         * METRICS_FILE_REFRESH_USEC (a tick that read host memory alone
         * changed nothing the file shows, and replacing it is the dearest
         * thing an idle tick could do: a new inode and a rename). */
        history = d->history ? history_total(d->history) : 0;
        if (d->control &&
            (history != d->control_tick_history || d->control_tick_usec == 0 ||
             (usec >= d->control_tick_usec + METRICS_FILE_REFRESH_USEC &&
              d->snapshot.time != d->control_tick_sample_usec))) {
                control_tick(d->control);
                d->control_tick_usec = usec;
                d->control_tick_history = history;
                d->control_tick_sample_usec = d->snapshot.time;
        }
        /* The ticker repeats its period from this due time by itself (no
         * call while the step stays); a new step counts from now, and a
         * tick brought forward to a time already past (on_cgroup_change)
         * fired once for all the steps it was behind. */
        step = tick_interval(d);
        now = util_now_usec();
        if (step != ticker_period(d->ticker) || ticker_due(d->ticker) <= now)
                tick_arm_at(d, usec > now ? usec : now, step);
}

/* A watched group changed (memory.events, cgroup.events, a limit written):
 * sample it on the tick, brought forward but no sooner than the fast tick
 * after the last sample, so a storm of events costs at most that rate. */
static int on_cgroup_change(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct daemon *d = userdata;
        usec_t due;

        if (cgfs_watch_process(d->fs) <= 0 || !d->ticker)
                return 0;
        due = d->snapshot.time + PRESSURE_TICK_USEC;
        if (ticker_due(d->ticker) > due) {
                int r = ticker_arm(d->ticker, due, ticker_period(d->ticker));

                if (r < 0)
                        log_warning("cannot bring the tick forward: %s", strerror(-r));
        }
        return 0;
}

static void on_docker(enum docker_event_kind kind, const struct docker_container *c,
                      usec_t event_usec, void *userdata)
{
        struct daemon *d = userdata;

        /* Image last use for LRU eviction: a container starting or ending is
         * a use of its image. */
        if (c && c->image_id && (kind == DOCKER_EVENT_STARTED || kind == DOCKER_EVENT_REMOVED))
                disks_image_used(d->disks, c->image_id, util_realtime_usec());

        switch (kind) {
        case DOCKER_EVENT_CONNECTED:
                log_event(LOG_NOTICE, MSGID_DOCKER, NULL, "Docker Engine connected (API %s)",
                          docker_api_version(d->docker) ?: "?");
                break;
        case DOCKER_EVENT_DISCONNECTED:
                log_event(LOG_WARNING, MSGID_DOCKER, NULL,
                          "Docker Engine connection lost; governing cgroups, reconnecting");
                break;
        case DOCKER_EVENT_OOM:
                record_oom(d, GROUP_CONTAINER, c && c->name ? c->name : "?", 1,
                           "Docker reported an OOM kill");
                break;
        default:
                break;
        }
        daemon_evaluate(d, "docker event");
}

static uint64_t docker_requests_in_flight(const struct daemon *d)
{
        struct actuator_stats st;

        if (!d->actuator)
                return 0;
        actuator_get_stats(d->actuator, &st);
        return st.docker_in_flight;
}

static int on_exit_poll(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct daemon *d = userdata;

        if (docker_requests_in_flight(d) == 0 || usec >= d->exit_deadline_usec)
                return sd_event_exit(d->event, 0);
        if (sd_event_source_set_time(s, usec + EXIT_DOCKER_POLL_USEC) < 0)
                return sd_event_exit(d->event, 0);
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct daemon *d = userdata;
        char err[1024];

        if (si->ssi_signo == SIGHUP) {
                (void)daemon_reload(d, err, sizeof err);
                return 0;
        }
        if (d->exit_deadline_usec)
                return sd_event_exit(d->event, 0); /* asked twice: go now */
        log_notice("received %s, exiting", strsignal((int)si->ssi_signo));
        (void)sd_notify(false, "STOPPING=1");
        if (docker_requests_in_flight(d) > 0) {
                /* A kill's tell still on its way to Docker would be lost,
                 * and its restart policy bring the container back: wait a
                 * moment for it (bounded). */
                log_info("waiting up to %llu ms for Docker to answer %llu request(s)",
                         (unsigned long long)(EXIT_DOCKER_WAIT_USEC / USEC_PER_MSEC),
                         (unsigned long long)docker_requests_in_flight(d));
                d->exit_deadline_usec = util_now_usec() + EXIT_DOCKER_WAIT_USEC;
                if (sd_event_add_time_relative(d->event, NULL, CLOCK_MONOTONIC,
                                               EXIT_DOCKER_POLL_USEC, 0, on_exit_poll, d) >= 0)
                        return 0;
        }
        return sd_event_exit(d->event, 0);
}

/* ---- set-up and reload -------------------------------------------------- */

static int open_cgroups(struct daemon *d)
{
        const char *root = pick(d->options.cgroup_root, d->config->governor.cgroup_root);
        int r;

        r = resolve_layout(root, &d->layout);
        if (r < 0) {
                log_error("no usable cgroup v2 hierarchy at %s: %s", root, strerror(-r));
                return r;
        }
        r = cgfs_open(d->layout.v2_root, d->layout.v1_memory[0] ? d->layout.v1_memory : NULL,
                      d->options.proc_root ? d->options.proc_root : "/proc", &d->fs);
        if (r < 0) {
                log_error("cannot open %s: %s", d->layout.v2_root, strerror(-r));
                return r;
        }
        if (cgfs_watch_fd(d->fs) >= 0) {
                r = sd_event_add_io(d->event, &d->cgroup_watch, cgfs_watch_fd(d->fs), EPOLLIN,
                                    on_cgroup_change, d);
                if (r < 0)
                        return r;
        }
        log_info("cgroups: %s layout, cgroup2 at %s%s%s", cgfs_layout_name(d->layout.layout),
                 d->layout.v2_root, d->layout.v1_memory[0] ? ", v1 memory at " : "",
                 d->layout.v1_memory);
        if (d->layout.layout == CGFS_LAYOUT_HYBRID) {
                static const char *const unavailable[] = CONTROL_HYBRID_UNAVAILABLE_ACTIONS;

                /* the warning tier then does nothing: say so once, not never */
                log_warning("%s, %s and %s unavailable (%s): the warning tier cannot act; "
                            "critical stops sacrificial containers, emergency kills",
                            unavailable[0], unavailable[1], unavailable[2],
                            CONTROL_HYBRID_UNAVAILABLE_REASON);
        }
        return 0;
}

/* The calm tick's watch follows the pressure_* marks (trigger.h). */
static void sync_psi_watch(struct daemon *d)
{
        int r;

        if (!d->triggers)
                return;
        r = triggers_set_host_watch(d->triggers, d->psi_watch_set ? &d->psi_watch : NULL);
        if (r < 0)
                log_info("no PSI watch for the calm tick (%s): it reads the host's PSI "
                         "every tick",
                         strerror(-r));
}

static int open_triggers(struct daemon *d)
{
        int r = triggers_new(d->event, d->fs, &d->config->memory.trigger, on_pressure, d,
                             &d->triggers);
        if (r < 0)
                return r;
        r = triggers_add_host(d->triggers);
        if (r == -ENOENT || r == -EOPNOTSUPP)
                /* No pressure file at all: a kernel without CONFIG_PSI or booted
                 * with psi=0. Say what the operator loses (documented in
                 * sutazai-governor(8), KERNEL WITHOUT PSI). */
                log_warning("kernel PSI unavailable (no memory.pressure in %s/pressure or the "
                            "cgroup2 root): pressure_* thresholds and PSI triggers are off; "
                            "governing on memory use every %llums tick",
                            d->options.proc_root ? d->options.proc_root : "/proc",
                            (unsigned long long)(d->config->governor.interval_usec /
                                                 USEC_PER_MSEC));
        else if (r < 0)
                log_warning("no kernel PSI trigger for host memory (%s); relying on the %s tick",
                            strerror(-r), "interval");
        else {
                log_info("host memory PSI trigger on %s", triggers_host_source(d->triggers));
                sync_psi_watch(d);
        }
        return 0;
}

static void open_docker(struct daemon *d)
{
        const char *path = pick(d->options.docker_socket, d->config->governor.docker_socket);
        struct stat st;
        int r;

        if (!path || !path[0])
                return;
        if (stat(path, &st) < 0)
                log_event(LOG_WARNING, MSGID_DOCKER, NULL,
                          "no Docker socket at %s; governing cgroups alone until it appears",
                          path);
        r = docker_new(d->event, path, d->fs, on_docker, d, &d->docker);
        if (r < 0)
                log_warning("Docker client unavailable: %s", strerror(-r));
}

static int arm_tick(struct daemon *d)
{
        int r;

        if (!d->ticker) {
                r = ticker_new(d->event, on_tick, d, &d->ticker);
                if (r < 0)
                        return r;
        }
        tick_arm_at(d, util_now_usec(), d->config->governor.interval_usec);
        return 0;
}

static void lint_to_journal(const char *message, void *userdata)
{
        (void)userdata;
        log_warning("configuration: %s", message);
}

static void apply_flags(struct daemon *d)
{
        d->dry_run = d->options.dry_run || d->config->governor.dry_run;
        d->psi_watch_set = trigger_watch_spec(&d->config->memory, &d->psi_watch);
        config_lint(d->config, lint_to_journal, NULL);
}

int daemon_reload(struct daemon *d, char *err, size_t err_size)
{
        struct config *c = NULL;
        struct psi_trigger_spec old_trigger = d->config->memory.trigger;
        int r;

        (void)sd_notify(false, "RELOADING=1");
        /* Who may write the files is checked before a byte of them is read. */
        r = safety_check_config_file(d->options.config_path, err, err_size);
        if (r >= 0)
                r = config_load(d->options.config_path, false, &c, err, err_size);
        if (r < 0) {
                char f_err[1100];
                const char *fields[] = {f_err, NULL};

                snprintf(f_err, sizeof f_err, "GOVERNOR_ERROR=%s", err);
                log_event(LOG_ERR, MSGID_RELOAD_FAILED, fields,
                          "reload refused, keeping the running configuration: %s", err);
                (void)sd_notify(false, "READY=1");
                return r;
        }
        config_free(d->config);
        d->config = c;
        daemon_publish(d); /* never a freed configuration in the status */
        /* a cleanup in flight reads the config: never the freed one */
        if (d->disks)
                disks_set_env(d->disks, &(struct disks_env)DISKS_ENV(d));
        apply_flags(d);
        if (memcmp(&old_trigger, &c->memory.trigger, sizeof old_trigger) != 0) {
                d->triggers = triggers_free(d->triggers);
                (void)open_triggers(d);
        } else
                sync_psi_watch(d); /* the marks it follows may have moved */
        (void)arm_tick(d);
        control_reload(d->control); /* the control group, looked up here and at start-up only */
        log_event(LOG_NOTICE, MSGID_RELOADED, NULL, "configuration reloaded from %s%s",
                  d->options.config_path, d->dry_run ? " (dry-run)" : "");
        (void)sd_notify(false, "READY=1");
        daemon_evaluate(d, "reload");
        return 0;
}

/* The sampler keeps cgroup files open between ticks (cgfs) within a share of
 * the fd limit; the soft limit's 1024 would keep a few dozen cgroups. The
 * loop is epoll-based, so the hard limit is safe to use. */
static void raise_fd_limit(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        log_debug("cannot raise the fd limit: %s", strerror(errno));
        }
}

/* The governor must keep working when memory is short: lock what it has and
 * will map, and take itself out of the OOM killer's choice. */
static void harden_memory(void)
{
        _cleanup_close_ int fd = -1;

        /* Start-up (config, libcgroup's mount scan, the first sample) freed
         * more than it kept: return those heap pages before locking. */
        (void)malloc_trim(0);
#if defined(__SANITIZE_ADDRESS__)
        /* ASan's terabytes of shadow mappings cannot be locked: test builds only */
        log_info("built with AddressSanitizer: memory not locked");
#else
        /* ONFAULT: pages are locked as they are touched. The start-up
         * evaluation has touched what every tick uses; the untouched rest of
         * the shared libraries is not pulled in (RSS 26 → 13 MiB here). */
        if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
                log_warning("cannot lock memory: %s", strerror(errno));
#endif
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || util_write_all(fd, OOM_SCORE_ADJ_MIN, strlen(OOM_SCORE_ADJ_MIN)) < 0)
                log_warning("cannot set oom_score_adj: %s", strerror(errno));
}

/* overrides.json can pause enforcement: a state directory others could write
 * is not used (governing goes on without persistence). The path is pinned for
 * the daemon's life, so a reload cannot point it at an unchecked one. */
static int secure_state_dir(struct daemon *d)
{
        const char *dir = pick(d->options.state_dir, d->config->governor.state_dir);
        char err[1024];
        int r;

        if (!dir || !dir[0])
                return 0;
        r = safety_check_state_dir(dir, err, sizeof err);
        if (r < 0) {
                log_error("%s; overrides and history will not be kept", err);
                dir = "";
        }
        d->state_dir_checked = strdup(dir);
        if (!d->state_dir_checked)
                return -ENOMEM;
        d->options.state_dir = d->state_dir_checked;
        return 0;
}

/* systemd owns its units' cgroups: where it runs, unit attributes are set
 * through it (sdunit.h). Without it (no systemd as PID 1, no system bus)
 * cgroup files are written directly. */
static int open_systemd(struct daemon *d)
{
        int r = sdunit_open(d->event, NULL, &d->sdunit);

        if (r == -ENOMEM)
                return r;
        if (r < 0)
                log_info("no systemd manager to ask (%s): cgroup attributes are written directly",
                         r == -ENOMEDIUM ? "systemd is not the init system" : strerror(-r));
        else if (r == 0)
                log_warning("systemd's bus does not answer yet: cgroup attributes of its units are "
                            "written directly until it does (systemd may reset them meanwhile)");
        return oomguard_new(&d->oomguard);
}

/* ---- what control asks of the daemon (control.h: struct control_ops) ---- */

static void control_evaluate(void *userdata, const char *reason)
{
        daemon_evaluate(userdata, reason);
}

static int control_reload_config(void *userdata, char *err, size_t err_size)
{
        return daemon_reload(userdata, err, err_size);
}

static int control_cleanup(void *userdata, bool dry_run,
                           void (*done)(const struct disks_report *report, void *done_userdata),
                           void *done_userdata)
{
        struct daemon *d = userdata;

        if (!d->disks)
                return -ENOTSUP;
        return disks_cleanup_now(d->disks, dry_run, done, done_userdata);
}

static void daemon_done(struct daemon *d)
{
        d->ticker = ticker_free(d->ticker);
        /* Calls still in flight are cancelled, their callbacks told so. */
        d->sdunit = sdunit_free(d->sdunit);
        d->oomguard = oomguard_free(d->oomguard);
        /* First: it saves the history and answers no one any more. */
        d->control = control_free(d->control);
        d->overrides = overrides_free(d->overrides);
        /* Before Docker: a pending cleanup request is orphaned, not called back into freed state. */
        d->disks = disks_free(d->disks);
        d->docker = docker_free(d->docker);
        /* After Docker: its cancelled requests call back into the actuator. */
        d->actuator = actuator_free(d->actuator);
        d->triggers = triggers_free(d->triggers);
        d->history = history_free(d->history);
        plan_done(&d->plan);
        policy_state_done(&d->policy);
        snapshot_done(&d->snapshot);
        d->cgroup_watch = sd_event_source_disable_unref(d->cgroup_watch);
        d->fs = cgfs_free(d->fs);
        config_free(d->config);
        free(d->state_dir_checked);
        looplag_stop();
        log_shutdown(); /* what the journal has not taken yet: one last try, no wait */
        d->event = sd_event_unref(d->event);
}

/* A rule that still matches nothing once Docker and the ticks had time to
 * fill the snapshot: most likely a typo, or the wrong host's drop-in. */
static int on_unmatched_check(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct daemon *d = userdata;
        bool containers_known = !d->docker || docker_is_connected(d->docker);
        char names[1024];
        size_t n = startup_unmatched_rules(d->config, &d->snapshot, containers_known, names,
                                           sizeof names);

        if (n > 0)
                log_warning("%zu rule(s) match no container or cgroup %llus after start-up: %s "
                            "(check their match = lines; sutazai-govctl status shows the RULE of "
                            "each group)",
                            n, (unsigned long long)(STARTUP_UNMATCHED_GRACE_USEC / USEC_PER_SEC),
                            names);
        return 0;
}

/* Start-up is loud about a governor that would govern nothing, and about
 * directories the unit keeps read-only (ProtectSystem=strict). */
static void startup_warnings(struct daemon *d)
{
        const char *warning = startup_config_warning(d->config);
        char hint[PATH_MAX + 256];
        int r;

        if (warning)
                log_warning("%s", warning);
        for (size_t i = 0; i < d->config->n_logs; i++) {
                const char *dir = d->config->logs[i].dir;

                r = startup_check_writable(dir);
                if (r == -EROFS || r == -EACCES) {
                        startup_readonly_hint(dir, hint, sizeof hint);
                        log_warning("[logs:%s] %s is read-only for the governor (%s): its logs "
                                    "cannot be pruned; %s",
                                    d->config->logs[i].name, dir, strerror(-r), hint);
                } else if (r < 0)
                        log_warning("[logs:%s] %s: %s", d->config->logs[i].name, dir,
                                    strerror(-r));
        }
        if (d->config->governor.metrics_file && d->config->governor.metrics_file[0]) {
                char dir[PATH_MAX];

                const char *metrics_dir;

                util_strlcpy(dir, d->config->governor.metrics_file, sizeof dir);
                metrics_dir = dirname(dir);
                r = startup_check_writable(metrics_dir);
                if (r == -EROFS || r == -EACCES) {
                        startup_readonly_hint(metrics_dir, hint, sizeof hint);
                        log_warning("metrics directory %s is read-only for the governor (%s): no "
                                    "metrics are written; %s",
                                    metrics_dir, strerror(-r), hint);
                }
        }
        r = sd_event_add_time_relative(d->event, NULL, CLOCK_MONOTONIC,
                                       STARTUP_UNMATCHED_GRACE_USEC, 0, on_unmatched_check, d);
        if (r < 0)
                log_warning("cannot arm the unmatched-rules check: %s", strerror(-r));
}

int daemon_main(const struct daemon_options *opts)
{
        struct daemon d = {.options = *opts};
        char err[1024];
        sigset_t mask;
        int r;

        r = safety_check_config_file(opts->config_path, err, sizeof err);
        if (r >= 0)
                r = config_load(opts->config_path, false, &d.config, err, sizeof err);
        if (r < 0) {
                log_error("%s", err);
                return 1;
        }
        apply_flags(&d);
        d.started_realtime_usec = util_realtime_usec();
        policy_state_init(&d.policy);
        plan_init(&d.plan);
        snapshot_init(&d.snapshot);

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        (void)signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&d.event);
        if (r < 0)
                goto fail;
        /* Log entries the journal cannot take at once are flushed from the loop. */
        (void)log_attach_event(d.event);
        (void)looplag_start(d.event); /* SUTAZAI_GOVERNOR_LOOP_PROBE: the stall benchmark's probe */
        r = sd_event_add_signal(d.event, NULL, SIGTERM, on_signal, &d);
        if (r >= 0)
                r = sd_event_add_signal(d.event, NULL, SIGINT, on_signal, &d);
        if (r >= 0)
                r = sd_event_add_signal(d.event, NULL, SIGHUP, on_signal, &d);
        if (r >= 0)
                r = sd_event_set_watchdog(d.event, true);
        if (r < 0)
                goto fail;

        raise_fd_limit();
        r = open_cgroups(&d);
        if (r < 0)
                goto fail;
        r = history_new(d.config->governor.history_size, &d.history);
        if (r < 0)
                goto fail;
        r = actuator_new(&(struct actuator_deps){.event = d.event,
                                                 .fs = d.fs,
                                                 .layout = &d.layout,
                                                 .history = d.history},
                         &d.actuator);
        if (r < 0)
                goto fail;
        /* Overrides, pause and history from the state directory (issue 5). */
        r = secure_state_dir(&d);
        if (r < 0)
                goto fail;
        r = control_state_open(pick(d.options.state_dir, d.config->governor.state_dir), d.history,
                               &d.overrides);
        if (r < 0)
                goto fail;
        r = open_triggers(&d);
        if (r < 0)
                goto fail;
        open_docker(&d);
        r = open_systemd(&d);
        if (r < 0)
                goto fail;
        r = disks_new(&(struct disks_env)DISKS_ENV(&d), &d.disks);
        if (r < 0)
                goto fail;
        r = arm_tick(&d);
        if (r < 0)
                goto fail;
        /* The control socket (issue 5). Governing matters more than being
         * asked about it: without the socket the daemon still runs. */
        daemon_publish(&d); /* control reads the status from its first request */
        r = control_new(d.event, pick(d.options.control_socket, d.config->governor.control_socket),
                        &d.status, d.overrides,
                        &(struct control_ops){.userdata = &d,
                                              .evaluate = control_evaluate,
                                              .reload = control_reload_config,
                                              .cleanup = control_cleanup},
                        &d.control);
        if (r < 0)
                log_error("control socket unavailable, sutazai-govctl will not work: %s",
                          strerror(-r));

        daemon_evaluate(&d, "start-up");
        harden_memory();

        {
                char summary[1024];

                startup_summary(d.config, &d.snapshot, d.dry_run, summary, sizeof summary);
                log_event(LOG_NOTICE, MSGID_STARTED, NULL,
                          "sutazai-governor " VERSION " started: %s; %s cgroups, tick %llums",
                          summary, cgfs_layout_name(d.layout.layout),
                          (unsigned long long)(d.config->governor.interval_usec / USEC_PER_MSEC));
        }
        startup_warnings(&d);
        (void)sd_notify(false, "READY=1\nSTATUS=governing");

        r = sd_event_loop(d.event);
        log_event(LOG_NOTICE, MSGID_STOPPING, NULL, "sutazai-governor stopping");
        daemon_done(&d);
        return r < 0 ? 1 : r;
fail:
        log_error("start-up failed: %s", strerror(-r));
        daemon_done(&d);
        return 1;
}
