/* test-actuator — the one gate every action passes, memory and disk alike,
 * table-driven, with a
 * cgroup2 tree in a temporary directory standing in for cgroupfs and
 * fake-docker for the Docker client: pause, dry-run, structural protection,
 * the re-check against a fresh sample, failures, and the outcome each one
 * records (history result and detail, files written, Docker requests). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actuator.h"
#include "config-ini.h"
#include "config-match.h"
#include "disks.h"
#include "fake-docker.h"
#include "history.h"
#include "logprune.h"
#include "overrides.h"
#include "test.h"

#define ID_VICTIM "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_DB     "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define MEMINFO_FULL                                                                               \
        "MemTotal: 1000000 kB\nMemFree: 50000 kB\nMemAvailable: 50000 kB\n"                       \
        "SwapTotal: 0 kB\nSwapFree: 0 kB\n"
#define MEMINFO_CALM                                                                               \
        "MemTotal: 1000000 kB\nMemFree: 950000 kB\nMemAvailable: 950000 kB\n"                     \
        "SwapTotal: 0 kB\nSwapFree: 0 kB\n"

static const char config_text[] = "[memory]\n"
                                   "warning = 50%\ncritical = 60%\nemergency = 70%\n"
                                   "hysteresis = 1%\nhold = 0s\nemergency_hold = 0s\n"
                                   "stop_timeout = 0s\n"
                                   "[container:victim]\nmatch = name:victim\npriority = 50\n"
                                   "sacrificial = yes\n"
                                   "[container:db]\nmatch = name:db\nprotect = yes\n"
                                   "[cgroup:batch]\nmatch = path:batch\npriority = 10\n"
                                   "[cgroup:parent]\nmatch = path:docker\npriority = 5\n";

static char root[256], cg[300], proc[300];

static void write_file(const char *dir, const char *rel, const char *name, const char *text)
{
        char path[1024];
        FILE *f;

        snprintf(path, sizeof path, "%s/%s%s%s", dir, rel, rel[0] ? "/" : "", name);
        f = fopen(path, "w");
        CHECK(f != NULL);
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

static const char *read_file(const char *rel, const char *name)
{
        static char buf[256];
        char path[1024];
        ssize_t n;
        int fd;

        snprintf(path, sizeof path, "%s/%s/%s", cg, rel, name);
        fd = open(path, O_RDONLY);
        if (fd < 0)
                return "(none)";
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        buf[n > 0 ? n : 0] = '\0';
        return buf;
}

/* A fresh cgroup2 tree: every file the actuator writes starts empty. */
static void make_group_dir(const char *rel)
{
        char path[1024];

        snprintf(path, sizeof path, "%s/%s", cg, rel);
        CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
        write_file(cg, rel, "cgroup.kill", "");
        write_file(cg, rel, "memory.high", "");
        write_file(cg, rel, "memory.max", "");
        write_file(cg, rel, "memory.reclaim", "");
        write_file(cg, rel, "memory.swap.max", "");
        write_file(cg, rel, "memory.current", "104857600\n");
        write_file(cg, rel, "cgroup.events", "populated 1\nfrozen 0\n");
        write_file(cg, rel, "cgroup.procs", "1\n");
}

static void make_tree(const char *meminfo)
{
        char cmd[700];

        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", cg, proc);
        CHECK(system(cmd) == 0);
        CHECK(mkdir(cg, 0755) == 0);
        CHECK(mkdir(proc, 0755) == 0);
        write_file(proc, "", "meminfo", meminfo);
        write_file(cg, "", "cgroup.controllers", "memory\n");
        make_group_dir("docker");
        make_group_dir("docker/" ID_VICTIM);
        make_group_dir("docker/" ID_DB);
        make_group_dir("batch");
}

static struct docker_container containers[] = {
    {.id = ID_VICTIM, .name = "victim", .running = true, .cgroup = "docker/" ID_VICTIM},
    {.id = ID_DB, .name = "db", .running = true, .cgroup = "docker/" ID_DB},
};

enum group_index { G_VICTIM, G_DB, G_BATCH, G_PARENT };

