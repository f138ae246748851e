/* test-safety — permission checks on real temp files of various modes,
 * owners and symlinks. Owners: as root the test chowns files to an
 * unprivileged uid; as another user it checks with root alone trusted, so
 * its own files are the "other user's" — either way the refusal is real. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safety.h"
#include "test.h"
#include "util.h"

#define NOBODY_UID 65534 /* owns the "other user's" files when the test runs as root */

static char base[PATH_MAX / 2];
static uid_t trusted; /* trusted besides root in every check */

static const char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *at(const char *fmt, ...)
{
        static char bufs[4][PATH_MAX];
        static unsigned next;
        char rel[PATH_MAX / 2];
        char *buf = bufs[next++ % 4];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(rel, sizeof rel, fmt, ap);
        va_end(ap);
        snprintf(buf, PATH_MAX, "%s/%s", base, rel);
        return buf;
}

static void write_file(const char *path, mode_t mode)
{
        FILE *f = fopen(path, "w");

        if (!f) {
                perror(path);
                exit(1);
        }
        fputs("[governor]\n", f);
        fclose(f);
        if (chmod(path, mode) < 0) {
                perror(path);
                exit(1);
        }
}

static void make_dir(const char *path, mode_t mode)
{
        if (mkdir(path, 0700) < 0 || chmod(path, mode) < 0) {
                perror(path);
                exit(1);
        }
}

/* Make path belong to someone the check does not trust. */
static void give_away(const char *path)
{
        if (geteuid() == 0) {
                if (lchown(path, NOBODY_UID, (gid_t)-1) < 0) {
                        perror(path);
                        exit(1);
                }
        }
        /* not root: files are already ours, and the checks trust root alone */
}

static int check(const char *path, char *err, size_t size)
{
        return safety_check_config_file_trusting(path, trusted, err, size);
}

