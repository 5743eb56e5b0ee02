/* SMSC LAN9512 (Pi 1B): a USB 2.0 hub (0424:9512, 3 downstream ports) whose port 1
 * carries the Ethernet function (0424:ec00, high speed): vendor register access by
 * control requests, MAC with address filter, internal PHY reached through MII, bulk OUT
 * frames behind TX command words A/B, bulk IN frames behind RX status words, interrupt
 * endpoint with INT_STS. Register offsets and bits: sim-private (usbdev_lan9512.c) until
 * they are merged with the firmware's target/include/bcm2835/lan9512.h.
 *
 * Frames reach the link (eth_link_send) when a TX buffer with LAST_SEG completes, while
 * MAC_CR.TXEN and TX_CFG.ON are set; frames from the link are accepted while MAC_CR.RXEN
 * is set and the address filter passes them, queued (LAN9512_RXQ frames, the RX FIFO),
 * and leave on bulk IN as [status word][RXDOFF bytes][frame][FCS][pad to 4]. With
 * HW_CFG.MEF several frames share one bulk-in transfer up to BURST_CAP; without it each
 * transfer carries one frame. With HW_CFG.BIR an empty bulk-in answers NAK, else (reset value) a ZLP. */
#ifndef SIM_PERIPH_USBDEV_LAN9512_H
#define SIM_PERIPH_USBDEV_LAN9512_H
#include "periph/usbdev.h"
#include "periph/usbdev_hub.h"
#include "link/eth_link.h"

#define LAN9512_RXQ 32u
#define LAN9512_MAX_FRAME 1514u
#define LAN9512_XFER_MAX 18944u         /* largest bulk-in transfer assembled (BURST_CAP 37) */
#define LAN9512_ANEG_MS 50u             /* PHY reset / auto-negotiation to link up */

typedef struct usbdev_lan9512_eth {
    usbdev_t dev;
    eth_link_t *link;
    uint8_t dev_desc[18];
    /* registers */
    uint32_t int_reported;          /* INT_STS bits already sent on the interrupt endpoint */
    uint32_t int_sts, rx_cfg, tx_cfg, hw_cfg, pm_ctrl, led_gpio_cfg, gpio_cfg, afc_cfg, e2p_cmd, e2p_data;
    uint32_t burst_cap, gpio_wake, int_ep_ctl, bulk_in_dly, mac_cr, addrh, addrl, hashh, hashl, mii_addr,
        mii_data, flow, vlan1, vlan2, wucsr, coe_cr;
    /* PHY (MII registers 0..31) */
    uint16_t phy[32];
    sim_timer_t aneg_timer;
    /* TX command-word parser over the bulk OUT byte stream */
    enum { TXP_CMD_A, TXP_CMD_B, TXP_OFFSET, TXP_DATA, TXP_PAD, TXP_DISCARD } txp;
    uint8_t txw[8];
    unsigned txw_len, tx_seg_left, tx_skip, tx_consumed;
    uint32_t tx_cmd_a, tx_cmd_b;
    uint8_t tx[LAN9512_MAX_FRAME + 64];
    unsigned tx_len;
    bool tx_in_frame;
    /* RX FIFO and the bulk-in transfer being sent */
    struct { uint16_t len; uint64_t at; uint8_t data[LAN9512_MAX_FRAME]; } rxq[LAN9512_RXQ];
    sim_timer_t dly_timer;          /* end of the bulk-in aggregation delay */
    unsigned rx_head, rx_count;
    uint8_t xfer[LAN9512_XFER_MAX];
    unsigned xfer_len, xfer_pos;
    bool xfer_active;
    void (*tx_tap)(void *ctx, const uint8_t *frame, size_t len);
    void *tx_tap_ctx;
    struct {
        uint64_t reg_reads, reg_writes, bad_reg, mii_ops, unmodelled;
        uint64_t tx_frames, tx_bytes, tx_cmd_errors, tx_disabled_drops, tx_link_drops;
        uint64_t rx_frames, rx_bytes, rx_disabled_drops, rx_filtered, rx_fifo_full, rx_bad, rx_xfers, rx_delayed;
    } stats;
} usbdev_lan9512_eth_t;

typedef struct usbdev_lan9512 {
    usbdev_hub_t hub;
    usbdev_lan9512_eth_t eth;
} usbdev_lan9512_t;

/* Build the hub with the Ethernet function on port 1. The MAC registers come out of
 * reset as ff:ff:ff:ff:ff:ff (no EEPROM on the Pi: the driver programs ADDRH/ADDRL). */
void usbdev_lan9512_init(usbdev_lan9512_t *l, sim_t *sim, eth_link_t *link);
void usbdev_lan9512_fini(usbdev_lan9512_t *l);
/* the link's receive callback (eth_link_rx_fn) on the Ethernet function */
bool usbdev_lan9512_rx(void *nic, const uint8_t *frame, size_t len);
/* CRC-32 of IEEE 802.3 (the FCS appended to received frames) */
uint32_t usbdev_lan9512_crc32(const uint8_t *p, size_t n);
#endif