static void fill_snapshot(const struct config *c, struct snapshot *s)
{
        static const struct {
                enum group_kind kind;
                const char *name, *id, *cgroup;
        } groups[] = {
            [G_VICTIM] = {GROUP_CONTAINER, "victim", ID_VICTIM, "docker/" ID_VICTIM},
            [G_DB] = {GROUP_CONTAINER, "db", ID_DB, "docker/" ID_DB},
            [G_BATCH] = {GROUP_CGROUP, "batch", "", "batch"},
            [G_PARENT] = {GROUP_CGROUP, "docker", "", "docker"},
        };

        snapshot_init(s);
        s->host.mem.mem_total_bytes = 1000000ULL * 1024;
        s->host.mem.mem_available_bytes = 50000ULL * 1024;
        for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
                struct group_sample *g = snapshot_add_group(s);

                CHECK(g != NULL);
                g->kind = groups[i].kind;
                util_strlcpy(g->name, groups[i].name, sizeof g->name);
                util_strlcpy(g->id, groups[i].id, sizeof g->id);
                util_strlcpy(g->cgroup, groups[i].cgroup, sizeof g->cgroup);
                g->rule = config_rule_find(c, g->kind == GROUP_CONTAINER ? RULE_CONTAINER
                                                                         : RULE_CGROUP,
                                           g->kind == GROUP_CONTAINER ? g->name : NULL, NULL,
                                           NULL, g->kind == GROUP_CGROUP ? g->cgroup : NULL);
                g->has_memory = g->has_memory_high = true;
                g->memory_current = 100ULL << 20;
                g->running = true;
        }
}

struct tcase {
        const char *name;
        enum action_kind kind;
        enum group_index group;
        uint64_t bytes;
        bool paused, dry_run, docker_down, calm_on_recheck, kill_file_broken;
        int docker_result;      /* how Docker completes its requests */
        bool run_loop_usec;     /* let the stop escalation timer fire */
        /* expected */
        const char *request;    /* the Docker request sent, NULL = none */
        const char *result;     /* the history result, NULL = no entry */
        const char *detail;     /* a substring of error/why */
        const char *file;       /* a file of the target written ... */
        const char *content;    /* ... with this content ("" = untouched) */
};

static const struct tcase cases[] = {
    /* memory actions */
    {"kill a container: cgroup.kill, then Docker is told", ACTION_KILL, G_VICTIM, 0,
     .request = "kill", .result = "done", .file = "cgroup.kill", .content = "1"},
    {"Docker's answer to the kill changes nothing", ACTION_KILL, G_VICTIM, 0,
     .docker_result = -EIO, .request = "kill", .result = "done", .file = "cgroup.kill",
     .content = "1"},
    {"kill without Docker: the kernel alone", ACTION_KILL, G_VICTIM, 0, .docker_down = true,
     .result = "done", .file = "cgroup.kill", .content = "1"},
    {"dry-run changes nothing", ACTION_KILL, G_VICTIM, 0, .dry_run = true, .result = "dry-run",
     .file = "cgroup.kill", .content = ""},
    {"pause cancels a planned kill", ACTION_KILL, G_VICTIM, 0, .paused = true,
     .result = "skipped", .detail = "paused", .file = "cgroup.kill", .content = ""},
    {"a cgroup holding a protected container is never killed", ACTION_KILL, G_PARENT, 0,
     .result = "skipped", .detail = "protected db", .file = "cgroup.kill", .content = ""},
    {"nor throttled", ACTION_THROTTLE, G_PARENT, 64 << 20, .result = "skipped",
     .detail = "protected db", .file = "memory.high", .content = ""},
    {"nor reclaimed from, even in dry-run", ACTION_RECLAIM, G_PARENT, 4096, .dry_run = true,
     .result = "skipped", .detail = "protected db", .file = "memory.reclaim", .content = ""},
    {"a protected container itself is refused by the re-check", ACTION_KILL, G_DB, 0,
     .result = "skipped", .detail = "fresh sample", .file = "cgroup.kill", .content = ""},
    {"the re-check drops a kill memory no longer justifies", ACTION_KILL, G_BATCH, 0,
     .calm_on_recheck = true, .result = "skipped", .detail = "fresh sample",
     .file = "cgroup.kill", .content = ""},
    {"a failed cgroup.kill is recorded failed with its error", ACTION_KILL, G_BATCH, 0,
     .kill_file_broken = true, .result = "failed", .detail = "directory"},
    {"throttle writes memory.high", ACTION_THROTTLE, G_BATCH, 64 << 20, .result = "done",
     .file = "memory.high", .content = "67108864\n"},
    {"reclaim writes memory.reclaim", ACTION_RECLAIM, G_BATCH, 1 << 20, .result = "done",
     .file = "memory.reclaim", .content = "1048576"},
    {"a plain cgroup's limit is memory.max", ACTION_LIMIT, G_BATCH, 256 << 20, .result = "done",
     .file = "memory.max", .content = "268435456\n"},
    {"a container's limit goes through Docker: done when it answers", ACTION_LIMIT, G_VICTIM,
     256 << 20, .request = "update", .result = "done", .file = "memory.max", .content = ""},
    {"a limit Docker refuses is failed", ACTION_LIMIT, G_VICTIM, 256 << 20,
     .docker_result = -EIO, .request = "update", .result = "failed",
     .detail = "Input/output error"},
    {"a limit while Docker is away is failed", ACTION_LIMIT, G_VICTIM, 256 << 20,
     .docker_down = true, .result = "failed", .detail = "not connected"},
    {"a stop Docker confirms", ACTION_STOP, G_VICTIM, 0, .request = "stop", .result = "done",
     .file = "cgroup.kill", .content = ""},
    {"a stop Docker never confirms escalates to cgroup.kill", ACTION_STOP, G_VICTIM, 0,
     .docker_result = 1, .run_loop_usec = true, .request = "stop", .result = "done",
     .file = "cgroup.kill", .content = "1"},
};

