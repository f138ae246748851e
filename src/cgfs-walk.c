/* cgfs-walk — see cgfs-walk.h */
#include "cgfs-walk.h"

#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs-path.h"
#include "cgfs-private.h"
#include "util.h"

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a copy of name to names[0..*n). */
static int names_add(char ***names, size_t *n, size_t *allocated, const char *name)
{
        if (*n == *allocated) {
                size_t want = *allocated ? *allocated * 2 : 16;
                char **grown = realloc(*names, want * sizeof **names);

                if (!grown)
                        return -ENOMEM;
                *names = grown;
                *allocated = want;
        }
        (*names)[*n] = strdup(name);
        if (!(*names)[*n])
                return -ENOMEM;
        (*n)++;
        return 0;
}

/* The names of the subdirectories of the directory open at fd (consumed),
 * sorted, so the walk order does not depend on readdir. getdents64 straight
 * into dents (dents_size bytes): readdir() would add an fcntl() per
 * directory, and the walk lists every cgroup. */
static int list_subdirs(int fd, char *dents, size_t dents_size, char ***ret_names, size_t *ret_n)
{
        _cleanup_close_ int dir_fd = fd;
        char **names = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;

        for (;;) {
                ssize_t got = getdents64(dir_fd, dents, dents_size);

                if (got <= 0) {
                        /* A directory removed while listed reads as empty
                         * or ENOENT: its children are gone too. */
                        if (got < 0 && errno != ENOENT && errno != ENODEV)
                                r = -errno;
                        break;
                }
                for (ssize_t off = 0; off < got && r >= 0;) {
                        const struct dirent64 *de = (const struct dirent64 *)(dents + off);
                        struct stat st;
                        bool is_dir;

                        off += de->d_reclen;
                        if (!cgfs_component_ok(de->d_name, strlen(de->d_name)))
                                continue;
                        if (de->d_type == DT_DIR)
                                is_dir = true;
                        else if (de->d_type == DT_UNKNOWN)
                                is_dir =
                                    fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                    S_ISDIR(st.st_mode);
                        else
                                is_dir = false; /* files, and symlinks: never followed */
                        if (is_dir)
                                r = names_add(&names, &n, &allocated, de->d_name);
                }
                if (r < 0)
                        break;
        }
        if (r < 0) {
                cgfs_walk_names_free(names, n);
                return r;
        }
        if (n > 0)
                qsort(names, n, sizeof *names, name_cmp);
        *ret_names = names;
        *ret_n = n;
        return 0;
}

/* Visit the children of the directory open at fd (consumed), whose path is
 * w->path[0..path_len). */
int cgfs_walk_children(struct walk *w, int fd, size_t path_len, unsigned depth)
{
        char **names = NULL;
        size_t n = 0;
        int r;

        r = list_subdirs(fd, w->dents, CGFS_DENTS_BUF_BYTES, &names, &n);
        if (r < 0)
                return cgfs_walk_skippable(r) ? 0 : r;

        for (size_t i = 0; i < n; i++) {
                size_t name_len = strlen(names[i]);
                size_t child_len = path_len + (path_len ? 1 : 0) + name_len;
                int child_fd;
                struct stat st;

                if (child_len >= sizeof w->path)
                        continue; /* unreachable by any path API; skip */
                if (path_len)
                        w->path[path_len] = '/';
                memcpy(w->path + path_len + (path_len ? 1 : 0), names[i], name_len + 1);

                /* Reopen relative to the root, not to the parent fd: the
                 * parent may have been removed and recreated under us, and
                 * the callback sees this very path. */
                child_fd = cgfs_open_beneath(w->fs->cgroup_fd, w->path, O_RDONLY | O_DIRECTORY);
                if (child_fd < 0) {
                        if (cgfs_walk_skippable(child_fd))
                                continue;
                        r = child_fd;
                        break;
                }
                /* openat2 already refused to cross a mount (RESOLVE_NO_XDEV);
                 * the openat() fallback did not. */
                if (cgfs_openat2_missing &&
                    (fstat(child_fd, &st) < 0 || st.st_dev != w->fs->cgroup_dev)) {
                        close(child_fd);
                        continue;
                }
                r = w->cb(w->path, w->userdata);
                if (r < 0) {
                        close(child_fd);
                        break;
                }
                r = 0;
                if (depth + 1 < CGFS_WALK_DEPTH_MAX) {
                        r = cgfs_walk_children(w, child_fd, child_len, depth + 1);
                        if (r < 0)
                                break;
                } else
                        close(child_fd);
        }
        w->path[path_len] = '\0';
        cgfs_walk_names_free(names, n);
        return r;
}

int cgfs_walk(struct cgfs *fs, cgfs_visit_fn cb, void *userdata)
{
        _cleanup_free_ char *dents = NULL;
        struct walk w = {.fs = fs, .cb = cb, .userdata = userdata};
        int fd;

        assert(fs);
        assert(cb);

        dents = malloc(CGFS_DENTS_BUF_BYTES);
        if (!dents)
                return -ENOMEM;
        w.dents = dents;
        fd = openat(fs->cgroup_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return cgfs_walk_children(&w, fd, 0, 0);
}
