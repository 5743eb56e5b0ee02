/* TEMPORARY STAND-IN for the Ethernet link backends (sim/link/eth_link.h), written by the
 * USB device-model work so that the NIC models and their tests build before the real
 * backends (eth_peer, slirp, tap, pcap) are merged. It implements only the "null"
 * backend. DELETE THIS FILE when the real sim/link/eth_*.c land: they provide every
 * symbol below and the CMake glob picks them up. */
#include "link/eth_link.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eth_link {
    sim_t *sim;
    eth_link_rx_fn rx;
    void *nic;
    eth_link_stats_t st;
};

eth_link_t *eth_link_open(sim_t *sim, const char *spec)
{
    if (!spec || strcmp(spec, "null") != 0) {
        fprintf(stderr, "bcm2835-sim: eth link '%s': only \"null\" is available in this build\n", spec ? spec : "");
        return NULL;
    }
    eth_link_t *l = calloc(1, sizeof *l);
    if (l) l->sim = sim;
    return l;
}

void eth_link_close(eth_link_t *l) { free(l); }

void eth_link_attach(eth_link_t *l, eth_link_rx_fn rx, void *nic)
{
    l->rx = rx;
    l->nic = nic;
}

int eth_link_send(eth_link_t *l, const uint8_t *frame, size_t len)
{
    (void)frame;
    if (len < ETH_LINK_MIN_FRAME || len > ETH_LINK_MAX_FRAME) {
        l->st.bad_frames++;
        return -1;
    }
    l->st.tx_frames++;
    l->st.tx_bytes += len;
    return 0;
}

int eth_link_set_pcap(eth_link_t *l, const char *path)
{
    (void)l;
    fprintf(stderr, "bcm2835-sim: pcap '%s': not available in this build\n", path);
    return -1;
}

int eth_link_set_report(eth_link_t *l, const char *path)
{
    (void)l;
    (void)path;
    return -1;
}

bool eth_link_idle(eth_link_t *l, bool block)
{
    (void)l;
    (void)block;
    return false;
}

bool eth_link_done(const eth_link_t *l)
{
    (void)l;
    return false;
}

void eth_link_get_stats(const eth_link_t *l, eth_link_stats_t *out) { *out = l->st; }