static const char *group_cgroup(enum group_index g)
{
        return g == G_VICTIM ? "docker/" ID_VICTIM
               : g == G_DB   ? "docker/" ID_DB
               : g == G_BATCH ? "batch"
                             : "docker";
}

/* The actuator over the temporary tree with an empty history and overrides:
 * what every case starts from (make_tree first). with_event: an sd-event for
 * the escalation timers; without, the actuator arms none. */
struct rig {
        struct cgfs_layout_info layout;
        struct cgfs *fs;
        struct history *h;
        struct overrides *o;
        sd_event *event;
        struct actuator *act;
};

static void rig_open(struct rig *r, bool paused, bool with_event)
{
        *r = (struct rig){.layout = {.layout = CGFS_LAYOUT_V2, .v2_memory = true}};
        util_strlcpy(r->layout.v2_root, cg, sizeof r->layout.v2_root);
        CHECK_EQ_INT(cgfs_open(cg, NULL, proc, &r->fs), 0);
        CHECK_EQ_INT(history_new(16, &r->h), 0);
        CHECK_EQ_INT(overrides_new(&r->o), 0);
        if (paused)
                overrides_pause(r->o, 0);
        if (with_event)
                CHECK(sd_event_new(&r->event) >= 0);
        CHECK_EQ_INT(actuator_new(&(struct actuator_deps){.event = r->event, .fs = r->fs,
                                                          .layout = &r->layout, .history = r->h},
                                  &r->act),
                     0);
}

static void rig_close(struct rig *r)
{
        actuator_free(r->act);
        sd_event_unref(r->event);
        overrides_free(r->o);
        history_free(r->h);
        cgfs_free(r->fs);
}

