/* fw_vmio_coverage: runs the engine, esp3, app and network (net_*) tests in one process,
 * then requires that every reachable (state, event) row of every table that took part has fired. Rows that
 * cannot occur carry VMIO_T_NEVER in their table (with the reason next to them). */
#include <stdio.h>
#include "vmio/vmio.h"

int fw_vmio_tests(void);
int fw_esp3_tests(void);
int fw_app_tests(void);
int fw_net_ntimer_tests(void);
int fw_net_eth_tests(void);
int fw_net_arp_tests(void);
int fw_net_ipv4_tests(void);
int fw_net_icmp_tests(void);
int fw_net_udp_tests(void);
int fw_net_dhcp_tests(void);
int fw_net_echo_tests(void);
int fw_app_udp_tests(void);

int main(void)
{
    vmio_coverage_reset();
    int failed = fw_vmio_tests() + fw_esp3_tests() + fw_app_tests();
    failed += fw_net_ntimer_tests() + fw_net_eth_tests() + fw_net_arp_tests() + fw_net_ipv4_tests() +
              fw_net_icmp_tests() + fw_net_udp_tests() + fw_net_dhcp_tests() + fw_net_echo_tests();
    failed += fw_app_udp_tests();
    unsigned missing = vmio_coverage_report();
    printf("coverage: %u row(s) never exercised, %d test failure(s)\n", missing, failed);
    return failed || missing ? 1 : 0;
}
