/* cgfs-kept — see cgfs-kept.h */
#include "cgfs-kept.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs-path.h"
#include "cgfs-private.h"

/* Kept files start in a table this size and double as they grow. */
#define CGFS_KEPT_SLOTS_MIN 64

/* A file kept open across reads (see cgfs.h). */
struct kept_file {
        char *key; /* root tag byte, then the path; NULL: free slot */
        int fd;
        uint64_t epoch; /* fs->kept_epoch at its last read */
};

static uint64_t kept_hash(const char *key)
{
        uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a, 64 bit */

        for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
                h ^= *p;
                h *= UINT64_C(1099511628211);
        }
        return h;
}

static struct kept_file *kept_find(struct cgfs *fs, const char *key)
{
        size_t mask = fs->kept_slots - 1;

        if (fs->kept_slots == 0)
                return NULL;
        for (size_t i = kept_hash(key) & mask;; i = (i + 1) & mask) {
                if (!fs->kept[i].key)
                        return NULL;
                if (strcmp(fs->kept[i].key, key) == 0)
                        return &fs->kept[i];
        }
}

/* Place an entry known to be absent into a table with a free slot. */
static void kept_place(struct kept_file *table, size_t slots, struct kept_file entry)
{
        size_t mask = slots - 1, i = kept_hash(entry.key) & mask;

        while (table[i].key)
                i = (i + 1) & mask;
        table[i] = entry;
}

static int kept_grow(struct cgfs *fs)
{
        size_t slots = fs->kept_slots ? fs->kept_slots * 2 : CGFS_KEPT_SLOTS_MIN;
        struct kept_file *table = calloc(slots, sizeof *table);

        if (!table)
                return -ENOMEM;
        for (size_t i = 0; i < fs->kept_slots; i++)
                if (fs->kept[i].key)
                        kept_place(table, slots, fs->kept[i]);
        free(fs->kept);
        fs->kept = table;
        fs->kept_slots = slots;
        return 0;
}

/* Keep fd under key. false (nothing kept, fd still the caller's) when the
 * budget is spent or memory is short: the read then simply is not cached. */
static bool kept_add(struct cgfs *fs, const char *key, int fd)
{
        char *copy;

        if (fs->n_kept >= fs->kept_max)
                return false;
        /* at most half full, so probes stay short */
        if ((fs->n_kept + 1) * 2 > fs->kept_slots && kept_grow(fs) < 0)
                return false;
        copy = strdup(key);
        if (!copy)
                return false;
        kept_place(fs->kept, fs->kept_slots, (struct kept_file){copy, fd, fs->kept_epoch});
        fs->n_kept++;
        return true;
}

/* Close and remove the entry in slot i, shifting later entries of its probe
 * run back so that every entry stays reachable from its home slot. */
static void kept_remove_slot(struct cgfs *fs, size_t i)
{
        size_t mask = fs->kept_slots - 1;

        close(fs->kept[i].fd);
        free(fs->kept[i].key);
        fs->kept[i].key = NULL;
        fs->n_kept--;
        for (size_t j = (i + 1) & mask; fs->kept[j].key; j = (j + 1) & mask) {
                size_t home = kept_hash(fs->kept[j].key) & mask;
                /* j may fill the hole at i unless its home lies cyclically in (i, j] */
                bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);

                if (home_between)
                        continue;
                fs->kept[i] = fs->kept[j];
                fs->kept[j].key = NULL;
                i = j;
        }
}

void cgfs_kept_sweep(struct cgfs *fs)
{
        assert(fs);

        for (size_t i = 0; i < fs->kept_slots; i++)
                /* a removal may shift a later, unchecked entry into slot i */
                while (fs->kept[i].key && fs->kept[i].epoch != fs->kept_epoch)
                        kept_remove_slot(fs, i);
        fs->kept_epoch++;
}

void cgfs_kept_forget(struct cgfs *fs, const char *rel)
{
        size_t len;

        assert(fs);
        assert(rel);

        len = strlen(rel);
        for (size_t i = 0; i < fs->kept_slots; i++)
                /* a removal may shift a later, unchecked entry into slot i */
                while (fs->kept[i].key && fs->kept[i].key[0] == KEPT_ROOT_CGROUP &&
                       strncmp(fs->kept[i].key + 1, rel, len) == 0 &&
                       (len == 0 || fs->kept[i].key[1 + len] == '/') &&
                       !strchr(fs->kept[i].key + 1 + len + (len > 0), '/'))
                        kept_remove_slot(fs, i);
}

