/* actuator — the only module that changes the system.
 *
 * Carries out a plan: cgroup files through cgfs (memory.max, memory.swap.max,
 * memory.high, memory.reclaim, cgroup.kill), containers through the Docker
 * client (update, stop, kill; asynchronous). Dry-run lives here and nowhere
 * else: every action is logged and recorded as it would have been, and
 * nothing is changed.
 *
 * Before a destructive action (stop, kill) it re-samples the host and the
 * target and asks policy_confirm(); an action no longer justified is
 * dropped and logged. It also logs the candidates the policy considered.
 * Each action is one journal entry (MSGID_ACTION, GOVERNOR_* fields), one
 * history entry and one counter. */
#pragma once

#include "policy.h"

struct daemon;

void actuator_run(struct daemon *d, const struct plan *plan);
