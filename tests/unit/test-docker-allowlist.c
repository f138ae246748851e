/* test-docker-allowlist — the endpoint allow-list every Docker request
 * passes: what the governor needs is allowed, everything else (volumes,
 * exec, create, forced removals, path tricks, odd methods) is refused. */
#include "docker.h"
#include "test.h"

#define ID            "b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39"
#define EVENTS_FILTER "filters=%7B%22type%22%3A%5B%22container%22%5D%7D"

int main(void)
{
        const char *allowed[][2] = {
            {"GET", "/version"},
            {"GET", "/_ping"},
            {"GET", "/v1.41/containers/json?all=1"},
            {"GET", "/v1.41/containers/" ID "/json"},
            {"GET", "/v1.43/containers/sutazai-ollama/json"},
            {"GET", "/v1.41/events?since=1795556656.075279906&" EVENTS_FILTER},
            {"GET", "/v1.41/events?since=1795556656&" EVENTS_FILTER},
            {"POST", "/v1.41/containers/" ID "/update"},
            {"POST", "/v1.41/containers/" ID "/stop?t=10"},
            {"POST", "/v1.41/containers/" ID "/kill?signal=SIGKILL"},
            {"POST", "/v1.41/images/prune?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D"},
            {"POST", "/v1.41/build/prune"},
            {"GET", "/v1.41/images/json"},
            {"DELETE", "/v1.41/images/sha256:e4ab5a680e4df41c23330b9ead576babe34463e28e20f84bb"
                       "b362b0ba9e6c77f"},
            {"DELETE", "/v1.41/images/registry:5000/sutazai/ollama:0.1"},
            /* disk cleanup: one stopped container by id */
            {"DELETE", "/v1.41/containers/" ID},
        };
        const char *refused[][2] = {
            {"GET", "/v1.41/volumes"},
            {"POST", "/v1.41/volumes/prune"},
            {"DELETE", "/v1.41/volumes/data"},
            {"POST", "/v1.41/system/prune"},
            {"POST", "/v1.41/containers/create"},
            {"POST", "/v1.41/containers/" ID "/exec"},
            {"POST", "/v1.41/containers/" ID "/start"},
            {"DELETE", "/v1.41/containers/" ID "?force=1"},
            {"DELETE", "/v1.41/containers/" ID "?v=1"},
            {"DELETE", "/v1.41/containers/../volumes/x"},
            {"POST", "/v1.41/containers/" ID "/kill?signal=SIGTERM"},
            {"POST", "/v1.41/containers/" ID "/kill"},
            {"POST", "/v1.41/containers/" ID "/stop?t=10&x=1"},
            {"POST", "/v1.41/containers/" ID "/stop?t=-1"},
            {"POST", "/v1.41/containers/" ID "/stop?t="},
            {"POST", "/v1.41/containers/" ID "/stop?t=99999999999"},
            {"POST", "/v1.41/containers/../volumes/update"},
            {"POST", "/v1.41/containers/a/b/update"},
            {"POST", "/v1.41/containers/-x/update"},
            {"POST", "/v1.41/containers/%2e%2e/update"},
            {"GET", "/v1.41/containers/" ID "/json/../../volumes"},
            {"DELETE", "/v1.41/images/bb:latest?force=1"},
            {"DELETE", "/v1.41/images/../volumes/x"},
            {"DELETE", "/v1.41/images/"},
            {"PUT", "/v1.41/containers/" ID "/update"},
            {"GET", "/v1.41/containers/" ID "/update"},
            {"POST", "/vx.41/containers/" ID "/update"},
            {"POST", "/v1.41/containers/" ID "/update "},
            {"POST", "/v1.41/containers/" ID "/update/"},
            {"GET", "/v1.41/containers/json?all=1&size=1"},
            {"GET", "/v1.41/events"},
            {"GET", "/v1.41/events?since=1.5&" EVENTS_FILTER},
            {"POST", "/v1.41/containers/prune"},
            /* a blanket prune could take a protected stopped container */
            {"POST", "/v1.41/containers/prune?filters=%7B%22until%22%3A%5B%223600s%22%5D%7D"},
            {"POST", "/v1.41/images/prune"},
            {"GET", "/version/../volumes"},
            {"GET", ""},
        };

        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                if (!docker_request_allowed(allowed[i][0], allowed[i][1])) {
                        fprintf(stderr, "refused: %s %s\n", allowed[i][0], allowed[i][1]);
                        test_failures++;
                }
        for (size_t i = 0; i < ELEMENTSOF(refused); i++)
                if (docker_request_allowed(refused[i][0], refused[i][1])) {
                        fprintf(stderr, "allowed: %s %s\n", refused[i][0], refused[i][1]);
                        test_failures++;
                }
        CHECK(!docker_request_allowed(NULL, "/version"));
        CHECK(!docker_request_allowed("GET", NULL));
        return TEST_RESULT();
}
