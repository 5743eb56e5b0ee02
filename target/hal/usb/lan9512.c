/* SMSC LAN9512/9514 Ethernet function (register facts: bcm2835/lan9512.h, framing:
 * lan9512_frame.c). Not testable on QEMU; written from the datasheet and mirrored by the
 * simulator's device model.
 *
 * Bind: SET_CONFIGURATION, lite reset (HW_CFG.LRST), PHY reset (PM_CTRL.PHY_RST), board
 * MAC from the mailbox into ADDRL/ADDRH, bulk-in framing: multiple frames per transfer
 * (MEF) with the burst cap (BCE, BURST_CAP in bulk-in max packets) set to our bulk-in
 * transfer size so no transfer ever exceeds the buffer, NAK on an empty bulk-in (BIR),
 * no RX data offset; PHY autonegotiation advertising 10/100 half/full with pause; PHY
 * interrupts (autoneg complete, link down) reported on the interrupt endpoint; MAC TX/RX
 * and the TX path on. Every register poll is bounded. */
#include "hal/usb/usbnet.h"
#include "hal/mbox.h"
#include "hal/systimer.h"
#include "bcm2835/lan9512.h"
#include "bcm2835/usb.h"
#include "platform.h"
#include "err.h"

#define LAN_RESET_TIMEOUT_US 1000000u
#define LAN_MII_TIMEOUT_US   100000u
#define LAN_POLL_US          1000u
#define LAN_INT_POLL_MIN     8u   /* frames / microframes between interrupt-EP polls */

static int lan_rd(usb_device_t *d, uint16_t reg, uint32_t *v)
{
    uint8_t b[4];
    uint32_t got = 0;
    int rc = usb_control(d, USB_RT_DIR_IN | USB_RT_TYPE_VENDOR | USB_RT_RECIP_DEVICE,
                         LAN9512_REQ_READ_REG, 0, reg, b, 4, &got);
    if (rc)
        return rc;
    if (got != 4)
        return ERR_IO;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return ERR_OK;
}

static int lan_wr(usb_device_t *d, uint16_t reg, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return usb_control(d, USB_RT_TYPE_VENDOR | USB_RT_RECIP_DEVICE, LAN9512_REQ_WRITE_REG, 0, reg, b, 4, 0);
}

/* Waits until (reg & mask) == 0. */
static int lan_wait_clear(usb_device_t *d, uint16_t reg, uint32_t mask, uint32_t timeout_us)
{
    uint32_t t0 = st_now32(), v;
    for (;;) {
        int rc = lan_rd(d, reg, &v);
        if (rc)
            return rc;
        if (!(v & mask))
            return ERR_OK;
        if (st_now32() - t0 > timeout_us)
            return ERR_TIMEOUT;
        st_delay_us(LAN_POLL_US);
    }
}

static int lan_mii_rd(usb_device_t *d, unsigned reg, uint16_t *v)
{
    uint32_t x;
    int rc = lan_wait_clear(d, LAN9512_MII_ADDR, LAN9512_MII_BUSY, LAN_MII_TIMEOUT_US);
    if (!rc)
        rc = lan_wr(d, LAN9512_MII_ADDR, (LAN9512_PHY_ADDR << LAN9512_MII_PHY_SHIFT) |
                                              ((uint32_t)reg << LAN9512_MII_REG_SHIFT) | LAN9512_MII_BUSY);
    if (!rc)
        rc = lan_wait_clear(d, LAN9512_MII_ADDR, LAN9512_MII_BUSY, LAN_MII_TIMEOUT_US);
    if (!rc)
        rc = lan_rd(d, LAN9512_MII_DATA, &x);
    if (!rc)
        *v = (uint16_t)x;
    return rc;
}

static int lan_mii_wr(usb_device_t *d, unsigned reg, uint16_t v)
{
    int rc = lan_wait_clear(d, LAN9512_MII_ADDR, LAN9512_MII_BUSY, LAN_MII_TIMEOUT_US);
    if (!rc)
        rc = lan_wr(d, LAN9512_MII_DATA, v);
    if (!rc)
        rc = lan_wr(d, LAN9512_MII_ADDR, (LAN9512_PHY_ADDR << LAN9512_MII_PHY_SHIFT) |
                                              ((uint32_t)reg << LAN9512_MII_REG_SHIFT) | LAN9512_MII_WRITE |
                                              LAN9512_MII_BUSY);
    if (!rc)
        rc = lan_wait_clear(d, LAN9512_MII_ADDR, LAN9512_MII_BUSY, LAN_MII_TIMEOUT_US);
    return rc;
}