static void run_case(const struct tcase *t, struct config *config)
{
        struct rig rig;
        struct snapshot snap;
        struct policy_state policy;
        struct plan plan;
        struct action *a;
        const struct history_entry *e;

        fprintf(stderr, "case: %s\n", t->name);
        make_tree(t->calm_on_recheck ? MEMINFO_CALM : MEMINFO_FULL);
        if (t->kill_file_broken) {
                char path[1024];
                snprintf(path, sizeof path, "%s/%s/cgroup.kill", cg, group_cgroup(t->group));
                CHECK(unlink(path) == 0 && mkdir(path, 0755) == 0);
        }
        rig_open(&rig, t->paused, true);
        fake_docker.connected = !t->docker_down;
        fake_docker.containers = containers;
        fake_docker.n_containers = 2;

        fill_snapshot(config, &snap);
        policy_state_init(&policy);
        plan_init(&plan);
        plan.actions = calloc(1, sizeof *plan.actions);
        CHECK(plan.actions != NULL);
        plan.n_actions = plan.allocated = 1;
        a = &plan.actions[0];
        a->kind = t->kind;
        a->tier = TIER_EMERGENCY;
        a->group = t->group;
        util_strlcpy(a->key, group_key(&snap.groups[t->group]), sizeof a->key);
        util_strlcpy(a->target, snap.groups[t->group].name, sizeof a->target);
        a->bytes = t->bytes;
        a->swap_bytes = 0;
        util_strlcpy(a->reason, "test", sizeof a->reason);

        actuator_run(rig.act,
                     &(struct actuator_env){.config = config,
                                            .docker = (struct docker *)&fake_docker,
                                            .overrides = rig.o,
                                            .dry_run = t->dry_run},
                     &snap, &plan, &policy);

        /* the request, and nothing recorded before Docker answers (a kill
         * is the kernel's: recorded already) */
        if (t->request) {
                CHECK_EQ_INT(fake_docker.n_requests, 1);
                if (fake_docker.n_requests == 1)
                        CHECK_STREQ(fake_docker.requests[0].what, t->request);
                if (t->kind != ACTION_KILL)
                        CHECK_EQ_INT(history_count(rig.h), 0);
        } else
                CHECK_EQ_INT(fake_docker.n_requests, 0);
        if (t->run_loop_usec)
                /* the escalation: stop_timeout 0 s + ACTUATOR_STOP_MARGIN_USEC */
                for (int i = 0; i < 50 && history_count(rig.h) == 0; i++)
                        (void)sd_event_run(rig.event, 100 * 1000);
        else if (t->request)
                fake_docker_complete_all(t->docker_result);

        CHECK_EQ_INT(history_count(rig.h), t->result ? 1 : 0);
        e = history_count(rig.h) ? history_get(rig.h, 0) : NULL;
        if (e && t->result) {
                CHECK_STREQ(history_result_name(e->result), t->result);
                CHECK_STREQ(e->kind, action_kind_name(t->kind));
                if (t->detail && !strstr(e->detail, t->detail)) {
                        fprintf(stderr, "  detail '%s' lacks '%s'\n", e->detail, t->detail);
                        CHECK(false);
                }
        }
        if (t->file)
                CHECK_STREQ(read_file(group_cgroup(t->group), t->file), t->content);
        /* a late answer to an escalated stop adds nothing */
        fake_docker_complete_all(0);
        CHECK_EQ_INT(history_count(rig.h), t->result ? 1 : 0);

        fake_docker_reset();
        plan_done(&plan);
        policy_state_done(&policy);
        snapshot_done(&snap);
        rig_close(&rig);
}

/* The disk gate: the same pause, dry-run and protection for every change
 * disk cleanup makes. */
struct dcase {
        const char *name;
        const char *what; /* "unlink", "remove", "image", "prune" */
        const char *container_id;
        bool paused, dry_run, manual;
        int expect;              /* the call's result */
        const char *request;     /* the Docker request sent, NULL = none */
        bool file_left;          /* unlink: the log is still there */
};

static const struct dcase disk_cases[] = {
    {"a log unlinked", "unlink", .expect = 0},
    {"dry-run unlinks nothing", "unlink", .dry_run = true, .expect = -EROFS, .file_left = true},
    {"pause holds back the governor's own unlink", "unlink", .paused = true,
     .expect = -ECANCELED, .file_left = true},
    {"an operator's cleanup is their request, paused or not", "unlink", .paused = true,
     .manual = true, .expect = 0},
    {"a stopped container removed by id", "remove", ID_VICTIM, .expect = 0,
     .request = "remove"},
    {"a protected container never", "remove", ID_DB, .expect = -EPERM},
    {"a container Docker does not know never", "remove",
     "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", .expect = -EPERM},
    {"pause holds back a removal", "remove", ID_VICTIM, .paused = true, .expect = -ECANCELED},
    {"dry-run removes no image", "image", .dry_run = true, .expect = -EROFS},
    {"an image removed", "image", .expect = 0, .request = "image-remove"},
    {"pause holds back a prune", "prune", .paused = true, .expect = -ECANCELED},
    {"a prune", "prune", .expect = 0, .request = "prune-images"},
};

