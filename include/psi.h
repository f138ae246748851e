/* psi — kernel Pressure Stall Information: parse a pressure file's text.
 *
 * Format (Documentation/accounting/psi.rst):
 *   some avg10=0.12 avg60=0.00 avg300=0.00 total=12345
 *   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
 * "full" is absent in /proc/pressure/cpu on older kernels. Unknown extra
 * fields on a line are ignored (forward compatibility); duplicate lines,
 * missing "some", malformed numbers and averages outside 0..100 are errors.
 * Pure: no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct psi_line {
        double avg10, avg60, avg300; /* percent of wall time, 0..100 */
        uint64_t total_usec;         /* cumulative stall time */
};

struct psi_stats {
        struct psi_line some;
        struct psi_line full;
        bool has_full;
};

/* Parse len bytes of buf (need not be NUL-terminated). 0 or -EINVAL. */
int psi_parse(const char *buf, size_t len, struct psi_stats *ret);