/* BMSR link status latches low (802.3 22.2.4.2.13): the second read is the current one. */
static int lan_link_now(usb_device_t *d, int *up)
{
    uint16_t s;
    int rc = lan_mii_rd(d, MII_BMSR, &s);
    if (!rc)
        rc = lan_mii_rd(d, MII_BMSR, &s);
    if (!rc)
        *up = (s & MII_BMSR_LSTATUS) != 0;
    return rc;
}

int lan9512_bind(usb_device_t *d, usbnet_t *n)
{
    static uint8_t cfg[USB_CTRL_BUF] __attribute__((aligned(4)));
    static usb_config_info_t ci;
    size_t len;
    uint32_t v;
    int rc;

    if (d->desc.vid != USB_VID_SMSC || d->desc.pid != USB_PID_SMSC_LAN9512)
        return ERR_NOTSUP;
    *n = (usbnet_t){0};
    n->kind = ETH_LAN9512;
    n->dev = d;
    if ((rc = usb_get_config(d, 0, cfg, sizeof cfg, &len)))
        return rc;
    if ((rc = usb_desc_config(cfg, len, &ci))) {
        usb_stats.bad_descriptors++;
        return rc;
    }
    usb_ep_info_t in, out, it;
    if (usb_desc_find_ep(&ci, -1, USB_EP_XFER_BULK, 1, &in) || usb_desc_find_ep(&ci, -1, USB_EP_XFER_BULK, 0, &out))
        return ERR_NOTSUP;
    if ((rc = usb_set_configuration(d, ci.value)))
        return rc;
    usb_ep_make(d, &in, &n->bulk_in);
    usb_ep_make(d, &out, &n->bulk_out);
    if (usb_desc_find_ep(&ci, -1, USB_EP_XFER_INT, 1, &it) == ERR_OK) {
        usb_ep_make(d, &it, &n->intr_in);
        if (n->intr_in.interval < LAN_INT_POLL_MIN)
            n->intr_in.interval = LAN_INT_POLL_MIN;
        n->has_intr = 1;
    }

    /* lite reset, then PHY reset */
    if ((rc = lan_rd(d, LAN9512_HW_CFG, &v)) || (rc = lan_wr(d, LAN9512_HW_CFG, v | LAN9512_HW_CFG_LRST)) ||
        (rc = lan_wait_clear(d, LAN9512_HW_CFG, LAN9512_HW_CFG_LRST, LAN_RESET_TIMEOUT_US)))
        return rc;
    if ((rc = lan_wr(d, LAN9512_PM_CTRL, LAN9512_PM_CTRL_PHY_RST)) ||
        (rc = lan_wait_clear(d, LAN9512_PM_CTRL, LAN9512_PM_CTRL_PHY_RST, LAN_RESET_TIMEOUT_US)))
        return rc;

    /* the board MAC (the firmware derives it from the serial number) */
    if (mbox_get_mac(n->mac)) {
        static const uint8_t dflt[6] = {0x02, 0x00, 0x5E, 0x00, 0x00, 0x01}; /* locally administered */
        for (int i = 0; i < 6; i++)
            n->mac[i] = dflt[i];
        n->mac_fallback++;
    }
    if ((rc = lan_wr(d, LAN9512_ADDRL, (uint32_t)n->mac[0] | (uint32_t)n->mac[1] << 8 |
                                           (uint32_t)n->mac[2] << 16 | (uint32_t)n->mac[3] << 24)) ||
        (rc = lan_wr(d, LAN9512_ADDRH, (uint32_t)n->mac[4] | (uint32_t)n->mac[5] << 8)))
        return rc;

    /* bulk-in: several frames per transfer, never more than USBNET_RX_XFER bytes; no
     * bulk-in delay (the chip would otherwise hold a partial transfer ~34 us by default,
     * waiting for more frames: latency matters more to us than batching) */
    if ((rc = lan_wr(d, LAN9512_BURST_CAP, USBNET_RX_XFER / n->bulk_in.mps)) ||
        (rc = lan_wr(d, LAN9512_BULK_IN_DLY, 0)) ||
        (rc = lan_rd(d, LAN9512_HW_CFG, &v)))
        return rc;
    v &= ~(3u << LAN9512_HW_CFG_RXDOFF_SHIFT);
    v |= LAN9512_HW_CFG_MEF | LAN9512_HW_CFG_BCE | LAN9512_HW_CFG_BIR;
    if ((rc = lan_wr(d, LAN9512_HW_CFG, v)) || (rc = lan_wr(d, LAN9512_INT_STS, 0xFFFFFFFFu)))
        return rc;

    /* PHY: advertise 10/100 half/full + pause, restart autonegotiation, interrupts */
    uint16_t x;
    if ((rc = lan_mii_wr(d, MII_ADVERTISE, MII_ADVERTISE_CSMA | MII_ADVERTISE_ALL | MII_ADVERTISE_PAUSE)) ||
        (rc = lan_mii_wr(d, MII_BMCR, MII_BMCR_ANENABLE | MII_BMCR_ANRESTART)) ||
        (rc = lan_mii_rd(d, LAN9512_PHY_INT_SRC, &x)) ||
        (rc = lan_mii_wr(d, LAN9512_PHY_INT_MASK, LAN9512_PHY_INT_ANEG_COMP | LAN9512_PHY_INT_LINK_DOWN)) ||
        (rc = lan_wr(d, LAN9512_INT_EP_CTL, LAN9512_INT_EP_CTL_PHY_INT)))
        return rc;

    /* link/speed/duplex LEDs on the GPIOs the Pi 1B wires to its Ethernet LEDs */
    if ((rc = lan_wr(d, LAN9512_LED_GPIO_CFG, LAN9512_LED_GPIO_CFG_SPD_LED | LAN9512_LED_GPIO_CFG_LNK_LED |
                                                  LAN9512_LED_GPIO_CFG_FDX_LED)))
        return rc;
    /* MAC: directed + broadcast frames only (no promiscuous, multicast pass-all, hash
     * filters, loopback, bad-frame pass), transmitter and receiver on; duplex follows the
     * link partner in lan9512_link_update */
    if ((rc = lan_rd(d, LAN9512_MAC_CR, &v)))
        return rc;
    v &= ~(LAN9512_MAC_CR_RXALL | LAN9512_MAC_CR_PRMS | LAN9512_MAC_CR_MCPAS | LAN9512_MAC_CR_HPFILT |
           LAN9512_MAC_CR_HFILT | LAN9512_MAC_CR_INVFILT | LAN9512_MAC_CR_PASSBAD | LAN9512_MAC_CR_BCAST |
           LAN9512_MAC_CR_LOOPBK);
    if ((rc = lan_wr(d, LAN9512_MAC_CR, v | LAN9512_MAC_CR_TXEN | LAN9512_MAC_CR_RXEN)) ||
        (rc = lan_wr(d, LAN9512_TX_CFG, LAN9512_TX_CFG_ON)))
        return rc;
    int up = 0;
    if ((rc = lan_link_now(d, &up)))
        return rc;
    n->link = (uint8_t)up;
    n->tx_hdr = LAN9512_TX_HDR_LEN;
    plat_log("usb: lan9512 on dev %u: in 0x%02x out 0x%02x int 0x%02x link %d", d->addr, in.addr, out.addr,
             n->has_intr ? it.addr : 0, up);
    if (up)
        (void)lan9512_link_update(n);
    return ERR_OK;
}

int lan9512_link_update(usbnet_t *n)
{
    usb_device_t *d = n->dev;
    uint16_t src, adv, lpa;
    uint32_t cr;
    int up, rc;
    if ((rc = lan_mii_rd(d, LAN9512_PHY_INT_SRC, &src)) || (rc = lan_link_now(d, &up)))
        return rc;
    (void)lan_wr(d, LAN9512_INT_STS, LAN9512_INT_STS_PHY_INT);
    if (!up)
        return 0;
    if ((rc = lan_mii_rd(d, MII_ADVERTISE, &adv)) || (rc = lan_mii_rd(d, MII_LPA, &lpa)) ||
        (rc = lan_rd(d, LAN9512_MAC_CR, &cr)))
        return rc;
    uint16_t common = adv & lpa;
    /* 802.3 annex 28B: 100 full (bit 8) or, without 100 half, 10 full (bit 6) */
    int full = (common & 0x0100u) || (!(common & 0x0080u) && (common & 0x0040u));
    cr = full ? (cr | LAN9512_MAC_CR_FDPX) : (cr & ~LAN9512_MAC_CR_FDPX);
    if ((rc = lan_wr(d, LAN9512_MAC_CR, cr)))
        return rc;
    return 1;
}
