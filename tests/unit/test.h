/* test.h — the tiny assertion helpers the unit tests share. A failed check
 * prints FILE:LINE and the expression and makes the test exit 1 at the end. */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_failures;

#define CHECK(expr)                                                                                \
        do {                                                                                       \
                if (!(expr)) {                                                                     \
                        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);   \
                        test_failures++;                                                           \
                }                                                                                  \
        } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
        do {                                                                                       \
                long long _a = (long long)(a), _b = (long long)(b);                                \
                if (_a != _b) {                                                                    \
                        fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,      \
                                __LINE__, #a, _a, #b, _b);                                         \
                        test_failures++;                                                           \
                }                                                                                  \
        } while (0)

#define CHECK_EQ_U64(a, b)                                                                         \
        do {                                                                                       \
                uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);                                   \
                if (_a != _b) {                                                                    \
                        fprintf(stderr, "%s:%d: %s == %" PRIu64 ", expected %" PRIu64 "\n",        \
                                __FILE__, __LINE__, #a, _a, _b);                                   \
                        test_failures++;                                                           \
                }                                                                                  \
        } while (0)

#define CHECK_STREQ(a, b)                                                                          \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
                        fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,        \
                                __LINE__, #a, _a ? _a : "(null)", _b ? _b : "(null)");             \
                        test_failures++;                                                           \
                }                                                                                  \
        } while (0)

#define TEST_RESULT() (test_failures ? (fprintf(stderr, "%d check(s) failed\n", test_failures), 1) : 0)