static void run_disk_case(const struct dcase *t, struct config *config)
{
        struct overrides *o = NULL;
        struct actuator_disk_request rq = {
            .config = config,
            .docker = (struct docker *)&fake_docker,
            .dry_run = t->dry_run,
            .manual = t->manual,
        };
        char dir[400], path[500];
        int r = 0;

        fprintf(stderr, "disk case: %s\n", t->name);
        CHECK_EQ_INT(overrides_new(&o), 0);
        if (t->paused)
                overrides_pause(o, 0);
        rq.overrides = o;
        fake_docker.connected = true;
        fake_docker.containers = containers;
        fake_docker.n_containers = 2;
        snprintf(dir, sizeof dir, "%s/logs", root);
        snprintf(path, sizeof path, "%s/old.log", dir);
        if (strcmp(t->what, "unlink") == 0) {
                struct logprune_scan scan;

                CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST);
                write_file(dir, "", "old.log", "x\n");
                CHECK_EQ_INT(logprune_scan(dir, "*.log", false, &scan), 0);
                CHECK_EQ_INT(scan.n_files, 1);
                if (scan.n_files == 1) {
                        uint64_t freed = 0;
                        r = actuator_unlink_log(&rq, &scan, &scan.files[0], &freed);
                }
                logprune_scan_done(&scan);
                CHECK_EQ_INT(access(path, F_OK) == 0, t->file_left);
                (void)unlink(path);
        } else if (strcmp(t->what, "remove") == 0)
                r = actuator_remove_container(&rq, t->container_id, NULL, NULL);
        else if (strcmp(t->what, "image") == 0)
                r = actuator_remove_image(&rq, "bb:latest", NULL, NULL);
        else
                r = actuator_prune_dangling_images(&rq, NULL, NULL);
        CHECK_EQ_INT(r, t->expect);
        CHECK_EQ_INT(fake_docker.n_requests, t->request ? 1 : 0);
        if (t->request && fake_docker.n_requests == 1)
                CHECK_STREQ(fake_docker.requests[0].what, t->request);
        fake_docker.n_requests = 0; /* never completed: no callback to call */
        overrides_free(o);
}

/* One planned disk action through the actuator's one entry point
 * (actuator_run_disk): the pause before the action, then the action's work,
 * whose every change passes the gate (dry-run, protection), then the outcome
 * the work returns (or completes later), which the actuator alone records:
 * the history entry, and the counters. The work below does what the
 * cleanup's does for one log file or one stopped container. */
struct pcase {
        const char *name;
        enum disk_action_kind kind; /* PRUNE_LOGS or PRUNE_CONTAINERS */
        const char *container_id;
        bool paused, dry_run, manual;
        bool pause_midway;      /* a pause arrives while the action runs */
        int docker_result;      /* how Docker answers the removal */
        int runs;               /* the same plan run this often (0 = once) */
        enum tier second_tier;  /* a second run planned at this tier (0 = none) */
        /* expected */
        int expect;             /* actuator_run_disk's result (the last run) */
        bool worked;            /* the action's work ran */
        bool file_left;         /* prune-logs: the log is still there */
        const char *request;    /* prune-containers: the Docker request sent */
        int history;            /* the result recorded, -1 = nothing */
        size_t entries;         /* history entries (0 = 1 if history >= 0) */
        const char *target;
        const char *detail;
        uint64_t failed, skipped; /* the counters */
        bool freed;             /* bytes_freed counted */
};

#define LOG_TARGET "logs:app"
#define RM_TARGET  "stopped containers"

