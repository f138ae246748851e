/* test-imagelru — last-use bookkeeping, the JSON state file (round trip and
 * hostile input), keep globs, and the LRU choice. */
#include <errno.h>
#include <stdlib.h>

#include "imagelru.h"
#include "test.h"

#define S(x) ((usec_t)(x)*USEC_PER_SEC)
#define NOW  S(1700000000)
#define HOUR S(3600)

static char *tags_a[] = {"app:1", NULL};
static char *tags_b[] = {"app:2", "app:latest", NULL};
static char *tags_keep[] = {"postgres:15", NULL};
static char *tags_none[] = {"<none>:<none>", NULL};
static char *tags_port[] = {"localhost:5000/redis:7", NULL};

static struct docker_image image(const char *id, char **tags, usec_t created)
{
        struct docker_image img = {
            .repo_tags = tags, .size_bytes = 1000, .created_realtime_usec = created};
        snprintf(img.id, sizeof(img.id), "%s", id);
        return img;
}

static void test_touch_find(void)
{
        struct imagelru l;

        imagelru_init(&l);
        CHECK(!imagelru_find(&l, "sha256:a"));
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:a", NOW), 0);
        CHECK(l.dirty);
        CHECK(imagelru_find(&l, "sha256:a"));
        CHECK_EQ_U64(imagelru_find(&l, "sha256:a")->last_used_realtime_usec, NOW);
        /* never moves backwards */
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:a", NOW - HOUR), 0);
        CHECK_EQ_U64(imagelru_find(&l, "sha256:a")->last_used_realtime_usec, NOW);
        CHECK_EQ_INT(imagelru_touch(&l, "", NOW), -EINVAL);
        char longid[200];
        memset(longid, 'x', sizeof(longid) - 1);
        longid[sizeof(longid) - 1] = '\0';
        CHECK_EQ_INT(imagelru_touch(&l, longid, NOW), -EINVAL);
        imagelru_done(&l);
}

static void test_note_images(void)
{
        struct imagelru l;
        struct docker_image imgs[] = {image("sha256:a", tags_a, S(1)),
                                      image("sha256:b", tags_b, S(2))};

        imagelru_init(&l);
        /* baseline: present images are judged by Created */
        CHECK_EQ_INT(imagelru_note_images(&l, imgs, 2, NOW), 0);
        CHECK(l.baseline);
        CHECK_EQ_U64(imagelru_find(&l, "sha256:a")->first_seen_realtime_usec, 0);
        /* a later arrival remembers when it was first seen */
        struct docker_image more[] = {imgs[0], image("sha256:c", tags_a, S(3))};
        CHECK_EQ_INT(imagelru_note_images(&l, more, 2, NOW + HOUR), 0);
        CHECK_EQ_U64(imagelru_find(&l, "sha256:c")->first_seen_realtime_usec, NOW + HOUR);
        /* b is gone from the listing: forgotten */
        CHECK(!imagelru_find(&l, "sha256:b"));
        CHECK_EQ_U64(imagelru_reference_time(&l, &more[1]), NOW + HOUR);
        CHECK_EQ_U64(imagelru_reference_time(&l, &more[0]), S(1));
        imagelru_done(&l);
}

static void test_json(void)
{
        struct imagelru l, back;
        char *json = NULL;

        imagelru_init(&l);
        imagelru_init(&back);
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:a", S(1700000000)), 0);
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:b", S(1600000000)), 0);
        l.baseline = true;
        CHECK_EQ_INT(imagelru_format(&l, &json), 0);
        CHECK_EQ_INT(imagelru_parse(&back, json, strlen(json)), 0);
        CHECK_EQ_INT(back.n_entries, 2);
        CHECK(back.baseline);
        CHECK(imagelru_find(&back, "sha256:b") &&
              imagelru_find(&back, "sha256:b")->last_used_realtime_usec == S(1600000000));
        free(json);

        static const char *bad[] = {
            "",
            "[]",
            "{}",
            "{\"version\":2,\"baseline\":true,\"images\":{}}",
            "{\"version\":1,\"baseline\":1,\"images\":{}}",
            "{\"version\":1,\"baseline\":true,\"images\":[]}",
            "{\"version\":1,\"baseline\":true,\"images\":{\"x\":{\"last_used\":-1,\"first_seen\":0}"
            "}}",
            "{\"version\":1,\"baseline\":true,\"images\":{\"x\":{\"last_used\":1e300,\"first_"
            "seen\":0}}}",
            "{\"version\":1,\"baseline\":true,\"images\":{\"x\":{\"last_used\":\"1\",\"first_"
            "seen\":0}}}",
            "{\"version\":1,\"baseline\":true,\"images\":{\"x\":{\"first_seen\":0}}}",
            "{\"version\":1,\"baseline\":true,\"images\":{\"x\":{\"last_used\":1,\"first_seen\":0},"
            "\"x\":{\"last_used\":2,\"first_seen\":0}}}",
            "{\"version\":1,\"baseline\":true,\"images\":{\"\":{\"last_used\":1,\"first_seen\":0}}"
            "}",
            "{\"version\":1,\"baseline\":true,\"images\":{}} trailing",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = imagelru_parse(&back, bad[i], strlen(bad[i]));
                if (r != -EINVAL)
                        fprintf(stderr, "accepted bad input %zu: %s\n", i, bad[i]);
                CHECK_EQ_INT(r, -EINVAL);
        }
        /* a refused parse leaves the old content */
        CHECK_EQ_INT(back.n_entries, 2);
        imagelru_done(&l);
        imagelru_done(&back);
}

