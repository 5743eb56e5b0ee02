/* fw_vmio_coverage: runs the engine, esp3 and app tests in one process, then requires that
 * every reachable (state, event) row of every table that took part has fired. Rows that
 * cannot occur carry VMIO_T_NEVER in their table (with the reason next to them). */
#include <stdio.h>
#include "vmio/vmio.h"

int fw_vmio_tests(void);
int fw_esp3_tests(void);
int fw_app_tests(void);

int main(void)
{
    vmio_coverage_reset();
    int failed = fw_vmio_tests() + fw_esp3_tests() + fw_app_tests();
    unsigned missing = vmio_coverage_report();
    printf("coverage: %u row(s) never exercised, %d test failure(s)\n", missing, failed);
    return failed || missing ? 1 : 0;
}