static const struct pcase plan_cases[] = {
    {"prune-logs done", DISK_ACTION_PRUNE_LOGS, .worked = true, .history = HISTORY_RESULT_DONE,
     .target = LOG_TARGET, .freed = true},
    {"prune-logs dry-run: listed, nothing unlinked", DISK_ACTION_PRUNE_LOGS, .dry_run = true,
     .worked = true, .file_left = true, .history = HISTORY_RESULT_DRY_RUN, .target = LOG_TARGET},
    {"prune-logs paused: skipped, the action never starts", DISK_ACTION_PRUNE_LOGS,
     .paused = true, .expect = -ECANCELED, .file_left = true, .history = HISTORY_RESULT_SKIPPED,
     .target = "/var", .detail = "enforcement is paused", .skipped = 1},
    {"paused, every tick: one entry per pause window", DISK_ACTION_PRUNE_LOGS, .paused = true,
     .runs = 5, .expect = -ECANCELED, .file_left = true, .history = HISTORY_RESULT_SKIPPED,
     .target = "/var", .detail = "enforcement is paused", .skipped = 1},
    {"paused, and the plan changes: one entry more", DISK_ACTION_PRUNE_LOGS, .paused = true,
     .second_tier = TIER_WARNING, .expect = -ECANCELED, .file_left = true,
     .history = HISTORY_RESULT_SKIPPED, .entries = 2, .target = "/var",
     .detail = "enforcement is paused", .skipped = 2},
    {"a pause during the action: the rest is skipped", DISK_ACTION_PRUNE_LOGS,
     .pause_midway = true, .worked = true, .file_left = true, .history = HISTORY_RESULT_SKIPPED,
     .target = "/var", .detail = "enforcement is paused", .skipped = 1},
    {"prune-logs paused but the operator's", DISK_ACTION_PRUNE_LOGS, .paused = true,
     .manual = true, .worked = true, .history = HISTORY_RESULT_DONE, .target = LOG_TARGET,
     .freed = true},
    {"an operator's dry-run answers them only: no history", DISK_ACTION_PRUNE_LOGS,
     .manual = true, .dry_run = true, .worked = true, .file_left = true, .history = -1},
    {"prune-containers done once Docker confirms", DISK_ACTION_PRUNE_CONTAINERS, ID_VICTIM,
     .worked = true, .expect = ACTUATOR_DISK_PENDING, .request = "remove",
     .history = HISTORY_RESULT_DONE, .target = RM_TARGET},
    {"prune-containers Docker refuses: failed with the error", DISK_ACTION_PRUNE_CONTAINERS,
     ID_VICTIM, .docker_result = -EIO, .worked = true, .expect = ACTUATOR_DISK_PENDING,
     .request = "remove", .history = HISTORY_RESULT_FAILED, .target = RM_TARGET,
     .detail = "Input/output error", .failed = 1},
    {"prune-containers protected: failed, never sent", DISK_ACTION_PRUNE_CONTAINERS, ID_DB,
     .expect = -EPERM, .worked = true, .history = HISTORY_RESULT_FAILED, .target = RM_TARGET,
     .detail = "Operation not permitted", .failed = 1},
    {"prune-containers paused: skipped", DISK_ACTION_PRUNE_CONTAINERS, ID_VICTIM,
     .paused = true, .expect = -ECANCELED, .history = HISTORY_RESULT_SKIPPED, .target = "/var",
     .detail = "enforcement is paused", .skipped = 1},
    {"prune-containers dry-run", DISK_ACTION_PRUNE_CONTAINERS, ID_VICTIM, .dry_run = true,
     .worked = true, .history = HISTORY_RESULT_DRY_RUN, .target = RM_TARGET},
};

struct plan_work {
        const struct pcase *t;
        struct actuator *act;
        struct overrides *o;
        struct actuator_disk_request rq;
        struct disk_action a;
        bool worked;
};

static void plan_removed(int result, const char *id, void *userdata)
{
        struct plan_work *w = userdata;
        struct actuator_disk_outcome o = {.result = result};

        (void)id;
        util_strlcpy(o.target, RM_TARGET, sizeof o.target);
        util_strlcpy(o.what, result < 0 ? "0 of 1 removed" : "1 of 1 removed", sizeof o.what);
        actuator_disk_complete(w->act, &w->rq, &w->a, &o);
}

static int plan_work(const struct actuator_disk_request *rq, const struct disk_action *a,
                     struct actuator_disk_outcome *ret, void *userdata)
{
        struct plan_work *w = userdata;
        char dir[400];
        int r = 0;

