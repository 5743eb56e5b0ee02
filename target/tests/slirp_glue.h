/* slirp_glue: libslirp (the user-mode network QEMU's "-netdev user" runs) as the other end
 * of the fake NIC of net_test_util, for the host tests that check the stack against a real,
 * independent implementation (net_slirp, fw_app_slirp). QEMU's default set-up: network
 * 10.0.2.0/24, host and DHCP server 10.0.2.2, first lease 10.0.2.15, DNS 10.0.2.3.
 * slirp's timers are not run (only IPv6 router advertisements use them; IPv6 is off). */
#ifndef SLIRP_GLUE_H
#define SLIRP_GLUE_H
#include <slirp/libslirp.h>

extern Slirp *sl;                               /* the instance (slirp_add_hostfwd...) */
extern unsigned sl_guest_errors, sl_dropped;    /* slirp's guest errors; frames we dropped */

void sl_open(void);     /* asserts (cmocka) that slirp_new worked; counters zeroed */
void sl_close(void);
/* A UDP host forward 127.0.0.1:P -> 10.0.2.15:guest_port with a free host port P (bind to
 * 0, read it back, release); *host = the address a host socket sends to. Asserts success. */
struct sockaddr_in;
void sl_forward_udp(int guest_port, struct sockaddr_in *host);
/* One round: our frames -> slirp, slirp's frames -> us, slirp's sockets polled (wait at
 * most wait_ms), and a 10 ms tick of our timers. */
void pump(int wait_ms);
#endif
