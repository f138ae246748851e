/* test-sdunit — which systemd unit owns a cgroup (pure), as a table. The
 * bus client is exercised by the host suite against a real systemd. */
#include <errno.h>

#include "sdunit.h"
#include "test.h"

static const struct {
        const char *rel;
        int result;
        const char *unit;
} cases[] = {
    /* Docker's systemd cgroup driver */
    {"system.slice/docker-0123abcd.scope", 1, "docker-0123abcd.scope"},
    {"system.slice/docker.service", 1, "docker.service"},
    {"system.slice", 1, "system.slice"},
    {"user.slice/user-1000.slice", 1, "user-1000.slice"},
    {"user.slice/user-1000.slice/session-3.scope", 1, "session-3.scope"},
    {"machine.slice/machine-qemu\\x2d1.scope", 1, "machine-qemu\\x2d1.scope"},
    {"init.scope", 1, "init.scope"},
    {"system.slice/systemd-journald.socket", 1, "systemd-journald.socket"},
    {"system.slice/sutazai.slice/sutazai-agents.slice/sutazai-agents-x.slice", 0, NULL},
    {"sutazai.slice/sutazai-agents.slice/sutazai-agents-x.slice", 1, "sutazai-agents-x.slice"},
    {"sutazai.slice/sutazai-agents.slice/worker@2.service", 1, "worker@2.service"},
    /* delegated below a service or scope: another manager's, or runc's */
    {"system.slice/docker-0123abcd.scope/init", 0, NULL},
    {"system.slice/docker-0123abcd.scope/sub.scope", 0, NULL},
    {"user.slice/user-1000.slice/user@1000.service/app.slice/x.service", 0, NULL},
    {"system.slice/containerd.service/k8s.io/abc", 0, NULL},
    /* not systemd's: Docker's cgroupfs driver, plain directories */
    {"docker/0123abcd", 0, NULL},
    {"sutazai-test-1234/db", 0, NULL},
    {"kubepods/burstable/pod1", 0, NULL},
    {"system.slice/foo.timer", 0, NULL}, /* no cgroup of its own */
    {"system.slice/.service", 0, NULL},
    /* slices nested the wrong way are not systemd's */
    {"a-b.slice", 0, NULL},
    {"a.slice/b.slice", 0, NULL},
    {"a.slice/a-b-c.slice", 0, NULL},
    {"a.slice/a--b.slice", 0, NULL},
    {"a.slice/a-.slice", 0, NULL},
    {"-.slice", 0, NULL},
    /* the root: nothing we set */
    {"", 0, NULL},
    /* malformed */
    {"/system.slice", -EINVAL, NULL},
    {"system.slice//x.service", -EINVAL, NULL},
    {"system.slice/../x.service", -EINVAL, NULL},
    {"system.slice/", -EINVAL, NULL},
};

int main(void)
{
        char unit[SDUNIT_NAME_MAX], small[8];

        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                int r;

                unit[0] = '\0';
                r = sdunit_from_cgroup(cases[i].rel, unit, sizeof unit);
                if (r != cases[i].result)
                        fprintf(stderr, "case %zu: %s\n", i, cases[i].rel);
                CHECK_EQ_INT(r, cases[i].result);
                if (cases[i].unit && r == 1)
                        CHECK_STREQ(unit, cases[i].unit);
        }
        CHECK_EQ_INT(sdunit_from_cgroup("system.slice/docker-0123abcd.scope", small, sizeof small),
                     -ENAMETOOLONG);
        CHECK_EQ_INT(sdunit_from_cgroup(NULL, unit, sizeof unit), -EINVAL);
        CHECK_STREQ(sdunit_memory_prop_name(SDUNIT_MEMORY_SWAP_MAX), "MemorySwapMax");
        CHECK_STREQ(sdunit_memory_prop_file(SDUNIT_MEMORY_MIN), "memory.min");
        /* no bus address and no systemd here, or an unreachable private bus:
         * the caller falls back to the files, nothing is queued */
        CHECK(sdunit_set_memory(NULL, "x.service", NULL, NULL, NULL) == -EINVAL);
        return TEST_RESULT();
}
