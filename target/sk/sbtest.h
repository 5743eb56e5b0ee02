/* Console command "sbtest" (test images only, SK_FW_TEST_CMDS): runs the test payloads of
 * target/tests/payloads in the sandbox and prints one machine-readable line per run. */
#ifndef SK_SBTEST_H
#define SK_SBTEST_H
#include "lib/console.h"

void sk_sbtest_cmd(con_t *con, const char *args);

#endif
