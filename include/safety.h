/* safety — permission checks on the files the governor trusts as root.
 *
 * The governor runs as root and does what its configuration and its state
 * files say (limits, kills, deletions, a paused enforcement), so whoever can
 * change those files controls a root process. These checks refuse files that
 * anyone but root (or the daemon's own uid, when it does not run as root)
 * could change. They are separate from the config parser, which stays pure.
 *
 * What "could change" means, for a path:
 *  - the path is resolved here component by component (as the kernel does),
 *    following symlinks: every directory a name is looked up in must be owned
 *    by a trusted uid and not writable by group or others, unless it has the
 *    sticky bit (as /tmp: others may add names there but not rename or
 *    replace ours, and every entry we use is owner-checked); every symlink
 *    followed must be owned by a trusted uid (its directory was checked as a
 *    lookup directory, so a link in /etc/sutazai pointing to /opt/x/gov.conf
 *    has /etc/sutazai, /opt and /opt/x checked);
 *  - the file finally reached must be a regular file owned by a trusted uid
 *    and not writable by group or others;
 *  - the drop-in directory (FILE.d) must be owned by a trusted uid and not
 *    writable by group or others, sticky bit or not: a drop-in directory
 *    shared with other users is a mistake even where it is not yet an attack.
 *    Its entries are checked as files; the names config_load() ignores
 *    (".*", not "*.conf") and directories are ignored here too.
 *  Trusted uids: 0, and the daemon's effective uid.
 *
 * A check and the later open are two steps; that is sound because everything
 * the check passed can only be changed by a trusted uid.
 *
 * Errors: 0 = accepted; -EPERM = refused (insecure owner or mode; err names
 * the path and the fix, "chmod go-w PATH" / "chown root PATH"); -ELOOP,
 * -ENOTDIR, -ENAMETOOLONG, -EINVAL (not a regular file / not a directory) or
 * another -errno with err filled. err is always NUL-terminated when size > 0. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* The main file and its drop-ins, as config_load() will read them. A missing
 * main file is accepted (0): config_load() reports it in its own words. */
int safety_check_config_file(const char *path, char *err, size_t size);
/* Same, with trusted_uid trusted besides root instead of geteuid() (tests). */
int safety_check_config_file_trusting(const char *path, uid_t trusted_uid, char *err, size_t size);

/* The state directory (overrides.json, history.json: files that can pause
 * enforcement). Created mode 0750 if missing (its parent must exist); then it
 * must be a real directory (not a symlink), owned by the daemon's effective
 * uid, not writable by group or others; its parents are checked as lookup
 * directories (above). 0 = usable, -EPERM = refused, or -errno. */
int safety_check_state_dir(const char *dir, char *err, size_t size);
/* Same with the expected owner given (tests). */
int safety_check_state_dir_owner(const char *dir, uid_t owner_uid, char *err, size_t size);