static void test_keep(void)
{
        struct docker_image keep = image("sha256:k", tags_keep, 0);
        struct docker_image port = image("sha256:p", tags_port, 0);
        struct docker_image none = image("sha256:n", tags_none, 0);
        char *globs[] = {"postgres*"};
        char *globs_tag[] = {"postgres:16"};
        char *globs_port[] = {"localhost:5000/redis"};

        CHECK(imagelru_is_kept(&keep, globs, 1));
        CHECK(!imagelru_is_kept(&keep, globs_tag, 1));
        CHECK(imagelru_is_kept(&port, globs_port, 1)); /* repo part, registry port kept */
        CHECK(!imagelru_is_kept(&none, globs, 1));
        char *star[] = {"*"};
        CHECK(!imagelru_is_kept(&none, star, 1)); /* untagged has nothing to keep by */
        CHECK(imagelru_is_kept(&keep, star, 1));
        CHECK(!imagelru_is_kept(&keep, NULL, 0));
}

static void test_choose(void)
{
        struct imagelru l;
        struct docker_image imgs[] = {
            image("sha256:used", tags_a, S(100)),    /* 0: a stopped container uses it */
            image("sha256:kept", tags_keep, S(100)), /* 1: keep list */
            image("sha256:young", tags_b, NOW - 60 * USEC_PER_SEC), /* 2: too young */
            image("sha256:old", tags_a, S(100)),                    /* 3: never used, oldest */
            image("sha256:recent", tags_b, S(50)),  /* 4: old but used an hour ago */
            image("sha256:mid", tags_none, S(200)), /* 5: used two hours ago... */
        };
        const char *in_use[] = {"sha256:used"};
        char *keep[] = {"postgres*"};
        size_t order[ELEMENTSOF(imgs)], n = 99;

        imagelru_init(&l);
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:recent", NOW - 2 * HOUR), 0);
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:mid", NOW - 3 * HOUR), 0);

        CHECK_EQ_INT(
            imagelru_choose(&l, imgs, ELEMENTSOF(imgs), in_use, 1, keep, 1, HOUR, NOW, order, &n),
            0);
        CHECK_EQ_INT(n, 3);
        CHECK_EQ_INT(order[0], 3); /* old: reference = Created */
        CHECK_EQ_INT(order[1], 5); /* mid: used 3 h ago */
        CHECK_EQ_INT(order[2], 4); /* recent: used 2 h ago */

        /* min age above 2h keeps "recent" too */
        CHECK_EQ_INT(imagelru_choose(&l, imgs, ELEMENTSOF(imgs), in_use, 1, keep, 1, 2 * HOUR + 1,
                                     NOW, order, &n),
                     0);
        CHECK_EQ_INT(n, 2);

        /* a use now takes it out of the candidates */
        CHECK_EQ_INT(imagelru_touch(&l, "sha256:old", NOW), 0);
        CHECK_EQ_INT(
            imagelru_choose(&l, imgs, ELEMENTSOF(imgs), in_use, 1, keep, 1, HOUR, NOW, order, &n),
            0);
        CHECK_EQ_INT(n, 2);
        CHECK_EQ_INT(order[0], 5);

        /* without protections, everything old enough is a candidate, LRU first */
        CHECK_EQ_INT(
            imagelru_choose(&l, imgs, ELEMENTSOF(imgs), NULL, 0, NULL, 0, 0, NOW, order, &n), 0);
        CHECK_EQ_INT(n, 5);        /* "old" was used just now: not older than 0 */
        CHECK_EQ_INT(order[0], 1); /* created 100, tie broken by id: "kept" < "used" */
        CHECK_EQ_INT(order[1], 0);
        CHECK_EQ_INT(order[2], 5);
        CHECK_EQ_INT(order[3], 4);
        CHECK_EQ_INT(order[4], 2); /* young: a minute old */

        CHECK_EQ_INT(imagelru_choose(&l, NULL, 0, NULL, 0, NULL, 0, 0, NOW, NULL, &n), 0);
        CHECK_EQ_INT(n, 0);
        imagelru_done(&l);
}

int main(void)
{
        test_touch_find();
        test_note_images();
        test_json();
        test_keep();
        test_choose();
        return TEST_RESULT();
}
