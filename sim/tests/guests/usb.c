/* USB guest: a minimal polling DWC2 host driver in bare-metal C that runs unchanged on
 * bcm2835-sim and on QEMU raspi0. It resets the core and the root port, enumerates the
 * hub on the root port, powers and resets its ports, enumerates the first device found
 * behind it and sends one Ethernet frame through it:
 *   - SMSC LAN9512 Ethernet (0424:ec00, pi1b): MAC_CR.TXEN, TX_CFG.ON, TX command words A/B;
 *   - CDC Ethernet (0525:a4a2: QEMU usb-net, `bcm2835-sim --usb cdc-ecm`): the CDC
 *     configuration, data interface alt 1, an ARP request for 10.0.2.2 from 10.0.2.15 on
 *     bulk OUT; then one bulk IN (20 ms): an answer (QEMU's user network replies) must
 *     be an ARP reply and is sent back unchanged on bulk OUT, so that QEMU's filter-dump
 *     shows request, reply, echo; no answer (the simulator's null link) is fine.
 * Exit (semihosting SYS_EXIT): 0x20026 on success, else the number of the step that
 * failed (see enum step). Every wait is bounded by the 1 MHz system timer. */
#include "guest.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/dwc2.h"
#include <stdint.h>

#define USB(off) (*(volatile uint32_t *)(BCM2835_USB_BASE + (off)))
#define ST_CLO (*(volatile uint32_t *)(BCM2835_ST_BASE + 0x04u))

enum step { S_CORE_RESET = 1, S_CONNECT, S_PORT_ENABLE, S_HUB_DESC8, S_HUB_ADDR, S_HUB_DEV, S_HUB_CONFIG,
            S_HUB_CLASS_DESC, S_PORT_POWER, S_NO_DEVICE, S_PORT_RESET, S_DEV_DESC8, S_DEV_ADDR, S_DEV_DESC,
            S_DEV_CONFIG, S_LAN_REGS, S_ECM_CFG_DESC, S_ECM_ALT, S_SEND, S_UNKNOWN_DEVICE, S_BAD_REPLY, S_ECHO };

static uint8_t setup_buf[8] __attribute__((aligned(64)));
static uint8_t data_buf[2048] __attribute__((aligned(64)));

static void delay_us(uint32_t us)
{
    uint32_t t0 = ST_CLO;
    while (ST_CLO - t0 < us) {
    }
}

static uint32_t bus(const void *p) { return DWC2_BUS_ADDR((uint32_t)p); }

/* one transfer on channel 0; HCINT when it halts, 0 after timeout_us (channel disabled) */
static uint32_t xfer_to(unsigned addr, unsigned ep, unsigned type, int in, unsigned pid, unsigned mps, void *buf,
                        unsigned len, uint32_t timeout_us)
{
    unsigned pkts = len ? (len + mps - 1) / mps : 1;
    USB(DWC2_HC(0, DWC2_HCINT)) = 0xFFFFFFFFu;
    USB(DWC2_HC(0, DWC2_HCSPLT)) = 0;
    USB(DWC2_HC(0, DWC2_HCTSIZ)) = len | (pkts << DWC2_HCTSIZ_PKTCNT_SHIFT) | (pid << DWC2_HCTSIZ_PID_SHIFT);
    USB(DWC2_HC(0, DWC2_HCDMA)) = bus(buf);
    USB(DWC2_HC(0, DWC2_HCCHAR)) = mps | (ep << DWC2_HCCHAR_EPNUM_SHIFT) | (in ? DWC2_HCCHAR_EPDIR_IN : 0) |
                                   (type << DWC2_HCCHAR_EPTYPE_SHIFT) | (addr << DWC2_HCCHAR_DEVADDR_SHIFT) |
                                   DWC2_HCCHAR_CHENA;
    uint32_t t0 = ST_CLO, v;
    while (!((v = USB(DWC2_HC(0, DWC2_HCINT))) & DWC2_HCINT_CHHLTD)) {
        if (ST_CLO - t0 > timeout_us) {
            USB(DWC2_HC(0, DWC2_HCCHAR)) |= DWC2_HCCHAR_CHDIS;
            return 0;
        }
    }
    return v;
}

static uint32_t xfer(unsigned addr, unsigned ep, unsigned type, int in, unsigned pid, unsigned mps, void *buf,
                     unsigned len)
{
    return xfer_to(addr, ep, type, in, pid, mps, buf, len, 100000u);
}