        w->worked = true;
        CHECK_EQ_INT(a->kind, w->t->kind);
        if (w->t->pause_midway)
                overrides_pause(w->o, 0);
        snprintf(dir, sizeof dir, "%s/logs", root);
        if (a->kind == DISK_ACTION_PRUNE_LOGS) {
                struct logprune_scan scan;
                uint64_t freed = 0;

                CHECK_EQ_INT(logprune_scan(dir, "*.log", false, &scan), 0);
                CHECK_EQ_INT(scan.n_files, 1);
                if (scan.n_files == 1) {
                        freed = scan.files[0].disk_bytes;
                        r = actuator_unlink_log(rq, &scan, &scan.files[0], &freed);
                }
                logprune_scan_done(&scan);
                /* dry-run: listed, as it would be removed */
                ret->result = r == -EROFS ? 0 : r;
                util_strlcpy(ret->target, LOG_TARGET, sizeof ret->target);
                util_strlcpy(ret->what, "1 file(s) removed", sizeof ret->what);
                ret->bytes = freed;
                ret->has_bytes = true;
                return 0;
        }
        w->rq = *rq;
        w->a = *a;
        r = actuator_remove_container(rq, w->t->container_id, plan_removed, w);
        if (r == -EROFS) {
                util_strlcpy(ret->target, RM_TARGET, sizeof ret->target);
                util_strlcpy(ret->what, "1 would be removed", sizeof ret->what);
                return 0;
        }
        return r < 0 ? r : ACTUATOR_DISK_PENDING;
}

static void run_plan_case(const struct pcase *t, struct config *config)
{
        struct rig rig;
        struct disk_usage high = {.used_percent = 97};
        struct disk_section cfg = {.low_percent = 70};
        struct actuator_stats st;
        struct disk_action a;
        struct plan_work w = {.t = t};
        char dir[400], path[500];
        size_t entries = t->history < 0 ? 0 : t->entries ? t->entries : 1;
        int r = 0;

        fprintf(stderr, "disk plan case: %s\n", t->name);
        make_tree(MEMINFO_CALM);
        rig_open(&rig, t->paused, true);
        w.act = rig.act;
        w.o = rig.o;
        fake_docker.connected = true;
        fake_docker.containers = containers;
        fake_docker.n_containers = 2;
        snprintf(dir, sizeof dir, "%s/logs", root);
        snprintf(path, sizeof path, "%s/old.log", dir);
        CHECK(mkdir(dir, 0755) == 0 || errno == EEXIST);
        write_file(dir, "", "old.log", "x\n");

        /* the plan entry, as the disk policy makes it */
        CHECK(disks_next_action(&cfg, "/var", TIER_EMERGENCY, t->kind - 1, &high, false, false,
                                &a));
        CHECK_EQ_INT(a.kind, t->kind);
        for (int run = 0; run < (t->runs ? t->runs : 1) + (t->second_tier ? 1 : 0); run++) {
                struct actuator_disk_request rq = {
                    .config = config,
                    .docker = (struct docker *)&fake_docker,
                    .overrides = rig.o,
                    .dry_run = t->dry_run,
                    .manual = t->manual,
                    .report_only = t->manual && t->dry_run,
                };

                if (t->second_tier && run == 1)
                        a.tier = t->second_tier;
                r = actuator_run_disk(rig.act, &rq, &a, plan_work, &w);
        }
        CHECK_EQ_INT(r, t->expect);
        CHECK_EQ_INT(w.worked, t->worked);
        if (t->kind == DISK_ACTION_PRUNE_LOGS)
                CHECK_EQ_INT(access(path, F_OK) == 0, t->file_left);
        CHECK_EQ_INT(fake_docker.n_requests, t->request ? 1 : 0);
        if (t->request && fake_docker.n_requests == 1) {
                CHECK_STREQ(fake_docker.requests[0].what, t->request);
                /* nothing recorded before Docker answers */
                CHECK_EQ_INT(history_count(rig.h), 0);
                fake_docker_complete_all(t->docker_result);
        }
        CHECK_EQ_INT(history_count(rig.h), entries);
        if (entries > 0 && history_count(rig.h) == entries) {
                const struct history_entry *e = history_get(rig.h, 0);
                CHECK_STREQ(e->kind, disk_action_kind_name(t->kind));
                CHECK_STREQ(history_result_name(e->result), history_result_name(t->history));
                CHECK_STREQ(e->target, t->target);
                CHECK_STREQ(e->detail, t->detail ? t->detail : "");
                if (t->history == HISTORY_RESULT_SKIPPED)
                        CHECK_STREQ(e->reason, "disk /var at emergency, 97.0% used");
                else if (!t->manual && !strstr(e->reason, "disk /var at emergency")) {
                        fprintf(stderr, "  reason '%s' lacks the disk\n", e->reason);
                        CHECK(false);
                }
        }
        actuator_get_stats(rig.act, &st);
        CHECK_EQ_U64(st.failed, t->failed);
        CHECK_EQ_U64(st.skipped, t->skipped);
        CHECK_EQ_INT(st.bytes_freed > 0, t->freed);

        (void)unlink(path);
        fake_docker_reset();
        rig_close(&rig);
}