bool cgfs_kept_crowded(const struct cgfs *fs)
{
        assert(fs);
        return fs->n_kept * 4 >= fs->kept_max * 3;
}

size_t cgfs_kept_count(const struct cgfs *fs)
{
        assert(fs);
        return fs->n_kept;
}

/* Read a whole file from offset 0 in one pread(). The files read this way
 * are cgroupfs and procfs single-record seq_files (one show() call makes the
 * whole content, returned at once when the buffer holds it) or, in fixture
 * trees, regular files (read in full). Same result as util_read_fd(). */
static ssize_t pread_whole(int fd, char *buf, size_t size)
{
        ssize_t n;

        assert(size > 0);
        do
                n = pread(fd, buf, size - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t)n == size - 1) {
                /* exactly full: more, or the end? */
                char more;
                ssize_t m;

                do
                        m = pread(fd, &more, 1, n);
                while (m < 0 && errno == EINTR);
                if (m != 0)
                        return m < 0 ? -errno : -EFBIG;
        }
        buf[n] = '\0';
        return n;
}

/* A kept fd of a regular file (fixture trees) still names the path if no
 * one removed or replaced the file since; cgroupfs and procfs say -ENODEV. */
static bool kept_still_linked(int fd)
{
        struct stat st;

        return fstat(fd, &st) == 0 && st.st_nlink > 0;
}

/* cgfs_read_at() through a kept-open fd: one pread() while the file stays, a
 * fresh open (and keep) when it is new, gone or replaced. */
ssize_t cgfs_read_kept(struct cgfs *fs, char root, const char *path, char *buf, size_t size)
{
        int dirfd = root == KEPT_ROOT_PROC ? fs->proc_fd : fs->cgroup_fd;
        bool generated = root == KEPT_ROOT_PROC ? fs->proc_generated : fs->cgroup_generated;
        char key[PATH_MAX + 1];
        struct kept_file *k;
        ssize_t n;
        int fd;

        if (fs->kept_max == 0 || strlen(path) >= sizeof key - 1)
                return cgfs_read_at(dirfd, path, buf, size);
        key[0] = root;
        memcpy(key + 1, path, strlen(path) + 1);

        k = kept_find(fs, key);
        if (k) {
                n = pread_whole(k->fd, buf, size);
                if (n == -EFBIG || (n >= 0 && (generated || kept_still_linked(k->fd)))) {
                        k->epoch = fs->kept_epoch;
                        return n;
                }
                /* removed (-ENODEV), replaced, or failing: start over from the path */
                kept_remove_slot(fs, (size_t)(k - fs->kept));
        }
        fd = cgfs_open_beneath(dirfd, path, O_RDONLY);
        if (fd < 0)
                return fd;
        /* one read, as through a kept fd: no second read() to see the end */
        n = pread_whole(fd, buf, size);
        if (n == -ESPIPE) {
                /* no pread on this file (opened nonseekable): read it as
                 * cgfs_read_at() does, and keep nothing from now on, since a
                 * kept fd is re-read with pread alone */
                fs->kept_max = 0;
                n = util_read_fd(fd, buf, size);
        }
        if (n < 0 || !kept_add(fs, key, fd))
                close(fd);
        return n;
}

/* Kept files may use a quarter of the fds the process may open: the rest
 * are for PSI triggers (one per group), Docker, control clients and logs. */
size_t cgfs_kept_budget(void)
{
        struct rlimit rl;
        size_t budget = CGFS_KEPT_FILES_MAX;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur / 4 < budget)
                budget = (size_t)(rl.rlim_cur / 4);
        return budget;
}

void cgfs_kept_free(struct cgfs *fs)
{
        for (size_t i = 0; i < fs->kept_slots; i++)
                if (fs->kept[i].key) {
                        close(fs->kept[i].fd);
                        free(fs->kept[i].key);
                }
        free(fs->kept);
}