static void test_plain_files(void)
{
        char err[1024];

        make_dir(at("plain"), 0755);
        write_file(at("plain/gov.conf"), 0644);
        CHECK_EQ_INT(check(at("plain/gov.conf"), err, sizeof err), 0);
        CHECK_STREQ(err, "");
        write_file(at("plain/ro.conf"), 0400);
        CHECK_EQ_INT(check(at("plain/ro.conf"), err, sizeof err), 0);

        /* group- or other-writable: refused, with the fix named */
        write_file(at("plain/g.conf"), 0664);
        CHECK_EQ_INT(check(at("plain/g.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "writable by group or others (mode 0664)") != NULL);
        CHECK(strstr(err, "fix: chmod go-w") != NULL);
        CHECK(strstr(err, at("plain/g.conf")) == err); /* message starts with the path */

        write_file(at("plain/o.conf"), 0602);
        CHECK_EQ_INT(check(at("plain/o.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "mode 0602") != NULL);

        /* missing: accepted here, config_load() says "No such file" */
        CHECK_EQ_INT(check(at("plain/missing.conf"), err, sizeof err), 0);
        CHECK_STREQ(err, "");

        /* not a regular file: a FIFO would block the reader */
        CHECK_EQ_INT(mkfifo(at("plain/fifo.conf"), 0600), 0);
        CHECK_EQ_INT(check(at("plain/fifo.conf"), err, sizeof err), -EINVAL);
        CHECK(strstr(err, "not a regular file") != NULL);
}

static void test_owner(void)
{
        char err[1024];
        uid_t saved = trusted;

        make_dir(at("owner"), 0755);
        write_file(at("owner/gov.conf"), 0644);
        if (geteuid() != 0)
                trusted = 0; /* our own files now count as another user's */
        give_away(at("owner/gov.conf"));
        CHECK_EQ_INT(check(at("owner/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "owned by uid") != NULL);
        CHECK(strstr(err, "fix: chown root") != NULL);

        /* trusting that uid (a daemon running as it) accepts the same file */
        {
                struct stat st;

                CHECK_EQ_INT(stat(at("owner/gov.conf"), &st), 0);
                CHECK_EQ_INT(safety_check_config_file_trusting(at("owner/gov.conf"), st.st_uid, err,
                                                               sizeof err),
                             0);
        }

        /* a directory on the way owned by someone else */
        make_dir(at("owner/sub"), 0755);
        write_file(at("owner/sub/gov.conf"), 0644);
        if (geteuid() == 0) {
                CHECK_EQ_INT(lchown(at("owner/sub/gov.conf"), 0, 0), 0);
        }
        give_away(at("owner/sub"));
        CHECK_EQ_INT(check(at("owner/sub/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "directory") != NULL);
        CHECK(strstr(err, at("owner/sub")) != NULL);
        trusted = saved;
}

static void test_directories(void)
{
        char err[1024];

        /* a directory others can write (no sticky bit): they could swap the file */
        make_dir(at("open"), 0777);
        write_file(at("open/gov.conf"), 0644);
        CHECK_EQ_INT(check(at("open/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "directory") != NULL);
        CHECK(strstr(err, "mode 0777") != NULL);
        CHECK(strstr(err, "fix: chmod go-w") != NULL);

        make_dir(at("group"), 0775);
        write_file(at("group/gov.conf"), 0644);
        CHECK_EQ_INT(check(at("group/gov.conf"), err, sizeof err), -EPERM);

        /* sticky, as /tmp: others cannot replace our entries */
        make_dir(at("sticky"), 01777);
        write_file(at("sticky/gov.conf"), 0644);
        CHECK_EQ_INT(check(at("sticky/gov.conf"), err, sizeof err), 0);

        /* an open directory higher up counts too */
        make_dir(at("open/deep"), 0755);
        write_file(at("open/deep/gov.conf"), 0644);
        CHECK_EQ_INT(check(at("open/deep/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, at("open")) != NULL);
}

static void test_dropins(void)
{
        char err[1024];

        make_dir(at("d"), 0755);
        write_file(at("d/gov.conf"), 0644);
        make_dir(at("d/gov.conf.d"), 0755);
        write_file(at("d/gov.conf.d/10-a.conf"), 0644);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), 0);

        /* names config_load() ignores are ignored here too */
        write_file(at("d/gov.conf.d/20-b.conf.disabled"), 0666);
        write_file(at("d/gov.conf.d/.30-c.conf"), 0666);
        make_dir(at("d/gov.conf.d/40-dir.conf"), 0777);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), 0);

        /* a writable drop-in */
        write_file(at("d/gov.conf.d/50-w.conf"), 0646);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "drop-in") != NULL);
        CHECK(strstr(err, "50-w.conf") != NULL);
        CHECK_EQ_INT(chmod(at("d/gov.conf.d/50-w.conf"), 0644), 0);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), 0);

        /* a drop-in of another user */
        {
                uid_t saved = trusted;

                if (geteuid() != 0)
                        trusted = 0;
                write_file(at("d/gov.conf.d/60-o.conf"), 0644);
                give_away(at("d/gov.conf.d/60-o.conf"));
                CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), -EPERM);
                /* not root, the directories above are "another user's" too */
                if (geteuid() == 0)
                        CHECK(strstr(err, "60-o.conf") != NULL);
                trusted = saved;
                CHECK_EQ_INT(unlink(at("d/gov.conf.d/60-o.conf")), 0);
        }

        /* the drop-in directory itself: strict, the sticky bit does not help */
        CHECK_EQ_INT(chmod(at("d/gov.conf.d"), 01777), 0);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "drop-in directory") != NULL);
        CHECK_EQ_INT(chmod(at("d/gov.conf.d"), 0770), 0);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), -EPERM);
        CHECK_EQ_INT(chmod(at("d/gov.conf.d"), 0755), 0);

        /* a dangling drop-in link is config_load()'s to report */
        CHECK_EQ_INT(symlink("nowhere", at("d/gov.conf.d/70-dangling.conf")), 0);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), 0);
        CHECK_EQ_INT(unlink(at("d/gov.conf.d/70-dangling.conf")), 0);

        /* a drop-in link to a writable file */
        write_file(at("d/writable-target"), 0666);
        CHECK_EQ_INT(symlink("../writable-target", at("d/gov.conf.d/80-l.conf")), 0);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "writable-target") != NULL);
        CHECK_EQ_INT(unlink(at("d/gov.conf.d/80-l.conf")), 0);
        CHECK_EQ_INT(check(at("d/gov.conf"), err, sizeof err), 0);
}

