/* oomguard — defense in depth: tell the kernel what the governor protects,
 * so that when the kernel OOM killer acts first (a burst faster than a tick,
 * marks set high, the governor paused or restarting, dockerd stalled) it
 * still spares protected groups and takes the sacrificial ones.
 *
 * For every managed group (rule >= 0, a cgroup path known, running):
 *   - oom_score_adj of each of its processes (cgroup.procs → /proc/PID/
 *     oom_score_adj), from the rule (oomguard_score_adj):
 *       protect = yes        → -998 (never below the governor's -1000 and
 *                              Docker's -999; kubelet gives guaranteed and
 *                              critical pods -997);
 *       sacrificial = yes    → +1000 (the kernel's first choice);
 *       otherwise            → 999 - priority * 997 / 1000, i.e. priority
 *                              0 → 999, 100 (default) → 900, 1000 → 2:
 *                              like kubelet's burstable class, a managed
 *                              unprotected group is always preferred over
 *                              the host's own processes (0) and never over
 *                              sacrificial ones;
 *   - memory.oom.group = 1 where the rule says oom_group (default yes for
 *     containers): the kernel then kills a whole container, never half;
 *   - memory.low / memory.min from the rule's memory_low / memory_min
 *     (resolved against MemTotal), through systemd (sdunit.h) where a unit
 *     owns the cgroup, else the cgroup file.
 *
 * New processes: children inherit oom_score_adj at fork; processes that
 * enter from outside (`docker exec`) are caught on the next pass that
 * re-reads cgroup.procs: when pids.current changed, or every
 * OOMGUARD_RESCAN_USEC (pids.current is missing on hybrid hosts: then every
 * pass). A pass runs at most every OOMGUARD_PASS_USEC. A pass first reads
 * pids.current of each directory holding managed groups (the gate, up to
 * OOMGUARD_PARENTS_MAX of them): where that count stands still since the
 * last pass, no process came or went below it and its groups' own counts
 * are not read — an idle host's hundred containers cost one read a second,
 * not a hundred. A process that enters while another below the same
 * directory exits between two passes leaves the count still, and waits
 * for the rescan, as one replacing another within a group always did.
 *
 * Restoring: when a rule stops applying to a group that still exists (seen
 * so on OOMGUARD_RESTORE_PASSES passes in a row), each
 * process the guard changed gets back the value it had before, processes
 * that arrived later (and inherited the guard's value) get 0,
 * memory.oom.group gets 0 if the guard set it, memory.low/min 0 if it set
 * them. A group that is gone needs nothing.
 *
 * Pause keeps these settings applied: they take nothing from anyone and are
 * exactly what protects a group while the governor does not act. Dry-run
 * writes nothing and logs once per group and value what it would set.
 * Lowering oom_score_adj needs CAP_SYS_RESOURCE: without it the refusal is
 * logged once and the rest goes on.
 *
 * oomguard_plan() and oomguard_score_adj() are pure (tested with tables);
 * oomguard_run() is the writer, called by the actuator only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "snapshot.h"
#include "util.h"

#define OOMGUARD_ADJ_PROTECTED   (-998)
#define OOMGUARD_ADJ_SACRIFICIAL 1000
#define OOMGUARD_ADJ_DEFAULT     0 /* what a process gets back when nothing is known */
/* usec: at most one pass (reads of pids.current, cgroup.procs) this often */
#define OOMGUARD_PASS_USEC (1 * USEC_PER_SEC)
/* usec: cgroup.procs, memory.oom.group, memory.low/min re-read at least this
 * often even when pids.current did not change (one process replaced by
 * another, systemd's daemon-reload rewriting attributes) */
#define OOMGUARD_RESCAN_USEC (10 * USEC_PER_SEC)
/* passes (OOMGUARD_PASS_USEC apart at least) a group must be seen unmanaged
 * in a row before what the guard set is given back */
#define OOMGUARD_RESTORE_PASSES 2
/* directories holding managed groups whose pids.current gates a pass;
 * beyond that many the groups' own counts are read every pass */
#define OOMGUARD_PARENTS_MAX 32
/* groups whose processes one pass reads at most (cgroup.procs and each
 * newcomer's oom_score_adj); the rest wait for the next pass, round robin,
 * so thousands of managed cgroups cost a bounded slice of each second */
#define OOMGUARD_SCANS_PER_PASS 256
/* usec: the same memory.low/min is not sent again within this */
#define OOMGUARD_RESEND_USEC (15 * USEC_PER_SEC)

/* Pure: the oom_score_adj of a rule's processes (see above). */
int oomguard_score_adj(const struct rule *r);

struct oomguard_target {
        size_t group; /* index into the snapshot's groups */
        int oom_score_adj;
        bool oom_group;
        bool has_memory_low, has_memory_min;
        uint64_t memory_low, memory_min; /* bytes */
};

struct oomguard_plan {
        struct oomguard_target *targets;
        size_t n_targets;
        size_t allocated;
};

void oomguard_plan_init(struct oomguard_plan *p);
void oomguard_plan_done(struct oomguard_plan *p);
/* Pure: what the kernel should be told for every managed, running group of
 * the snapshot with a cgroup path, in snapshot order, one per cgroup path
 * (a container also matched by a [cgroup:] rule over its cgroup: the lower
 * oom_score_adj wins, so a broad rule never exposes a protected group; its
 * memory.oom.group and memory_low/min come with it). memory_low/min that
 * are percentages need MemTotal (left out while unknown). Replaces p's
 * content. 0 or -ENOMEM. */
int oomguard_plan(const struct config *c, const struct snapshot *s, struct oomguard_plan *p);

struct oomguard;
struct cgfs;
struct sdunit;

struct oomguard_context {
        struct cgfs *fs;
        struct sdunit *sdunit; /* NULL: no systemd; cgroup files only */
        bool v2_memory;        /* memory.oom.group/low/min exist (pure cgroup v2) */
        bool dry_run;
};

int oomguard_new(struct oomguard **ret);
struct oomguard *oomguard_free(struct oomguard *g);

/* One pass (at most every OOMGUARD_PASS_USEC; between passes it only fills
 * the status fields): plan from config and snap, apply, restore what no
 * longer applies, and set each managed group's has_oom_score_adj /
 * oom_score_adj in snap to what its processes carry. The plan is made once
 * per sample: while snap->time, snap->n_groups and c stay the same it is
 * reused (a caller that changes a snapshot's groups gives it a new time),
 * and while the parents' counts stand still a pass reads them alone. 0 or
 * -ENOMEM. */
int oomguard_run(struct oomguard *g, const struct oomguard_context *ctx, const struct config *c,
                 struct snapshot *snap, usec_t now);
