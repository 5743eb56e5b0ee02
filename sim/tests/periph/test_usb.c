/* DWC2 host controller + USB device models, driven from C through the registers as a
 * firmware driver would (qtest style): core reset, root port, enumeration of the hub and
 * of the device behind it with real control transfers through host channels, the
 * LAN9512 (registers, MII, TX command words, RX status words) and the CDC-ECM NIC
 * (bulk frames both ways, notifications), NAK/STALL/recovery, bad guest input. */
#include "devtest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/dwc2.h"
#include "bcm2835/ic.h"
#include "link/eth_link.h"
#include "periph/dwc2.h"
#include "periph/usbdev_cdc_ecm.h"
#include "periph/usbdev_hub.h"
#include "periph/usbdev_lan9512.h"
#include <string.h>

#define R(off) (BCM2835_USB_BASE + (off))
#define SETUP_BUF 0x00100000u
#define DATA_BUF 0x00101000u
#define BIG_BUF 0x00110000u
#define STEP_NS 10000u   /* polling step: 10 us of simulated time */

static void ram_w(sim_t *s, uint32_t a, const void *p, size_t n) { CHECK(sim_phys_write(s, a, p, n) == 0); }
static void ram_r(sim_t *s, uint32_t a, void *p, size_t n) { CHECK(sim_phys_read(s, a, p, n) == 0); }
static void adv_ns(sim_t *s, uint64_t ns) { sim_advance(s, sim_ns_to_cycles(s, ns)); }

/* ---- a tiny host driver ---------------------------------------------------------------- */
static void core_init(sim_t *s)
{
    wr(s, R(DWC2_GRSTCTL), DWC2_GRSTCTL_CSFTRST);
    adv_ns(s, STEP_NS);
    wr(s, R(DWC2_GAHBCFG), DWC2_GAHBCFG_DMA_EN | DWC2_GAHBCFG_GLBL_INTR_EN);
    wr(s, R(DWC2_GINTMSK), DWC2_GINT_PRTINT | DWC2_GINT_HCHINT);
    wr(s, R(DWC2_HAINTMSK), 0xFFu);
}