/* A new pause window records the skipped action again: resumed in between
 * (every evaluation's actuator_run sees it), then paused anew. */
static void run_pause_windows(struct config *config)
{
        struct rig rig;
        struct disk_usage high = {.used_percent = 97};
        struct disk_section cfg = {.low_percent = 70};
        struct snapshot snap;
        struct policy_state policy;
        struct plan plan;
        struct disk_action a;
        struct actuator_disk_request rq = {.config = config, .docker = (struct docker *)&fake_docker};
        struct actuator_env env = {.config = config, .docker = (struct docker *)&fake_docker};

        fprintf(stderr, "disk pause windows\n");
        make_tree(MEMINFO_CALM);
        rig_open(&rig, false, false);
        rq.overrides = env.overrides = rig.o;
        fill_snapshot(config, &snap);
        policy_state_init(&policy);
        plan_init(&plan);
        CHECK(disks_next_action(&cfg, "/var", TIER_CRITICAL, DISK_ACTION_NONE, &high, false, false,
                                &a));
        overrides_pause(rig.o, 0);
        CHECK_EQ_INT(actuator_disk_admit(rig.act, &rq, &a), -ECANCELED);
        CHECK_EQ_INT(actuator_disk_admit(rig.act, &rq, &a), -ECANCELED);
        CHECK_EQ_INT(history_count(rig.h), 1);
        CHECK_EQ_INT(overrides_resume(rig.o), 1);
        actuator_run(rig.act, &env, &snap, &plan, &policy); /* an evaluation while not paused */
        overrides_pause(rig.o, 0);
        CHECK_EQ_INT(actuator_disk_admit(rig.act, &rq, &a), -ECANCELED);
        CHECK_EQ_INT(history_count(rig.h), 2);
        /* a pause --for another span is another window too */
        overrides_pause(rig.o, util_realtime_usec() + 3600 * USEC_PER_SEC);
        CHECK_EQ_INT(actuator_disk_admit(rig.act, &rq, &a), -ECANCELED);
        CHECK_EQ_INT(history_count(rig.h), 3);
        CHECK_EQ_INT(actuator_disk_admit(rig.act, &rq, &a), -ECANCELED);
        CHECK_EQ_INT(history_count(rig.h), 3);

        fake_docker_reset();
        plan_done(&plan);
        policy_state_done(&policy);
        snapshot_done(&snap);
        rig_close(&rig);
}

int main(void)
{
        struct config *config = config_new_default();
        char err[512], cmd[400];

        CHECK(config != NULL);
        CHECK_EQ_INT(config_parse_string(config, "test.conf", config_text, err, sizeof err), 0);
        snprintf(root, sizeof root, "/tmp/test-actuator.XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        snprintf(cg, sizeof cg, "%s/cg", root);
        snprintf(proc, sizeof proc, "%s/proc", root);
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
                run_case(&cases[i], config);
        for (size_t i = 0; i < sizeof disk_cases / sizeof *disk_cases; i++)
                run_disk_case(&disk_cases[i], config);
        for (size_t i = 0; i < sizeof plan_cases / sizeof *plan_cases; i++)
                run_plan_case(&plan_cases[i], config);
        run_pause_windows(config);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        (void)system(cmd);
        config_free(config);
        return TEST_RESULT();
}
