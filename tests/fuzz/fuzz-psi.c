/* libFuzzer target: psi_parse() on arbitrary bytes. Beyond "no crash, no
 * leak, no UB", an accepted input must honour the parser's contract. */
#include <stdint.h>
#include <stdlib.h>

#include "psi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(const struct psi_line *l)
{
        if (!(l->avg10 >= 0 && l->avg10 <= 100) || !(l->avg60 >= 0 && l->avg60 <= 100) ||
            !(l->avg300 >= 0 && l->avg300 <= 100))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct psi_stats st;

        if (psi_parse((const char *)data, size, &st) == 0) {
                check_line(&st.some);
                if (st.has_full)
                        check_line(&st.full);
        }
        return 0;
}