static void test_symlinks(void)
{
        char err[1024];

        make_dir(at("real"), 0755);
        write_file(at("real/gov.conf"), 0644);
        make_dir(at("etc"), 0755);
        CHECK_EQ_INT(symlink(at("real/gov.conf"), at("etc/gov.conf")), 0);
        CHECK_EQ_INT(check(at("etc/gov.conf"), err, sizeof err), 0);

        /* the target's mode counts, and is named */
        CHECK_EQ_INT(chmod(at("real/gov.conf"), 0666), 0);
        CHECK_EQ_INT(check(at("etc/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, "symlink target") != NULL);
        CHECK(strstr(err, at("real/gov.conf")) != NULL);
        CHECK_EQ_INT(chmod(at("real/gov.conf"), 0644), 0);

        /* the target's directory counts */
        CHECK_EQ_INT(chmod(at("real"), 0777), 0);
        CHECK_EQ_INT(check(at("etc/gov.conf"), err, sizeof err), -EPERM);
        CHECK(strstr(err, at("real")) != NULL);
        CHECK_EQ_INT(chmod(at("real"), 0755), 0);

        /* the link's own directory counts */
        CHECK_EQ_INT(chmod(at("etc"), 0777), 0);
        CHECK_EQ_INT(check(at("etc/gov.conf"), err, sizeof err), -EPERM);
        CHECK_EQ_INT(chmod(at("etc"), 0755), 0);

        /* relative links and a linked directory on the way */
        CHECK_EQ_INT(symlink("../real", at("etc/linkdir")), 0);
        CHECK_EQ_INT(check(at("etc/linkdir/gov.conf"), err, sizeof err), 0);
        CHECK_EQ_INT(check(at("etc/linkdir/../real/./gov.conf"), err, sizeof err), 0);

        /* a link another user planted, in a sticky directory where they may */
        {
                uid_t saved = trusted;

                make_dir(at("tmp"), 01777);
                CHECK_EQ_INT(symlink(at("real/gov.conf"), at("tmp/gov.conf")), 0);
                if (geteuid() != 0)
                        trusted = 0;
                give_away(at("tmp/gov.conf"));
                CHECK_EQ_INT(check(at("tmp/gov.conf"), err, sizeof err), -EPERM);
                if (geteuid() == 0)
                        CHECK(strstr(err, "symlink") != NULL);
                trusted = saved;
        }

        /* a loop */
        CHECK_EQ_INT(symlink("loop-b", at("etc/loop-a")), 0);
        CHECK_EQ_INT(symlink("loop-a", at("etc/loop-b")), 0);
        CHECK_EQ_INT(check(at("etc/loop-a"), err, sizeof err), -ELOOP);
        CHECK(strstr(err, "many levels") != NULL);

        /* a file in the way of a directory */
        CHECK_EQ_INT(check(at("real/gov.conf/x"), err, sizeof err), -ENOTDIR);
}

static void test_relative(void)
{
        char err[1024], cwd[PATH_MAX];

        CHECK(getcwd(cwd, sizeof cwd) != NULL);
        make_dir(at("rel"), 0755);
        write_file(at("rel/gov.conf"), 0644);
        CHECK_EQ_INT(chdir(at("rel")), 0);
        CHECK_EQ_INT(check("gov.conf", err, sizeof err), 0);
        CHECK_EQ_INT(chmod("gov.conf", 0664), 0);
        CHECK_EQ_INT(check("gov.conf", err, sizeof err), -EPERM);
        CHECK(strncmp(err, "gov.conf: ", 10) == 0);
        CHECK_EQ_INT(chmod("gov.conf", 0644), 0);
        /* the working directory's chain is part of a relative path */
        CHECK_EQ_INT(chmod(at("rel"), 0777), 0);
        CHECK_EQ_INT(check("gov.conf", err, sizeof err), -EPERM);
        CHECK_EQ_INT(chmod(at("rel"), 0755), 0);
        CHECK_EQ_INT(chdir(cwd), 0);
}

static void test_state_dir(void)
{
        char err[1024];
        uid_t me = geteuid();
        mode_t old_umask;
        struct stat st;

        make_dir(at("state"), 0755);

        /* missing: created 0750 whatever the umask */
        old_umask = umask(077);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/new"), me, err, sizeof err), 0);
        umask(old_umask);
        CHECK_EQ_INT(lstat(at("state/new"), &st), 0);
        CHECK(S_ISDIR(st.st_mode));
        CHECK_EQ_INT(st.st_mode & 07777, 0750);
        /* again: exists, fine; trailing slashes are fine */
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/new/"), me, err, sizeof err), 0);
        CHECK_EQ_INT(safety_check_state_dir(at("state/new"), err, sizeof err), 0);

        /* writable by others or group */
        make_dir(at("state/open"), 0757);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/open"), me, err, sizeof err), -EPERM);
        CHECK(strstr(err, "fix: chmod go-w") != NULL);
        make_dir(at("state/grp"), 0770);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/grp"), me, err, sizeof err), -EPERM);
        make_dir(at("state/tmp"), 01777);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/tmp"), me, err, sizeof err), -EPERM);

        /* a symlink, even to a good directory */
        CHECK_EQ_INT(symlink("new", at("state/link")), 0);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/link"), me, err, sizeof err), -EPERM);
        CHECK(strstr(err, "symlink") != NULL);

        /* not a directory */
        write_file(at("state/file"), 0600);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/file"), me, err, sizeof err), -ENOTDIR);

        /* owned by another uid */
        make_dir(at("state/theirs"), 0700);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("state/theirs"), me + 1, err, sizeof err),
                     -EPERM);
        CHECK(strstr(err, "owned by uid") != NULL);

        /* a parent others may write (not sticky) could have it swapped */
        make_dir(at("openparent"), 0777);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("openparent/state"), me, err, sizeof err),
                     -EPERM);
        CHECK(strstr(err, at("openparent")) != NULL);
        CHECK_EQ_INT(access(at("openparent/state"), F_OK), -1); /* refused before creating */
        /* a sticky parent is fine (as /tmp) */
        make_dir(at("stickyparent"), 01777);
        CHECK_EQ_INT(safety_check_state_dir_owner(at("stickyparent/state"), me, err, sizeof err),
                     0);

        /* missing parent: no mkdir -p */
        CHECK_EQ_INT(safety_check_state_dir_owner(at("nope/state"), me, err, sizeof err), -ENOENT);
        CHECK(err[0] != '\0');
        CHECK_EQ_INT(safety_check_state_dir_owner("..", me, err, sizeof err), -EINVAL);
}

/* Every path the test made, deepest first: a tiny rm -r (no shell). */
static void remove_tree(const char *path)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return;
        if (S_ISDIR(st.st_mode)) {
                char child[PATH_MAX];
                DIR *d;

                (void)chmod(path, 0700);
                d = opendir(path);
                if (d) {
                        struct dirent *de;

                        while ((de = readdir(d))) {
                                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                        continue;
                                snprintf(child, sizeof child, "%s/%s", path, de->d_name);
                                remove_tree(child);
                        }
                        closedir(d);
                }
                (void)rmdir(path);
        } else {
                (void)unlink(path);
        }
}

int main(void)
{
        char tmpl[] = "/tmp/test-safety.XXXXXX";

        if (!mkdtemp(tmpl)) {
                perror("mkdtemp");
                return 1;
        }
        util_strlcpy(base, tmpl, sizeof base);
        trusted = geteuid();

        test_plain_files();
        test_owner();
        test_directories();
        test_dropins();
        test_symlinks();
        test_relative();
        test_state_dir();

        remove_tree(base);
        return TEST_RESULT();
}
