/* config-load — see include/config-load.h
 *
 * The only part of the configuration that touches the file system: it reads
 * text and hands it to the parser, so the parser stays pure and fuzzable. */
#include "config-load.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>

#include "config-ini.h"
#include "config-validate.h"
#include "config.h"

/* A configuration file is a few KiB; anything past this is not one. */
#define CONFIG_FILE_MAX (1024 * 1024) /* bytes */

static void set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
        va_list ap;

        if (!err || err_size == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
}

/* The host's memory in bytes (MemTotal), 0 if unknown. */
static uint64_t host_memory_bytes(void)
{
        struct sysinfo si;

        if (sysinfo(&si) < 0)
                return 0;
        return (uint64_t)si.totalram * si.mem_unit;
}

static int read_text(const char *path, char **ret_text, char *err, size_t err_size)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int r = -errno;
                set_err(err, err_size, "%s: %s", path, strerror(-r));
                return r;
        }
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                set_err(err, err_size, "%s: %s", path, strerror(-r));
                return r;
        }
        if (S_ISDIR(st.st_mode)) {
                set_err(err, err_size, "%s: is a directory", path);
                return -EISDIR;
        }
        if (!S_ISREG(st.st_mode)) {
                set_err(err, err_size, "%s: not a regular file", path);
                return -EINVAL;
        }
        text = malloc(CONFIG_FILE_MAX + 1);
        if (!text)
                return -ENOMEM;
        n = util_read_fd(fd, text, CONFIG_FILE_MAX + 1);
        if (n == -EFBIG) {
                set_err(err, err_size, "%s: larger than %d bytes", path, CONFIG_FILE_MAX);
                return -EFBIG;
        }
        if (n < 0) {
                set_err(err, err_size, "%s: %s", path, strerror((int)-n));
                return (int)n;
        }
        if (memchr(text, '\0', (size_t)n)) {
                set_err(err, err_size, "%s: contains a NUL byte: not a text file", path);
                return -EINVAL;
        }
        *ret_text = TAKE_PTR(text);
        return 0;
}

static int load_file(struct config *c, const char *path, char *err, size_t err_size)
{
        _cleanup_free_ char *text = NULL;
        int r;

        r = read_text(path, &text, err, err_size);
        if (r < 0)
                return r;
        return config_parse_string(c, path, text, err, err_size);
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool dropin_name_wanted(const char *name)
{
        size_t n = strlen(name);

        return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static void names_free(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

/* Every wanted name in dir, sorted. A missing dir is an empty list. */
static int dropin_list(const char *dir, char ***ret_names, size_t *ret_n, char *err,
                       size_t err_size)
{
        DIR *d = opendir(dir);
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        int r = 0;

        if (!d) {
                if (errno == ENOENT) {
                        *ret_names = NULL;
                        *ret_n = 0;
                        return 0;
                }
                r = -errno;
                set_err(err, err_size, "%s: %s", dir, strerror(-r));
                return r;
        }
        while ((errno = 0, de = readdir(d))) {
                struct stat st;
                char **grown;

                if (!dropin_name_wanted(de->d_name))
                        continue;
                /* A directory called "x.conf" is not a drop-in. */
                if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode))
                        continue;
                grown = reallocarray(names, n + 1, sizeof(*names));
                if (!grown) {
                        r = -ENOMEM;
                        break;
                }
                names = grown;
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r == 0 && errno != 0) {
                r = -errno;
                set_err(err, err_size, "%s: %s", dir, strerror(-r));
        }
        closedir(d);
        if (r < 0) {
                if (r == -ENOMEM)
                        set_err(err, err_size, "%s: out of memory", dir);
                names_free(names, n);
                return r;
        }
        qsort(names, n, sizeof(*names), compare_names);
        *ret_names = names;
        *ret_n = n;
        return 0;
}

int config_load(const char *path, bool allow_missing, struct config **ret_config, char *err,
                size_t err_size)
{
        struct config *c;
        _cleanup_free_ char *dir = NULL;
        char **names = NULL;
        size_t n_names = 0;
        int r;

        assert(path);
        assert(ret_config);

        if (err && err_size > 0)
                err[0] = '\0';
        c = config_new_default();
        if (!c || !(c->path = strdup(path)) || asprintf(&dir, "%s.d", path) < 0) {
                dir = NULL;
                set_err(err, err_size, "%s: out of memory", path);
                config_free(c);
                return -ENOMEM;
        }

        r = load_file(c, path, err, err_size);
        if (r == -ENOENT && allow_missing) {
                if (err && err_size > 0)
                        err[0] = '\0';
                r = 0;
        }
        if (r < 0)
                goto fail;

        r = dropin_list(dir, &names, &n_names, err, err_size);
        if (r < 0)
                goto fail;
        for (size_t i = 0; i < n_names; i++) {
                _cleanup_free_ char *file = NULL;

                if (asprintf(&file, "%s/%s", dir, names[i]) < 0) {
                        file = NULL;
                        set_err(err, err_size, "%s: out of memory", dir);
                        r = -ENOMEM;
                        goto fail;
                }
                r = load_file(c, file, err, err_size);
                if (r < 0)
                        goto fail;
        }

        r = config_validate(c, err, err_size);
        if (r >= 0)
                r = config_validate_host(c, host_memory_bytes(), err, err_size);
        if (r < 0)
                goto fail;
        names_free(names, n_names);
        *ret_config = c;
        return 0;

fail:
        names_free(names, n_names);
        config_free(c);
        return r;
}