/* control transfer: data-stage bytes or -1 */
static int control(unsigned addr, unsigned mps, uint8_t rt, uint8_t req, uint16_t val, uint16_t idx, uint16_t len)
{
    setup_buf[0] = rt;
    setup_buf[1] = req;
    setup_buf[2] = (uint8_t)val;
    setup_buf[3] = (uint8_t)(val >> 8);
    setup_buf[4] = (uint8_t)idx;
    setup_buf[5] = (uint8_t)(idx >> 8);
    setup_buf[6] = (uint8_t)len;
    setup_buf[7] = (uint8_t)(len >> 8);
    int in = rt & 0x80;
    if (!(xfer(addr, 0, DWC2_EP_CONTROL, 0, DWC2_PID_SETUP, mps, setup_buf, 8) & DWC2_HCINT_XFERCOMPL)) return -1;
    int n = 0;
    if (len) {
        if (!(xfer(addr, 0, DWC2_EP_CONTROL, in, DWC2_PID_DATA1, mps, data_buf, len) & DWC2_HCINT_XFERCOMPL))
            return -1;
        n = (int)(len - (USB(DWC2_HC(0, DWC2_HCTSIZ)) & DWC2_HCTSIZ_XFERSIZE_MASK));
    }
    if (!(xfer(addr, 0, DWC2_EP_CONTROL, !(in && len), DWC2_PID_DATA1, mps, data_buf, 0) & DWC2_HCINT_XFERCOMPL))
        return -1;
    return n;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static int lan_write(unsigned addr, uint16_t reg, uint32_t v)
{
    put32(data_buf, v);
    return control(addr, 64, 0x40, 0xA0, 0, reg, 4) == 4 ? 0 : -1;
}

/* a broadcast frame of 60 bytes: ff.. / 02:00:00:00:00:01 / ethertype 0x88b5 (local) */
static void fill_frame(uint8_t *f)
{
    for (int i = 0; i < 6; i++) f[i] = 0xFF;
    f[6] = 0x02;
    for (int i = 7; i < 11; i++) f[i] = 0;
    f[11] = 0x01;
    f[12] = 0x88;
    f[13] = 0xB5;
    for (int i = 14; i < 60; i++) f[i] = (uint8_t)i;
}

int main(void)
{
    /* core soft reset, then buffer DMA, no interrupts (this driver polls) */
    USB(DWC2_GRSTCTL) = DWC2_GRSTCTL_CSFTRST;
    uint32_t t0 = ST_CLO;
    while ((USB(DWC2_GRSTCTL) & DWC2_GRSTCTL_CSFTRST) || !(USB(DWC2_GRSTCTL) & DWC2_GRSTCTL_AHBIDLE))
        if (ST_CLO - t0 > 100000u) return S_CORE_RESET;
    USB(DWC2_GAHBCFG) = DWC2_GAHBCFG_DMA_EN;
    USB(DWC2_GUSBCFG) |= DWC2_GUSBCFG_FORCEHOSTMODE;
    /* root port: power, connection, 50 ms reset */
    uint32_t p = USB(DWC2_HPRT0) & ~DWC2_HPRT0_W1C_MASK;
    USB(DWC2_HPRT0) = p | DWC2_HPRT0_PWR;
    t0 = ST_CLO;
    while (!(USB(DWC2_HPRT0) & DWC2_HPRT0_CONNSTS))
        if (ST_CLO - t0 > 500000u) return S_CONNECT;
    p = USB(DWC2_HPRT0) & ~DWC2_HPRT0_W1C_MASK;
    USB(DWC2_HPRT0) = p | DWC2_HPRT0_RST;
    delay_us(50000);
    USB(DWC2_HPRT0) = p & ~DWC2_HPRT0_RST;
    delay_us(20000);
    if (!(USB(DWC2_HPRT0) & DWC2_HPRT0_ENA)) return S_PORT_ENABLE;
    USB(DWC2_HPRT0) = (USB(DWC2_HPRT0) & ~DWC2_HPRT0_W1C_MASK) | DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENACHG;

    /* the hub at address 1 */
    if (control(0, 8, 0x80, 6, 0x0100, 0, 8) != 8) return S_HUB_DESC8;
    unsigned mps0 = data_buf[7];
    if (control(0, mps0, 0x00, 5, 1, 0, 0) != 0) return S_HUB_ADDR;
    delay_us(2000);
    if (control(1, mps0, 0x80, 6, 0x0100, 0, 18) != 18 || data_buf[4] != 9) return S_HUB_DEV;
    if (control(1, mps0, 0x00, 9, 1, 0, 0) != 0) return S_HUB_CONFIG;
    if (control(1, mps0, 0xA0, 6, 0x2900, 0, 9) < 7) return S_HUB_CLASS_DESC;
    unsigned nports = data_buf[2], pgood_ms = 2u * data_buf[5];
    for (unsigned i = 1; i <= nports; i++)
        if (control(1, mps0, 0x23, 3, 8, (uint16_t)i, 0) != 0) return S_PORT_POWER;
    delay_us(1000u * pgood_ms + 20000u);
    unsigned port = 0;
    for (unsigned i = 1; i <= nports && !port; i++) {
        if (control(1, mps0, 0xA3, 0, 0, (uint16_t)i, 4) != 4) return S_PORT_POWER;
        if (data_buf[0] & 1u) port = i;
    }
    if (!port) return S_NO_DEVICE;
    /* reset that port: wait for C_PORT_RESET (up to 500 ms), then the 10 ms recovery */
    if (control(1, mps0, 0x23, 3, 4, (uint16_t)port, 0) != 0) return S_PORT_RESET;
    t0 = ST_CLO;
    for (;;) {
        if (control(1, mps0, 0xA3, 0, 0, (uint16_t)port, 4) != 4) return S_PORT_RESET;
        if ((data_buf[2] & 0x10u) && (data_buf[0] & 0x02u)) break;
        if (ST_CLO - t0 > 500000u) return S_PORT_RESET;
        delay_us(1000);
    }
    if (control(1, mps0, 0x23, 1, 20, (uint16_t)port, 0) != 0) return S_PORT_RESET;
    delay_us(10000);

    /* the device behind it at address 2 */
    if (control(0, 8, 0x80, 6, 0x0100, 0, 8) != 8) return S_DEV_DESC8;
    unsigned dmps0 = data_buf[7];
    if (control(0, dmps0, 0x00, 5, 2, 0, 0) != 0) return S_DEV_ADDR;
    delay_us(2000);
    if (control(2, dmps0, 0x80, 6, 0x0100, 0, 18) != 18) return S_DEV_DESC;
    unsigned vid = data_buf[8] | (data_buf[9] << 8), pid = data_buf[10] | (data_buf[11] << 8);
    static uint8_t frame[2048] __attribute__((aligned(64)));
    if (vid == 0x0424 && pid == 0xEC00) {
        if (control(2, dmps0, 0x00, 9, 1, 0, 0) != 0) return S_DEV_CONFIG;
        if (lan_write(2, 0x100, (1u << 3) | (1u << 2)) || lan_write(2, 0x10, 1u << 2)) return S_LAN_REGS;
        put32(frame, 60u | (1u << 13) | (1u << 12)); /* TX command A: first + last segment, 60 bytes */
        put32(frame + 4, 60u);                         /* TX command B: frame length */
        fill_frame(frame + 8);
        uint32_t r = xfer(2, 2, DWC2_EP_BULK, 0, DWC2_PID_DATA0, 512, frame, 68);
        if (!(r & DWC2_HCINT_XFERCOMPL)) return S_SEND;
    } else if (vid == 0x0525) {
        /* find the CDC Ethernet configuration (usb-net lists RNDIS first) */
        unsigned cfg_value = 0, ncfg = data_buf[17];
        for (unsigned i = 0; i < ncfg && !cfg_value; i++) {
            if (control(2, dmps0, 0x80, 6, (uint16_t)(0x0200 | i), 0, 255) < 18) return S_ECM_CFG_DESC;
            unsigned total = data_buf[2] | (data_buf[3] << 8);
            for (unsigned o = 0; o + 8 < total && o < 255; o += data_buf[o] ? data_buf[o] : 255)
                if (data_buf[o + 1] == 4 && data_buf[o + 5] == 0x02 && data_buf[o + 6] == 0x06) cfg_value = data_buf[5];
        }
        if (!cfg_value) return S_ECM_CFG_DESC;
        if (control(2, dmps0, 0x00, 9, (uint16_t)cfg_value, 0, 0) != 0) return S_DEV_CONFIG;
        if (control(2, dmps0, 0x01, 11, 1, 1, 0) != 0) return S_ECM_ALT;
        /* ARP request: who has 10.0.2.2, tell 10.0.2.15 (the MAC is iMACAddress on QEMU) */
        static const uint8_t arp[42] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x40, 0x54, 0x00, 0x12, 0x34, 0x56,
                                         0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1, 0x40, 0x54, 0x00, 0x12, 0x34, 0x56,
                                         10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2 };
        for (unsigned i = 0; i < 60; i++) frame[i] = i < 42 ? arp[i] : 0;
        uint32_t r = xfer(2, 2, DWC2_EP_BULK, 0, DWC2_PID_DATA0, 64, frame, 60);
        if (!(r & DWC2_HCINT_XFERCOMPL)) return S_SEND;
        static uint8_t rx[1536] __attribute__((aligned(64)));
        r = xfer_to(2, 2, DWC2_EP_BULK, 1, DWC2_PID_DATA0, 64, rx, sizeof rx, 20000u);
        if (r & DWC2_HCINT_XFERCOMPL) {
            unsigned n = sizeof rx - (USB(DWC2_HC(0, DWC2_HCTSIZ)) & DWC2_HCTSIZ_XFERSIZE_MASK);
            if (n < 42 || rx[12] != 0x08 || rx[13] != 0x06 || rx[21] != 2 || rx[0] != 0x40) return S_BAD_REPLY;
            r = xfer(2, 2, DWC2_EP_BULK, 0, DWC2_PID_DATA1, 64, rx, n);
            if (!(r & DWC2_HCINT_XFERCOMPL)) return S_ECHO;
            if (n % 64 == 0) { /* a frame of whole packets ends with a zero-length packet */
                unsigned pid = (USB(DWC2_HC(0, DWC2_HCTSIZ)) >> DWC2_HCTSIZ_PID_SHIFT) & 3u;
                if (!(xfer(2, 2, DWC2_EP_BULK, 0, pid, 64, rx, 0) & DWC2_HCINT_XFERCOMPL)) return S_ECHO;
            }
        }
    } else {
        return S_UNKNOWN_DEVICE;
    }
    return SEMI_EXIT_OK;
}