static void port_reset(sim_t *s)
{
    uint32_t p = rd(s, R(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK;
    wr(s, R(DWC2_HPRT0), p | DWC2_HPRT0_RST);
    adv_ns(s, 50000000u); /* 50 ms, as USB 2.0 7.1.7.5 asks of a root port */
    wr(s, R(DWC2_HPRT0), p & ~DWC2_HPRT0_RST);
    wr(s, R(DWC2_HPRT0), (rd(s, R(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK) | DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG);
}

/* start a transfer on channel ch; returns without waiting */
static void xfer_start(sim_t *s, unsigned ch, unsigned addr, unsigned ep, unsigned type, bool in, unsigned pid,
                       unsigned mps, uint32_t buf, unsigned len, unsigned pkts, uint32_t split)
{
    wr(s, R(DWC2_HC(ch, DWC2_HCINT)), 0xFFFFFFFFu);
    wr(s, R(DWC2_HC(ch, DWC2_HCINTMSK)), DWC2_HCINT_CHHLTD);
    wr(s, R(DWC2_HC(ch, DWC2_HCSPLT)), split);
    wr(s, R(DWC2_HC(ch, DWC2_HCTSIZ)), len | (pkts << DWC2_HCTSIZ_PKTCNT_SHIFT) | (pid << DWC2_HCTSIZ_PID_SHIFT));
    wr(s, R(DWC2_HC(ch, DWC2_HCDMA)), DWC2_BUS_ADDR(buf));
    wr(s, R(DWC2_HC(ch, DWC2_HCCHAR)), mps | (ep << DWC2_HCCHAR_EPNUM_SHIFT) | (in ? DWC2_HCCHAR_EPDIR_IN : 0) |
                                          (type << DWC2_HCCHAR_EPTYPE_SHIFT) | (addr << DWC2_HCCHAR_DEVADDR_SHIFT) |
                                          DWC2_HCCHAR_CHENA);
}

/* poll until the channel halts (bounded); returns HCINT, 0 if it never halted */
static uint32_t xfer_wait(sim_t *s, unsigned ch, unsigned max_steps)
{
    for (unsigned i = 0; i < max_steps; i++) {
        uint32_t v = rd(s, R(DWC2_HC(ch, DWC2_HCINT)));
        if (v & DWC2_HCINT_CHHLTD) return v;
        adv_ns(s, STEP_NS);
    }
    return 0;
}

static uint32_t xfer(sim_t *s, unsigned ch, unsigned addr, unsigned ep, unsigned type, bool in, unsigned pid,
                     unsigned mps, uint32_t buf, unsigned len, unsigned pkts)
{
    xfer_start(s, ch, addr, ep, type, in, pid, mps, buf, len, pkts, 0);
    return xfer_wait(s, ch, 2000);
}

static unsigned residue(sim_t *s, unsigned ch) { return rd(s, R(DWC2_HC(ch, DWC2_HCTSIZ))) & DWC2_HCTSIZ_XFERSIZE_MASK; }

/* control transfer on channel 0: data-stage bytes, or -1 setup failed, -2 data stage
 * not completed (STALL...), -3 status stage failed */
static int control(sim_t *s, unsigned addr, unsigned mps, uint8_t rt, uint8_t req, uint16_t val, uint16_t idx,
                   uint16_t len, void *data)
{
    uint8_t su[8] = { rt, req, (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)idx, (uint8_t)(idx >> 8), (uint8_t)len,
                      (uint8_t)(len >> 8) };
    bool in = rt & 0x80u;
    ram_w(s, SETUP_BUF, su, 8);
    if (!in && len) ram_w(s, DATA_BUF, data, len);
    uint32_t r = xfer(s, 0, addr, 0, DWC2_EP_CONTROL, false, DWC2_PID_SETUP, mps, SETUP_BUF, 8, 1);
    if (!(r & DWC2_HCINT_XFERCOMPL)) return -1;
    int n = 0;
    if (len) {
        r = xfer(s, 0, addr, 0, DWC2_EP_CONTROL, in, DWC2_PID_DATA1, mps, DATA_BUF, len, (len + mps - 1) / mps);
        if (!(r & DWC2_HCINT_XFERCOMPL)) return -2;
        n = (int)(len - residue(s, 0));
        if (in) ram_r(s, DATA_BUF, data, (size_t)n);
    }
    r = xfer(s, 0, addr, 0, DWC2_EP_CONTROL, !(in && len), DWC2_PID_DATA1, mps, DATA_BUF, 0, 1);
    if (!(r & DWC2_HCINT_XFERCOMPL)) return -3;
    return n;
}

/* hub port request helpers (class, recipient other) */
static int hub_port(sim_t *s, unsigned addr, bool set, unsigned feat, unsigned port)
{
    return control(s, addr, 64, 0x23, set ? USB_REQ_SET_FEATURE : USB_REQ_CLEAR_FEATURE, (uint16_t)feat,
                   (uint16_t)port, 0, NULL);
}
static uint32_t hub_port_status(sim_t *s, unsigned addr, unsigned port)
{
    uint8_t st[4] = { 0 };
    CHECK_EQ(control(s, addr, 64, 0xA3, USB_REQ_GET_STATUS, 0, (uint16_t)port, 4, st), 4);
    return usbdev_get32(st);
}

/* enumerate the hub on the root port (address hub_addr), power port 1, reset it and
 * address the device behind it as dev_addr */
static void enumerate_hub_and_port1(sim_t *s, unsigned hub_addr, unsigned dev_addr, unsigned dev_mps0)
{
    uint8_t d[64];
    core_init(s);
    port_reset(s);
    CHECK_EQ(control(s, 0, 8, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 8, d), 8);
    CHECK_EQ(control(s, 0, 64, 0x00, USB_REQ_SET_ADDRESS, (uint16_t)hub_addr, 0, 0, NULL), 0);
    CHECK_EQ(control(s, hub_addr, 64, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
    CHECK_EQ(hub_port(s, hub_addr, true, USBHUB_F_PORT_POWER, 1), 0);
    CHECK_EQ(hub_port(s, hub_addr, true, USBHUB_F_PORT_RESET, 1), 0);
    adv_ns(s, (USBHUB_RESET_MS + 1) * 1000000ull);
    CHECK(hub_port_status(s, hub_addr, 1) & USBHUB_PS_ENABLE);
    CHECK_EQ(hub_port(s, hub_addr, false, USBHUB_F_C_PORT_RESET, 1), 0);
    CHECK_EQ(hub_port(s, hub_addr, false, USBHUB_F_C_PORT_CONNECTION, 1), 0);
    CHECK_EQ(control(s, 0, 8, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 8, d), 8);
    CHECK_EQ(d[7], dev_mps0);
    CHECK_EQ(control(s, 0, dev_mps0, 0x00, USB_REQ_SET_ADDRESS, (uint16_t)dev_addr, 0, 0, NULL), 0);
    CHECK_EQ(control(s, dev_addr, dev_mps0, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
}

/* ---- tests --------------------------------------------------------------------------------- */
static void test_core_reset(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    CHECK_EQ(rd(s, R(DWC2_GSNPSID)), 0x4F54280Au);
    uint32_t hw2 = rd(s, R(DWC2_GHWCFG2));
    CHECK_EQ((hw2 >> DWC2_GHWCFG2_NUM_HOST_CHAN_SHIFT) & 0xFu, 7u);    /* 8 channels */
    CHECK_EQ((hw2 >> DWC2_GHWCFG2_OTG_ARCH_SHIFT) & 3u, 2u);           /* internal DMA */
    CHECK(hw2 & DWC2_GHWCFG2_DYNAMIC_FIFO);
    CHECK_EQ(rd(s, R(DWC2_GHWCFG3)) >> DWC2_GHWCFG3_DFIFO_DEPTH_SHIFT, 4080u);
    CHECK(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_CURMODE_HOST);
    CHECK(rd(s, R(DWC2_GRSTCTL)) & DWC2_GRSTCTL_AHBIDLE);
    wr(s, R(DWC2_GRSTCTL), DWC2_GRSTCTL_CSFTRST);
    CHECK(rd(s, R(DWC2_GRSTCTL)) & DWC2_GRSTCTL_CSFTRST);              /* takes a while */
    adv_ns(s, 2000);
    CHECK_EQ(rd(s, R(DWC2_GRSTCTL)), DWC2_GRSTCTL_AHBIDLE);            /* self-cleared */
    CHECK_EQ(soc_usb(sim_soc(s))->stats.core_resets, 1);
    /* GINTSTS: W1C on SOF, read-only CURMODE */
    wr(s, R(DWC2_GINTSTS), 0xFFFFFFFFu);
    CHECK(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_CURMODE_HOST);
    CHECK(!dt_irq(s));
    sim_free(s);
}

static void test_port_reset_enable_speed(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE1, 1u << BCM2835_IRQ_USB);
    core_init(s);
    uint32_t p = rd(s, R(DWC2_HPRT0));
    CHECK(p & DWC2_HPRT0_PWR);
    CHECK(p & DWC2_HPRT0_CONNSTS);
    CHECK(p & DWC2_HPRT0_CONNDET);
    CHECK_EQ((p & DWC2_HPRT0_SPD_MASK) >> DWC2_HPRT0_SPD_SHIFT, DWC2_SPEED_HIGH); /* LAN9512 hub */
    CHECK(!(p & DWC2_HPRT0_ENA));
    CHECK(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_PRTINT);
    CHECK(dt_irq(s));
    wr(s, R(DWC2_HPRT0), (p & ~DWC2_HPRT0_W1C_MASK) | DWC2_HPRT0_CONNDET);   /* W1C */
    CHECK(!(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_PRTINT));
    CHECK(!dt_irq(s));
    CHECK_EQ(rd(s, R(DWC2_HFNUM)) & 0xFFFFu, 0x3FFFu); /* no SOFs before the port is enabled */
    p = rd(s, R(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK;
    wr(s, R(DWC2_HPRT0), p | DWC2_HPRT0_RST);
    adv_ns(s, 50000000u);
    CHECK(!(rd(s, R(DWC2_HPRT0)) & DWC2_HPRT0_ENA));
    wr(s, R(DWC2_HPRT0), p);
    p = rd(s, R(DWC2_HPRT0));
    CHECK(p & DWC2_HPRT0_ENA);
    CHECK(p & DWC2_HPRT0_ENACHG);
    CHECK(dt_irq(s));
    /* frames: 125 us microframes at high speed */
    uint32_t f0 = rd(s, R(DWC2_HFNUM)) & 0xFFFFu;
    adv_ns(s, 1000000u);
    CHECK_EQ(((rd(s, R(DWC2_HFNUM)) & 0xFFFFu) - f0) & 0x3FFFu, 8u);
    /* writing ENA (W1C) disables the port; the device is unreachable */
    wr(s, R(DWC2_HPRT0), (rd(s, R(DWC2_HPRT0)) & ~DWC2_HPRT0_W1C_MASK) | DWC2_HPRT0_ENA | DWC2_HPRT0_ENACHG);
    CHECK(!(rd(s, R(DWC2_HPRT0)) & DWC2_HPRT0_ENA));
    sim_free(s);

    /* pi0 + cdc-ecm: QEMU's full-speed hub on the root port */
    s = dt_new(SIM_BOARD_PI0);
    CHECK(!(rd(s, R(DWC2_HPRT0)) & DWC2_HPRT0_CONNSTS)); /* nothing attached by default */
    CHECK_EQ(soc_usb_setup(sim_soc(s), "cdc-ecm", "null"), 0);
    p = rd(s, R(DWC2_HPRT0));
    CHECK(p & DWC2_HPRT0_CONNSTS);
    CHECK_EQ((p & DWC2_HPRT0_SPD_MASK) >> DWC2_HPRT0_SPD_SHIFT, DWC2_SPEED_FULL);
    CHECK(soc_usb_setup(sim_soc(s), "bogus", "null") != 0);
    sim_free(s);
}

static void test_enumerate_hub_and_lan9512(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    core_init(s);
    port_reset(s);
    uint8_t d[256];
    static const uint8_t hub_dd[18] = { 18, 1, 0x00, 0x02, 0x09, 0x00, 0x01, 64, 0x24, 0x04, 0x12, 0x95,
                                        0x00, 0x01, 0, 0, 0, 1 };
    memset(d, 0xEE, sizeof d);
    CHECK_EQ(control(s, 0, 8, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, d), 18); /* mps 8 first: 3 packets */
    CHECK(!memcmp(d, hub_dd, 18));
    CHECK_EQ(control(s, 0, 64, 0x00, USB_REQ_SET_ADDRESS, 5, 0, 0, NULL), 0);
    CHECK_EQ(control(s, 0, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, d), -1); /* nobody at 0 any more */
    CHECK_EQ(control(s, 5, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255, d), 25);
    static const uint8_t hub_cd[25] = { 9, 2, 25, 0, 1, 1, 0, 0xE0, 1, 9, 4, 0, 0, 1, 9, 0, 0, 0,
                                        7, 5, 0x81, 3, 1, 0, 0x0C };
    CHECK(!memcmp(d, hub_cd, 25));
    CHECK_EQ(control(s, 5, 64, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
    CHECK_EQ(control(s, 5, 64, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, d), 1);
    CHECK_EQ(d[0], 1);
    static const uint8_t hub_desc[9] = { 9, 0x29, 3, 0x09, 0x00, 10, 0, 0x00, 0xFF };
    CHECK_EQ(control(s, 5, 64, 0xA0, USB_REQ_GET_DESCRIPTOR, 0x2900, 0, 64, d), 9);
    CHECK(!memcmp(d, hub_desc, 9));
    /* port 1: power -> connection (high speed) -> status change endpoint reports it */
    CHECK_EQ(hub_port_status(s, 5, 1), 0);
    CHECK_EQ(hub_port(s, 5, true, USBHUB_F_PORT_POWER, 1), 0);
    CHECK_EQ(hub_port_status(s, 5, 1),
             (USBHUB_PC_CONNECTION << 16) | USBHUB_PS_HIGH_SPEED | USBHUB_PS_POWER | USBHUB_PS_CONNECTION);
    CHECK_EQ(hub_port_status(s, 5, 2) & 0xFFFFu, 0); /* ports 2, 3: nothing attached */
    uint32_t r = xfer(s, 1, 5, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA0, 1, DATA_BUF, 1, 1);
    CHECK_EQ(r & (DWC2_HCINT_XFERCOMPL | DWC2_HCINT_CHHLTD), DWC2_HCINT_XFERCOMPL | DWC2_HCINT_CHHLTD);
    ram_r(s, DATA_BUF, d, 1);
    CHECK_EQ(d[0], 0x02);
    CHECK_EQ(hub_port(s, 5, false, USBHUB_F_C_PORT_CONNECTION, 1), 0);
    /* nothing changed now: the interrupt IN is NAKed and the channel halts (as QEMU) */
    r = xfer(s, 1, 5, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA1, 1, DATA_BUF, 1, 1);
    CHECK_EQ(r & (DWC2_HCINT_NAK | DWC2_HCINT_CHHLTD | DWC2_HCINT_XFERCOMPL), DWC2_HCINT_NAK | DWC2_HCINT_CHHLTD);
    /* reset the port: 10 ms later it is enabled with C_PORT_RESET */
    CHECK_EQ(hub_port(s, 5, true, USBHUB_F_PORT_RESET, 1), 0);
    CHECK(hub_port_status(s, 5, 1) & USBHUB_PS_RESET);
    CHECK_EQ(control(s, 0, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, d), -1); /* not reachable yet */
    adv_ns(s, USBHUB_RESET_MS * 1000000ull);
    uint32_t st = hub_port_status(s, 5, 1);
    CHECK(st & USBHUB_PS_ENABLE);
    CHECK(!(st & USBHUB_PS_RESET));
    CHECK((st >> 16) & USBHUB_PC_RESET);
    r = xfer(s, 1, 5, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA1, 1, DATA_BUF, 1, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(hub_port(s, 5, false, USBHUB_F_C_PORT_RESET, 1), 0);
    /* the Ethernet function at address 0 */
    static const uint8_t eth_dd[18] = { 18, 1, 0x00, 0x02, 0xFF, 0x00, 0xFF, 64, 0x24, 0x04, 0x00, 0xEC,
                                        0x00, 0x02, 0, 0, 0, 1 };
    CHECK_EQ(control(s, 0, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, d), 18);
    CHECK(!memcmp(d, eth_dd, 18));
    CHECK_EQ(control(s, 0, 64, 0x00, USB_REQ_SET_ADDRESS, 6, 0, 0, NULL), 0);
    CHECK_EQ(control(s, 6, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 9, d), 9);
    CHECK_EQ(usbdev_get16(d + 2), 39);
    CHECK_EQ(control(s, 6, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 39, d), 39);
    CHECK_EQ(d[9 + 4], 3);                 /* three endpoints */
    CHECK_EQ(d[18 + 2], 0x81);             /* bulk IN, 512 */
    CHECK_EQ(usbdev_get16(d + 18 + 4), 512);
    CHECK_EQ(d[25 + 2], 0x02);             /* bulk OUT */
    CHECK_EQ(d[32 + 2], 0x83);             /* interrupt IN */
    CHECK_EQ(control(s, 6, 64, 0x00, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
    CHECK_EQ(control(s, 6, 64, 0x00, USB_REQ_SET_CONFIGURATION, 7, 0, 0, NULL), -3); /* no such config: STALL */
    CHECK(soc_usb(sim_soc(s))->stats.transfers > 40);
    /* the two probes of address 0 while nobody answered there */
    CHECK_EQ(soc_usb(sim_soc(s))->stats.guest_errors, 2);
    CHECK_EQ(soc_usb(sim_soc(s))->stats.no_device, 2);
    sim_free(s);
}

/* ---- LAN9512 --------------------------------------------------------------------------------- */
#define ETH 6u
static uint32_t lan_rd(sim_t *s, uint16_t reg)
{
    uint8_t b[4] = { 0 };
    CHECK_EQ(control(s, ETH, 64, 0xC0, 0xA1, 0, reg, 4, b), 4);
    return usbdev_get32(b);
}
static void lan_wr(sim_t *s, uint16_t reg, uint32_t v)
{
    uint8_t b[4];
    usbdev_put32(b, v);
    CHECK_EQ(control(s, ETH, 64, 0x40, 0xA0, 0, reg, 4, b), 4);
}
static uint16_t mii_rd(sim_t *s, unsigned reg)
{
    lan_wr(s, 0x114, (1u << 11) | (reg << 6) | 1u);
    CHECK(!(lan_rd(s, 0x114) & 1u));
    return (uint16_t)lan_rd(s, 0x118);
}

static sim_t *lan_board(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI1B);
    enumerate_hub_and_port1(s, 5, ETH, 64);
    return s;
}

static void test_lan9512_registers_mii(void)
{
    sim_t *s = lan_board();
    CHECK_EQ(lan_rd(s, 0x00), 0xEC000002u);         /* ID_REV */
    CHECK_EQ(lan_rd(s, 0x108), 0xFFFFFFFFu);        /* ADDRL: no EEPROM */
    lan_wr(s, 0x108, 0x12345678u);
    lan_wr(s, 0x104, 0x9ABCu);
    CHECK_EQ(lan_rd(s, 0x108), 0x12345678u);
    CHECK_EQ(lan_rd(s, 0x104), 0x9ABCu);
    CHECK_EQ(mii_rd(s, 2), 0x0007u);                /* PHY ID */
    CHECK_EQ(mii_rd(s, 3), 0xC0C3u);
    CHECK(mii_rd(s, 1) & 0x0004u);                  /* BMSR: link up */
    /* PHY reset: link down for LAN9512_ANEG_MS, then up with ANEG_COMP in the PHY's
     * interrupt source and INT_STS.PHY_INT reported on the interrupt endpoint */
    lan_wr(s, 0x118, 0x00C0u);                      /* PHY_INT_MASK: ANEG_COMP | ENERGY_ON */
    lan_wr(s, 0x114, (1u << 11) | (30u << 6) | 2u | 1u);
    lan_wr(s, 0x68, 1u << 15);                      /* INT_EP_CTL: PHY interrupt */
    lan_wr(s, 0x118, 0x8000u);
    lan_wr(s, 0x114, (1u << 11) | (0u << 6) | 2u | 1u); /* BMCR reset; it clears the mask too */
    CHECK(!(mii_rd(s, 1) & 0x0004u));
    lan_wr(s, 0x118, 0x0040u);
    lan_wr(s, 0x114, (1u << 11) | (30u << 6) | 2u | 1u);
    uint32_t r = xfer(s, 2, ETH, 3, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA0, 16, DATA_BUF, 16, 1);
    CHECK(r & DWC2_HCINT_NAK);
    adv_ns(s, LAN9512_ANEG_MS * 1000000ull);
    CHECK(mii_rd(s, 1) & 0x0024u);
    CHECK(lan_rd(s, 0x08) & (1u << 15));
    r = xfer(s, 2, ETH, 3, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA0, 16, DATA_BUF, 16, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(16 - residue(s, 2), 4);
    uint8_t w[4];
    ram_r(s, DATA_BUF, w, 4);
    CHECK(usbdev_get32(w) & (1u << 15));
    CHECK_EQ(mii_rd(s, 29) & 0x40u, 0x40u);         /* source read clears */
    CHECK_EQ(mii_rd(s, 29), 0);
    /* unknown register: STALL of the data stage; the next SETUP recovers the pipe */
    uint8_t b[4];
    CHECK_EQ(control(s, ETH, 64, 0xC0, 0xA1, 0, 0x0444, 4, b), -2);
    CHECK_EQ(lan_rd(s, 0x00), 0xEC000002u);
    /* checksum offload is not modelled: turning it on is counted */
    lan_wr(s, 0x130, 1u);
    CHECK_EQ(soc_lan9512(sim_soc(s))->eth.stats.unmodelled, 1);
    /* E2P: no EEPROM, the command times out */
    lan_wr(s, 0x30, 0x80000000u);
    CHECK_EQ(lan_rd(s, 0x30) & 0x80000400u, 0x400u);
    sim_free(s);
}

typedef struct {
    uint8_t f[4][1600];
    size_t len[4];
    unsigned n;
} tap_t;
static void tap_fn(void *ctx, const uint8_t *f, size_t len)
{
    tap_t *t = ctx;
    if (t->n < 4) {
        memcpy(t->f[t->n], f, len);
        t->len[t->n++] = len;
    }
}

static void fill_frame(uint8_t *f, unsigned len, uint8_t seed)
{
    static const uint8_t dst[6] = { 0xB8, 0x27, 0xEB, 0x00, 0x00, 0x01 }, src[6] = { 0x02, 0, 0, 0, 0, 0x99 };
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (unsigned i = 14; i < len; i++) f[i] = (uint8_t)(seed + i * 7u);
}

static void test_lan9512_tx_command_words(void)
{
    sim_t *s = lan_board();
    usbdev_lan9512_t *lan = soc_lan9512(sim_soc(s));
    tap_t tap = { .n = 0 };
    lan->eth.tx_tap = tap_fn;
    lan->eth.tx_tap_ctx = &tap;
    lan_wr(s, 0x100, (1u << 3) | (1u << 2)); /* MAC_CR TXEN | RXEN */
    lan_wr(s, 0x10, 1u << 2);                /* TX_CFG ON */
    /* two frames in one bulk transfer: [A][B][frame 1 (61 B)][pad 3][A][B][frame 2 (600 B)] */
    uint8_t buf[2048], f1[61], f2[600];
    fill_frame(f1, 61, 1);
    fill_frame(f2, 600, 2);
    unsigned n = 0;
    usbdev_put32(buf + n, 61u | (1u << 13) | (1u << 12)), n += 4;
    usbdev_put32(buf + n, 61u), n += 4;
    memcpy(buf + n, f1, 61), n += 61;
    n += 3;
    usbdev_put32(buf + n, 600u | (1u << 13) | (1u << 12)), n += 4;
    usbdev_put32(buf + n, 600u), n += 4;
    memcpy(buf + n, f2, 600), n += 600;
    ram_w(s, BIG_BUF, buf, n);
    uint32_t r = xfer(s, 3, ETH, 2, DWC2_EP_BULK, false, DWC2_PID_DATA0, 512, BIG_BUF, n, (n + 511) / 512);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(residue(s, 3), 0);
    CHECK_EQ(rd(s, R(DWC2_HC(3, DWC2_HCTSIZ))) >> DWC2_HCTSIZ_PID_SHIFT & 3u, DWC2_PID_DATA0); /* 2 packets */
    CHECK_EQ(tap.n, 2);
    CHECK_EQ(tap.len[0], 61);
    CHECK(!memcmp(tap.f[0], f1, 61));
    CHECK_EQ(tap.len[1], 600);
    CHECK(!memcmp(tap.f[1], f2, 600));
    eth_link_stats_t ls;
    eth_link_get_stats(soc_eth_link(sim_soc(s)), &ls);
    CHECK_EQ(ls.tx_frames, 2);
    CHECK_EQ(ls.tx_bytes, 661);
    /* a frame split in two segments */
    n = 0;
    usbdev_put32(buf + n, 20u | (1u << 13)), n += 4;
    usbdev_put32(buf + n, 61u), n += 4;
    memcpy(buf + n, f1, 20), n += 20;
    usbdev_put32(buf + n, 41u | (1u << 12) | (2u << 16)), n += 4; /* data offset 2 */
    usbdev_put32(buf + n, 61u), n += 4;
    n += 2;
    memcpy(buf + n, f1 + 20, 41), n += 41;
    ram_w(s, BIG_BUF, buf, n);
    r = xfer(s, 3, ETH, 2, DWC2_EP_BULK, false, DWC2_PID_DATA0, 512, BIG_BUF, n, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(tap.n, 3);
    CHECK(tap.len[2] == 61 && !memcmp(tap.f[2], f1, 61));
    /* a bad command word (no FIRST_SEG): dropped, counted, INT_STS.TXE; the next transfer works */
    n = 0;
    usbdev_put32(buf + n, 61u | (1u << 12)), n += 4;
    usbdev_put32(buf + n, 61u), n += 4;
    memcpy(buf + n, f1, 61), n += 61;
    ram_w(s, BIG_BUF, buf, n);
    r = xfer(s, 3, ETH, 2, DWC2_EP_BULK, false, DWC2_PID_DATA1, 512, BIG_BUF, n, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(tap.n, 3);
    CHECK_EQ(lan->eth.stats.tx_cmd_errors, 1);
    CHECK(lan_rd(s, 0x08) & (1u << 14));
    n = 0;
    usbdev_put32(buf + n, 61u | (1u << 13) | (1u << 12)), n += 4;
    usbdev_put32(buf + n, 61u), n += 4;
    memcpy(buf + n, f1, 61), n += 61;
    ram_w(s, BIG_BUF, buf, n);
    r = xfer(s, 3, ETH, 2, DWC2_EP_BULK, false, DWC2_PID_DATA0, 512, BIG_BUF, n, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(tap.n, 4);
    sim_free(s);
}

/* parse one bulk-in transfer of RX records; returns the number of frames checked */
static unsigned check_rx_records(const uint8_t *b, unsigned len, const uint8_t *const *frames, const unsigned *flen,
                                 unsigned nf)
{
    unsigned pos = 0, k = 0;
    while (pos < len && k < nf) {
        uint32_t sts = usbdev_get32(b + pos);
        unsigned fl = (sts >> 16) & 0x3FFFu, wire = flen[k] < 60 ? 60 : flen[k];
        CHECK_EQ(fl, wire + 4);
        CHECK_EQ(sts & 0x8000u, 0);                     /* no error summary */
        pos += 4;
        CHECK(!memcmp(b + pos, frames[k], flen[k]));
        for (unsigned i = flen[k]; i < wire; i++) CHECK_EQ(b[pos + i], 0);
        CHECK_EQ(usbdev_get32(b + pos + wire), usbdev_lan9512_crc32(b + pos, wire));
        pos += fl;
        k++;
        if (pos < len) pos += (4u - (fl & 3u)) & 3u;
    }
    CHECK_EQ(pos, len);
    return k;
}

static void test_lan9512_rx_status_words(void)
{
    sim_t *s = lan_board();
    usbdev_lan9512_t *lan = soc_lan9512(sim_soc(s));
    uint8_t f1[42], f2[301], f3[100];
    fill_frame(f1, 42, 3);
    fill_frame(f2, 301, 4);
    fill_frame(f3, 100, 5);
    /* receiver off: refused, counted */
    CHECK(!usbdev_lan9512_rx(&lan->eth, f1, 42));
    CHECK_EQ(lan->eth.stats.rx_disabled_drops, 1);
    lan_wr(s, 0x104, 0x0100u); /* MAC b8:27:eb:00:00:01 */
    lan_wr(s, 0x108, 0x00EB27B8u);
    lan_wr(s, 0x100, (1u << 3) | (1u << 2));
    /* empty with HW_CFG.BIR set (what drivers program): bulk IN NAKs; the channel stays
     * enabled (the core retries) */
    lan_wr(s, 0x14, 1u << 12);
    xfer_start(s, 4, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA0, 512, BIG_BUF, 1536, 3, 0);
    CHECK_EQ(xfer_wait(s, 4, 20), 0);
    CHECK(rd(s, R(DWC2_HC(4, DWC2_HCINT))) & DWC2_HCINT_NAK);
    CHECK(rd(s, R(DWC2_HC(4, DWC2_HCCHAR))) & DWC2_HCCHAR_CHENA);
    /* a frame arrives: the parked transfer completes with one record (MEF off) */
    CHECK(usbdev_lan9512_rx(&lan->eth, f1, 42));
    CHECK(usbdev_lan9512_rx(&lan->eth, f2, 301));
    uint32_t r = xfer_wait(s, 4, 100);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    uint8_t b[4096];
    unsigned got = 1536 - residue(s, 4);
    CHECK_EQ(got, 4 + 64);
    ram_r(s, BIG_BUF, b, got);
    const uint8_t *fr[3] = { f1, f2, f3 };
    unsigned fl[3] = { 42, 301, 100 };
    CHECK_EQ(check_rx_records(b, got, fr, fl, 1), 1);
    /* MEF: the next two frames share one transfer, padded to 4 between records */
    CHECK(usbdev_lan9512_rx(&lan->eth, f3, 100));
    lan_wr(s, 0x14, 1u << 5);
    r = xfer(s, 4, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA1, 512, BIG_BUF, 4096, 8);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    got = 4096 - residue(s, 4);
    CHECK_EQ(got, (4 + 305 + 3) + (4 + 104));
    ram_r(s, BIG_BUF, b, got);
    CHECK_EQ(check_rx_records(b, got, fr + 1, fl + 1, 2), 2);
    /* aggregation delay: with MEF a lone frame waits BULK_IN_DLY (reset 0x800 x 16.7 ns =
     * 34.1 us) for company before its transfer is sent */
    CHECK_EQ(lan_rd(s, 0x6C), 0x800u);
    uint64_t t0 = sim_now(s);
    CHECK(usbdev_lan9512_rx(&lan->eth, f3, 100));
    xfer_start(s, 4, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA0, 512, BIG_BUF, 4096, 8, 0);
    /* exactly: arrival + 2048 x 50/3 ns + the bus time of the 108-byte packet */
    uint64_t done = t0 + sim_ns_to_cycles(s, 2048u * 50u / 3u) +
                    bcm2835_dwc2_packet_cycles(soc_usb(sim_soc(s)), USBDEV_SPEED_HIGH, 108);
    dt_advance_to(s, done - 1);
    CHECK(!(rd(s, R(DWC2_HC(4, DWC2_HCINT))) & DWC2_HCINT_CHHLTD));
    dt_advance_to(s, done);
    CHECK(rd(s, R(DWC2_HC(4, DWC2_HCINT))) & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(4096 - residue(s, 4), 4 + 104);
    CHECK(lan->eth.stats.rx_delayed >= 1);
    lan_wr(s, 0x6C, 0); /* no delay: the transfer goes at once */
    CHECK(usbdev_lan9512_rx(&lan->eth, f3, 100));
    xfer_start(s, 4, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA1, 512, BIG_BUF, 4096, 8, 0);
    adv_ns(s, 3000); /* one 108-byte packet: 2.63 us */
    CHECK(rd(s, R(DWC2_HC(4, DWC2_HCINT))) & DWC2_HCINT_XFERCOMPL);
    /* address filter: a unicast frame for someone else is dropped (counted) */
    uint8_t other[64];
    fill_frame(other, 64, 6);
    other[5] = 0x77;
    CHECK(usbdev_lan9512_rx(&lan->eth, other, 64));
    CHECK_EQ(lan->eth.stats.rx_filtered, 1);
    /* BIR clear: an empty bulk IN answers a zero-length packet */
    lan_wr(s, 0x14, 1u << 5);
    r = xfer(s, 4, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA0, 512, BIG_BUF, 512, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(residue(s, 4), 512);
    sim_free(s);
}

/* ---- CDC-ECM (pi0, QEMU's topology) ---------------------------------------------------------------- */
static void test_cdc_ecm_frames(void)
{
    sim_t *s = dt_new(SIM_BOARD_PI0);
    CHECK_EQ(soc_usb_setup(sim_soc(s), "cdc-ecm", "null"), 0);
    usbdev_cdc_ecm_t *nic = soc_cdc_ecm(sim_soc(s));
    enumerate_hub_and_port1(s, 1, 2, 64);
    uint8_t d[512];
    /* QEMU usb-net's device descriptor: two configurations, RNDIS first */
    static const uint8_t dd[18] = { 18, 1, 0x00, 0x02, 0x02, 0x00, 0x00, 64, 0x25, 0x05, 0xA2, 0xA4,
                                    0x00, 0x00, 1, 2, 10, 2 };
    CHECK_EQ(control(s, 2, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, d), 18);
    CHECK(!memcmp(d, dd, 18));
    int n = control(s, 2, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0200, 0, 255, d);
    CHECK_EQ(n, 67);
    CHECK_EQ(d[5], 2);                     /* index 0: RNDIS, value 2 */
    CHECK_EQ(control(s, 2, 64, 0x00, USB_REQ_SET_CONFIGURATION, 2, 0, 0, NULL), -3); /* not modelled */
    CHECK_EQ(nic->stats.rndis_refused, 1);
    CHECK_EQ(control(s, 2, 64, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, d), 1);
    CHECK_EQ(d[0], 1);                     /* still the CDC configuration */
    n = control(s, 2, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0201, 0, 255, d);
    CHECK_EQ(n, 80);
    CHECK_EQ(d[5], 1);                     /* index 1: CDC Ethernet, value 1 */
    static const uint8_t eps[14] = { 7, 5, 0x82, 2, 64, 0, 0, 7, 5, 0x02, 2, 64, 0, 0 };
    CHECK(!memcmp(d + 66, eps, 14));
    /* functional descriptors: header, union (0 -> 1), Ethernet (iMACAddress 3, 1514) */
    static const uint8_t fds[23] = { 5, 0x24, 0x00, 0x10, 0x01, 5, 0x24, 0x06, 0, 1,
                                     13, 0x24, 0x0F, 3, 0, 0, 0, 0, 0xEA, 0x05, 0, 0, 0 };
    CHECK(!memcmp(d + 18, fds, 23));
    /* MAC string (QEMU: 40 + the low five bytes of 52:54:00:12:34:56) in UTF-16LE */
    n = control(s, 2, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0303, 0x0409, 255, d);
    CHECK_EQ(n, 26);
    static const char mac[] = "405400123456";
    for (unsigned i = 0; i < 12; i++) CHECK_EQ(d[2 + 2 * i], (uint8_t)mac[i]);
    /* data interface off: frames from the link are refused */
    uint8_t f[300];
    fill_frame(f, 128, 9);
    CHECK(!usbdev_cdc_ecm_rx(nic, f, 128));
    CHECK_EQ(control(s, 2, 64, 0x01, USB_REQ_SET_INTERFACE, 1, 1, 0, NULL), 0);
    CHECK_EQ(control(s, 2, 64, 0x01, USB_REQ_SET_INTERFACE, 2, 1, 0, NULL), -3); /* no alt 2: STALL */
    /* notifications: NETWORK_CONNECTION (connected) then SPEED_CHANGE */
    uint32_t r = xfer(s, 1, 2, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA0, 16, DATA_BUF, 16, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    ram_r(s, DATA_BUF, d, 8);
    static const uint8_t conn[8] = { 0xA1, 0x00, 1, 0, 0, 0, 0, 0 };
    CHECK(!memcmp(d, conn, 8));
    r = xfer(s, 1, 2, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA1, 16, DATA_BUF, 16, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(16 - residue(s, 1), 16);
    ram_r(s, DATA_BUF, d, 16);
    CHECK_EQ(d[1], 0x2A);
    CHECK_EQ(usbdev_get32(d + 8), 100000000u);
    /* bulk OUT: a 150-byte frame in 64-byte packets reaches the link */
    tap_t tap = { .n = 0 };
    nic->tx_tap = tap_fn;
    nic->tx_tap_ctx = &tap;
    fill_frame(f, 150, 11);
    ram_w(s, BIG_BUF, f, 150);
    r = xfer(s, 3, 2, 2, DWC2_EP_BULK, false, DWC2_PID_DATA0, 64, BIG_BUF, 150, 3);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(tap.n, 1);
    CHECK(tap.len[0] == 150 && !memcmp(tap.f[0], f, 150));
    /* a 128-byte frame (multiple of 64) needs a ZLP: 64 + 64 + 0 */
    fill_frame(f, 128, 12);
    ram_w(s, BIG_BUF, f, 128);
    r = xfer(s, 3, 2, 2, DWC2_EP_BULK, false, DWC2_PID_DATA1, 64, BIG_BUF, 128, 3);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK(tap.n == 2 && tap.len[1] == 128 && !memcmp(tap.f[1], f, 128));
    eth_link_stats_t ls;
    eth_link_get_stats(soc_eth_link(sim_soc(s)), &ls);
    CHECK_EQ(ls.tx_frames, 2);
    /* bulk IN: empty -> NAK, the channel waits; a 128-byte frame then arrives: 64 + 64 + ZLP */
    xfer_start(s, 4, 2, 2, DWC2_EP_BULK, true, DWC2_PID_DATA0, 64, BIG_BUF, 1600, 25, 0);
    CHECK_EQ(xfer_wait(s, 4, 10), 0);
    CHECK(rd(s, R(DWC2_HC(4, DWC2_HCINT))) & DWC2_HCINT_NAK);
    fill_frame(f, 128, 13);
    CHECK(usbdev_cdc_ecm_rx(nic, f, 128));
    r = xfer_wait(s, 4, 100);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(1600 - residue(s, 4), 128);
    CHECK_EQ((rd(s, R(DWC2_HC(4, DWC2_HCTSIZ))) >> DWC2_HCTSIZ_PKTCNT_SHIFT) & 0x3FFu, 22); /* 3 packets */
    ram_r(s, BIG_BUF, d, 128);
    CHECK(!memcmp(d, f, 128));
    /* STALL and recovery: halt bulk IN, GET_STATUS says halted, CLEAR_FEATURE resumes */
    CHECK_EQ(control(s, 2, 64, 0x02, USB_REQ_SET_FEATURE, 0, 0x82, 0, NULL), 0);
    uint8_t st[2];
    CHECK_EQ(control(s, 2, 64, 0x82, USB_REQ_GET_STATUS, 0, 0x82, 2, st), 2);
    CHECK_EQ(st[0], 1);
    r = xfer(s, 4, 2, 2, DWC2_EP_BULK, true, DWC2_PID_DATA1, 64, BIG_BUF, 64, 1);
    CHECK_EQ(r & (DWC2_HCINT_STALL | DWC2_HCINT_CHHLTD | DWC2_HCINT_XFERCOMPL), DWC2_HCINT_STALL | DWC2_HCINT_CHHLTD);
    CHECK_EQ(control(s, 2, 64, 0x02, USB_REQ_CLEAR_FEATURE, 0, 0x82, 0, NULL), 0);
    CHECK(usbdev_cdc_ecm_rx(nic, f, 100));
    r = xfer(s, 4, 2, 2, DWC2_EP_BULK, true, DWC2_PID_DATA0, 64, BIG_BUF, 1600, 25); /* toggle back to DATA0 */
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(1600 - residue(s, 4), 100);
    /* an unsupported request STALLs; the pipe recovers on the next SETUP */
    CHECK_EQ(control(s, 2, 64, 0xA1, 0x44 /* GET_ETHERNET_STATISTIC */, 0, 0, 4, d), -2);
    CHECK_EQ(control(s, 2, 64, 0x80, USB_REQ_GET_DESCRIPTOR, 0x0100, 0, 18, d), 18);
    CHECK(soc_usb(sim_soc(s))->stats.stalls >= 2);
    CHECK(nic->dev.stats.unsupported_requests >= 1);
    sim_free(s);
}

static void test_bad_guest_input(void)
{
    sim_t *s = lan_board();
    bcm2835_dwc2_t *hc = soc_usb(sim_soc(s));
    uint64_t ge = hc->stats.guest_errors;
    /* DMA address outside RAM (512 MiB): AHBERR */
    uint8_t su[8] = { 0x80, USB_REQ_GET_DESCRIPTOR, 0, 1, 0, 0, 18, 0 };
    (void)su;
    xfer_start(s, 0, ETH, 0, DWC2_EP_CONTROL, false, DWC2_PID_SETUP, 64, 0x3FFFF000u, 8, 1, 0);
    uint32_t r = xfer_wait(s, 0, 100);
    CHECK_EQ(r & (DWC2_HCINT_AHBERR | DWC2_HCINT_CHHLTD), DWC2_HCINT_AHBERR | DWC2_HCINT_CHHLTD);
    CHECK_EQ(hc->stats.dma_errors, 1);
    /* MPS 0, PKTCNT 0, unknown address: XACTERR */
    r = xfer(s, 1, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA0, 0, BIG_BUF, 512, 1);
    CHECK_EQ(r & (DWC2_HCINT_XACTERR | DWC2_HCINT_CHHLTD), DWC2_HCINT_XACTERR | DWC2_HCINT_CHHLTD);
    r = xfer(s, 1, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA0, 512, BIG_BUF, 512, 0);
    CHECK(r & DWC2_HCINT_XACTERR);
    r = xfer(s, 1, 77, 1, DWC2_EP_BULK, true, DWC2_PID_DATA0, 512, BIG_BUF, 512, 1);
    CHECK(r & DWC2_HCINT_XACTERR);
    CHECK_EQ(hc->stats.no_device, 1);
    /* an endpoint the device does not have: STALL */
    r = xfer(s, 1, ETH, 9, DWC2_EP_BULK, true, DWC2_PID_DATA0, 512, BIG_BUF, 512, 1);
    CHECK(r & DWC2_HCINT_STALL);
    /* IN with the wrong toggle: DATATGLERR (the device sends DATA0 first) */
    lan_wr(s, 0x14, 0); /* BIR clear: ZLPs */
    r = xfer(s, 1, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA1, 512, BIG_BUF, 512, 1);
    CHECK(r & DWC2_HCINT_DATATGLERR);
    CHECK_EQ(hc->stats.toggle_errors, 1);
    /* OUT with the wrong toggle (the device expects DATA0): ACKed, dropped, counted */
    uint8_t junk[16] = { 0 };
    ram_w(s, BIG_BUF, junk, sizeof junk);
    r = xfer(s, 1, ETH, 2, DWC2_EP_BULK, false, DWC2_PID_DATA1, 512, BIG_BUF, 16, 1);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(hc->stats.out_toggle_dups, 1);
    CHECK_EQ(soc_lan9512(sim_soc(s))->eth.stats.tx_cmd_errors, 0); /* the device never saw it */
    /* channel 8 does not exist on the BCM2835 */
    wr(s, R(DWC2_HC(8, DWC2_HCCHAR)), DWC2_HCCHAR_CHENA | 64u);
    CHECK_EQ(rd(s, R(DWC2_HC(8, DWC2_HCCHAR))), 0);
    CHECK(hc->stats.guest_errors >= ge + 7);
    /* CHDIS halts a channel parked on NAKs (BIR set: NAK when empty) */
    lan_wr(s, 0x14, 1u << 12);
    xfer_start(s, 2, ETH, 1, DWC2_EP_BULK, true, DWC2_PID_DATA1, 512, BIG_BUF, 512, 1, 0);
    CHECK_EQ(xfer_wait(s, 2, 5), 0);
    wr(s, R(DWC2_HC(2, DWC2_HCCHAR)), rd(s, R(DWC2_HC(2, DWC2_HCCHAR))) | DWC2_HCCHAR_CHDIS);
    r = rd(s, R(DWC2_HC(2, DWC2_HCINT)));
    CHECK(r & DWC2_HCINT_CHHLTD);
    CHECK(!(r & DWC2_HCINT_XFERCOMPL));
    CHECK(!(rd(s, R(DWC2_HC(2, DWC2_HCCHAR))) & DWC2_HCCHAR_CHENA));
    /* the controller still works */
    CHECK_EQ(lan_rd(s, 0x00), 0xEC000002u);
    sim_free(s);
}

/* per-packet bus time: a 512-byte high-speed transaction and an 8-byte SETUP are charged
 * exactly (data bits + fixed overhead at 480 Mbit/s) */
static void test_transaction_timing(void)
{
    sim_t *s = lan_board();
    bcm2835_dwc2_t *hc = soc_usb(sim_soc(s));
    /* (512 * 8 + 400) bits at 480 Mbit/s = 9.366.. us = ceil(4496 * 700e6 / 480e6) cycles */
    CHECK_EQ(bcm2835_dwc2_packet_cycles(hc, USBDEV_SPEED_HIGH, 512), 6557);
    CHECK_EQ(bcm2835_dwc2_packet_cycles(hc, USBDEV_SPEED_FULL, 64), 36284); /* (512+110) bits at 12 Mbit/s */
    lan_wr(s, 0x100, 1u << 3);
    lan_wr(s, 0x10, 1u << 2);
    uint8_t buf[1100];
    memset(buf, 0, sizeof buf);
    usbdev_put32(buf, 1000u | (1u << 13) | (1u << 12));
    usbdev_put32(buf + 4, 1000u);
    fill_frame(buf + 8, 1000, 1);
    ram_w(s, BIG_BUF, buf, 1008);
    uint64_t t0 = sim_now(s);
    xfer_start(s, 3, ETH, 2, DWC2_EP_BULK, false, DWC2_PID_DATA0, 512, BIG_BUF, 1008, 2, 0);
    uint64_t second = bcm2835_dwc2_packet_cycles(hc, USBDEV_SPEED_HIGH, 496); /* first packet 512 bytes */
    sim_advance(s, 6557 + second - 1);
    CHECK(!(rd(s, R(DWC2_HC(3, DWC2_HCINT))) & DWC2_HCINT_CHHLTD));
    dt_advance_to(s, t0 + 6557 + second);
    CHECK(rd(s, R(DWC2_HC(3, DWC2_HCINT))) & DWC2_HCINT_XFERCOMPL);
    sim_free(s);
}

/* channel interrupts reach the CPU line through HAINT, GINTSTS.HCHINT and the IC; an
 * interrupt transfer waits for the next (micro)frame; SOF interrupts while unmasked */
static void test_interrupts_and_frames(void)
{
    sim_t *s = lan_board();
    bcm2835_dwc2_t *hc = soc_usb(sim_soc(s));
    wr(s, BCM2835_IC_BASE + BCM2835_IC_ENABLE1, 1u << BCM2835_IRQ_USB);
    wr(s, R(DWC2_GINTSTS), 0xFFFFFFFFu);
    for (unsigned i = 0; i < 8; i++) wr(s, R(DWC2_HC(i, DWC2_HCINT)), 0xFFFFFFFFu); /* left by the helpers */
    CHECK(!dt_irq(s));
    /* the hub's status endpoint: nothing changed, NAK halts at the next microframe */
    uint64_t f = bcm2835_dwc2_frame_cycles(hc);
    CHECK_EQ(f, 87500); /* 125 us at 700 MHz */
    uint32_t fr0 = rd(s, R(DWC2_HFNUM)) & DWC2_HFNUM_FRNUM_MASK;
    uint32_t rem0 = rd(s, R(DWC2_HFNUM)) >> DWC2_HFNUM_FRREM_SHIFT;
    CHECK(rem0 > 0 && rem0 <= 7500);
    uint64_t t0 = sim_now(s);
    xfer_start(s, 5, 5, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA0, 1, DATA_BUF, 1, 1, 0);
    CHECK(!(rd(s, R(DWC2_HC(5, DWC2_HCINT))) & DWC2_HCINT_CHHLTD));
    CHECK(!dt_irq(s));
    /* remaining PHY clocks (60 MHz) of this microframe, in cycles: the halt cannot come before */
    uint64_t to_boundary = (uint64_t)rem0 * 700u / 60u;
    sim_advance(s, to_boundary > 700 ? to_boundary - 700 : 0);
    CHECK(!(rd(s, R(DWC2_HC(5, DWC2_HCINT))) & DWC2_HCINT_CHHLTD));
    uint32_t r = xfer_wait(s, 5, 20);
    CHECK_EQ(r & (DWC2_HCINT_NAK | DWC2_HCINT_CHHLTD), DWC2_HCINT_NAK | DWC2_HCINT_CHHLTD);
    CHECK(sim_now(s) - t0 < f + 14000); /* within the next microframe (10 us polling) */
    CHECK_EQ(rd(s, R(DWC2_HAINT)), 1u << 5);
    CHECK(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_HCHINT);
    CHECK(dt_irq(s));
    wr(s, R(DWC2_HC(5, DWC2_HCINT)), r); /* W1C: everything down again */
    CHECK_EQ(rd(s, R(DWC2_HAINT)), 0);
    CHECK(!(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_HCHINT));
    CHECK(!dt_irq(s));
    CHECK(((rd(s, R(DWC2_HFNUM)) & DWC2_HFNUM_FRNUM_MASK) - fr0) & 0x3FFFu);
    /* SOF: one per microframe while unmasked, none (and no scheduler events) otherwise */
    wr(s, R(DWC2_GINTMSK), DWC2_GINT_SOF);
    adv_ns(s, 130000);
    CHECK(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_SOF);
    CHECK(dt_irq(s));
    wr(s, R(DWC2_GINTSTS), DWC2_GINT_SOF);
    CHECK(!dt_irq(s));
    wr(s, R(DWC2_GINTMSK), 0);
    wr(s, R(DWC2_GINTSTS), DWC2_GINT_SOF);
    CHECK(!(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_SOF)); /* acknowledged up to now */
    adv_ns(s, 130000);
    CHECK(rd(s, R(DWC2_GINTSTS)) & DWC2_GINT_SOF);    /* set every frame, masked or not */
    CHECK(!dt_irq(s));
    /* global interrupt enable gates the line */
    wr(s, R(DWC2_GINTMSK), DWC2_GINT_HCHINT);
    xfer(s, 5, 5, 1, DWC2_EP_INTERRUPT, true, DWC2_PID_DATA0, 1, DATA_BUF, 1, 1);
    CHECK(dt_irq(s));
    wr(s, R(DWC2_GAHBCFG), DWC2_GAHBCFG_DMA_EN);
    CHECK(!dt_irq(s));
    sim_free(s);
}

/* splits to a full-speed device are accepted as QEMU does (one go, counted); the same
 * sequence on two fresh boards ends at the same cycle with the same counters */
static uint64_t run_cdc_sequence(bcm2835_dwc2_stats_t *st)
{
    sim_t *s = dt_new(SIM_BOARD_PI0);
    CHECK_EQ(soc_usb_setup(sim_soc(s), "cdc-ecm", "null"), 0);
    enumerate_hub_and_port1(s, 1, 2, 64);
    CHECK_EQ(control(s, 2, 64, 0x01, USB_REQ_SET_INTERFACE, 1, 1, 0, NULL), 0);
    uint8_t f[200];
    fill_frame(f, 200, 3);
    ram_w(s, BIG_BUF, f, 200);
    uint32_t split = DWC2_HCSPLT_SPLTENA | (1u << DWC2_HCSPLT_HUBADDR_SHIFT) | (1u << DWC2_HCSPLT_PRTADDR_SHIFT) |
                     (3u << DWC2_HCSPLT_XACTPOS_SHIFT);
    xfer_start(s, 3, 2, 2, DWC2_EP_BULK, false, DWC2_PID_DATA0, 64, BIG_BUF, 200, 4, split);
    uint32_t r = xfer_wait(s, 3, 500);
    CHECK(r & DWC2_HCINT_XFERCOMPL);
    CHECK_EQ(soc_cdc_ecm(sim_soc(s))->stats.tx_frames, 1);
    CHECK_EQ(soc_usb(sim_soc(s))->stats.splits, 4);
    *st = soc_usb(sim_soc(s))->stats;
    uint64_t end = sim_now(s);
    sim_free(s);
    return end;
}

static void test_split_and_determinism(void)
{
    bcm2835_dwc2_stats_t a, b;
    uint64_t ea = run_cdc_sequence(&a), eb = run_cdc_sequence(&b);
    CHECK_EQ(ea, eb);
    CHECK(!memcmp(&a, &b, sizeof a));
    CHECK_EQ(a.transfers, 28); /* 13 control transfers (2 or 3 stages each) + the bulk OUT */
}

int main(void)
{
    RUN(test_core_reset);
    RUN(test_port_reset_enable_speed);
    RUN(test_enumerate_hub_and_lan9512);
    RUN(test_lan9512_registers_mii);
    RUN(test_lan9512_tx_command_words);
    RUN(test_lan9512_rx_status_words);
    RUN(test_cdc_ecm_frames);
    RUN(test_bad_guest_input);
    RUN(test_transaction_timing);
    RUN(test_interrupts_and_frames);
    RUN(test_split_and_determinism);
    return DT_RESULT();
}
