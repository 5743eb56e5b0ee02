/* fw_usb_core: the USB core, hub driver and CDC-ECM binding (hal/usb/usb.c, hub.c,
 * cdc_ecm.c) on the host against a fake DWC2: dwc2_xfer_sync() is answered by a small
 * device world -- a hub on the root port with a CDC-ECM NIC on port 1 -- that follows the
 * control-transfer stages (SETUP, data, status) and the default-address rule. Faults are
 * injected per test: lying descriptors, stalls, silent devices, a reset that never ends,
 * a full-speed device behind a high-speed hub, an RNDIS configuration before the ECM one.
 * The clock is fake (st_now32 / st_delay_us), so bounded waits run instantly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "hal/usb/usb.h"
#include "hal/usb/usbnet.h"
#include "hal/systimer.h"
#include "bcm2835/usb.h"
#include "bcm2835/lan9512.h"
#include "err.h"

/* ---- platform stand-ins ------------------------------------------------------------- */
static uint32_t fake_now;
uint32_t st_now32(void) { return fake_now += 10; }
uint64_t st_now_us(void) { return fake_now; }
int st_delay_us(uint32_t us) { fake_now += us; return 0; }
void plat_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("log ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static int mbox_fails;
int mbox_get_mac(uint8_t mac[6])
{
    static const uint8_t m[6] = {0xB8, 0x27, 0xEB, 0x01, 0x02, 0x03};
    if (mbox_fails)
        return ERR_IO;
    memcpy(mac, m, 6);
    return 0;
}

/* ---- the fake device world ---------------------------------------------------------- */
typedef struct fdev {
    int present, addr, state;   /* state: 0 off, 1 default (address 0), 2 addressed */
    int pending_addr;
    const uint8_t *dev_desc;
    const uint8_t *cfg[2];
    size_t cfg_len[2], cfg_claim[2]; /* bytes sent / bytes claimed at most */
    int is_hub, speed_hs, silent;
    uint8_t setup[8];
    const uint8_t *resp;
    size_t resp_len;
    int stall_data;
} fdev_t;

static fdev_t hub, nic, lan;
static int use_lan;
/* LAN9512 register file and PHY (what the driver must leave behind is asserted) */
static uint32_t lan_regs[0x140 / 4];
static uint16_t lan_phy[32];
static unsigned lan_reg_writes, lan_mii_writes;
static int root_connected, hub_port_conn, hub_port_enabled, hub_reset_hangs, nic_hs;
static int stall_filter;
static uint8_t scratch[64];

static const uint8_t hub_dev[18] = {18, 1, 0, 2, 9, 0, 0, 64, 0x09, 0x04, 0xAA, 0x55, 0, 1, 0, 0, 0, 1};
static const uint8_t hub_cfg[25] = {9, 2, 25, 0, 1, 1, 0, 0xE0, 0, 9, 4, 0, 0, 1, 9, 0, 0, 0,
                                    7, 5, 0x81, 3, 1, 0, 0xFF};
static const uint8_t hub_desc[9] = {9, 0x29, 8, 0, 0, 0, 0, 0, 0xFF};
static const uint8_t nic_dev[18] = {18, 1, 0, 2, 2, 0, 0, 64, 0x25, 0x05, 0xA2, 0xA4, 0, 1, 1, 2, 3, 2};
static uint8_t ecm_cfg[80] = {
    9, 2, 80, 0, 2, 2, 0, 0xC0, 0x32,
    9, 4, 0, 0, 1, 0x02, 0x06, 0, 0,
    5, 0x24, 0x00, 0x10, 0x01,
    5, 0x24, 0x06, 0, 1,
    13, 0x24, 0x0F, 3, 0, 0, 0, 0, 0xEA, 0x05, 0, 0, 0,
    7, 5, 0x81, 3, 16, 0, 32,
    9, 4, 1, 0, 0, 0x0A, 0, 0, 0,
    9, 4, 1, 1, 2, 0x0A, 0, 0, 0,
    7, 5, 0x82, 2, 64, 0, 0,
    7, 5, 0x02, 2, 64, 0, 0,
};
/* RNDIS-looking configuration (communications subclass 2, vendor protocol) */
static const uint8_t rndis_cfg[25] = {9, 2, 25, 0, 1, 1, 0, 0xC0, 0x32, 9, 4, 0, 0, 1, 0x02, 0x02, 0xFF, 0,
                                      7, 5, 0x81, 3, 8, 0, 1};

static const uint8_t lan_dev[18] = {18, 1, 0, 2, 0xFF, 0, 0xFF, 64, 0x24, 0x04, 0x00, 0xEC, 0, 1, 0, 0, 0, 1};
static const uint8_t lan_cfg[39] = {9, 2, 39, 0, 1, 1, 0, 0xE0, 1,
                                    9, 4, 0, 0, 3, 0xFF, 0, 0xFF, 0,
                                    7, 5, 0x81, 2, 0x00, 0x02, 0,
                                    7, 5, 0x02, 2, 0x00, 0x02, 0,
                                    7, 5, 0x83, 3, 16, 0, 4};

static int stuck_lrst;
static unsigned lan_idx(uint16_t reg)
{
    assert_true(reg < sizeof lan_regs && (reg & 3u) == 0); /* the driver only uses real registers */
    return reg / 4u;
}
static uint32_t lan_read(uint16_t reg)
{
    uint32_t v = lan_regs[lan_idx(reg)];
    if (reg == LAN9512_HW_CFG && stuck_lrst)
        v |= LAN9512_HW_CFG_LRST;                         /* broken device: never clears */
    if (reg == LAN9512_HW_CFG)
        lan_regs[reg / 4] &= ~LAN9512_HW_CFG_LRST;        /* self-clearing */
    if (reg == LAN9512_PM_CTRL)
        lan_regs[reg / 4] &= ~LAN9512_PM_CTRL_PHY_RST;
    return v;
}

static void lan_write(uint16_t reg, uint32_t v)
{
    lan_reg_writes++;
    lan_regs[lan_idx(reg)] = v;
    if (reg == LAN9512_MII_ADDR && (v & LAN9512_MII_BUSY)) {
        unsigned r = (v >> LAN9512_MII_REG_SHIFT) & 31u;
        assert_int_equal((v >> LAN9512_MII_PHY_SHIFT) & 31u, LAN9512_PHY_ADDR);
        if (v & LAN9512_MII_WRITE) {
            lan_phy[r] = (uint16_t)lan_regs[LAN9512_MII_DATA / 4];
            lan_mii_writes++;
        } else {
            lan_regs[LAN9512_MII_DATA / 4] = lan_phy[r];
        }
        lan_regs[reg / 4] &= ~LAN9512_MII_BUSY;
    }
}

static void mac_string(uint8_t *b, const char *s)
{
    size_t n = strlen(s);
    b[0] = (uint8_t)(2 + 2 * n);
    b[1] = USB_DT_STRING;
    for (size_t i = 0; i < n; i++) {
        b[2 + 2 * i] = (uint8_t)s[i];
        b[3 + 2 * i] = 0;
    }
}

static void world_reset(void)
{
    memset(&hub, 0, sizeof hub);
    memset(&nic, 0, sizeof nic);
    memset(&lan, 0, sizeof lan);
    memset(lan_regs, 0, sizeof lan_regs);
    memset(lan_phy, 0, sizeof lan_phy);
    lan_regs[LAN9512_ID_REV / 4] = 0xEC000002u;
    lan_regs[LAN9512_BULK_IN_DLY / 4] = 0x800u;          /* reset default */
    lan_phy[MII_BMSR] = MII_BMSR_LSTATUS | MII_BMSR_ANEGCOMPLETE;
    lan_phy[MII_LPA] = 0x01E1u;                /* partner: 10/100 half/full */
    lan_reg_writes = lan_mii_writes = 0;
    use_lan = 0;
    mbox_fails = 0;
    lan.present = 1;
    lan.dev_desc = lan_dev;
    lan.cfg[0] = lan_cfg;
    lan.cfg_len[0] = lan.cfg_claim[0] = sizeof lan_cfg;
    hub.present = 1;
    hub.dev_desc = hub_dev;
    hub.cfg[0] = hub_cfg;
    hub.cfg_len[0] = hub.cfg_claim[0] = sizeof hub_cfg;
    hub.is_hub = 1;
    nic.present = 1;
    nic.dev_desc = nic_dev;
    nic.cfg[0] = ecm_cfg;
    nic.cfg_len[0] = nic.cfg_claim[0] = sizeof ecm_cfg;
    nic.cfg[1] = rndis_cfg;
    nic.cfg_len[1] = nic.cfg_claim[1] = sizeof rndis_cfg;
    ecm_cfg[5] = 1;
    root_connected = 1;
    hub_port_conn = 1;
    hub_port_enabled = 0;
    hub_reset_hangs = 0;
    nic_hs = 0;
    stall_filter = 0;
    fake_now = 0;
}

static fdev_t *world_find(uint8_t addr)
{
    fdev_t *all[2] = {&hub, use_lan ? &lan : &nic};
    for (int i = 0; i < 2; i++) {
        fdev_t *d = all[i];
        if (!d->present || d->silent)
            continue;
        if (addr == 0 && d->state == 1)
            return d;
        if (addr != 0 && d->state == 2 && d->addr == addr)
            return d;
    }
    return 0;
}

/* Answer of device d to its stored setup packet: response bytes or stall (-1). */
static int world_setup(fdev_t *d)
{
    uint8_t rt = d->setup[0], req = d->setup[1];
    uint16_t value = (uint16_t)(d->setup[2] | d->setup[3] << 8);
    uint16_t index = (uint16_t)(d->setup[4] | d->setup[5] << 8);
    d->resp = 0;
    d->resp_len = 0;
    if (rt == 0x80 && req == USB_REQ_GET_DESCRIPTOR) {
        unsigned type = value >> 8, idx = value & 0xFF;
        if (type == USB_DT_DEVICE) {
            d->resp = d->dev_desc;
            d->resp_len = 18;
        } else if (type == USB_DT_CONFIG && idx < 2 && d->cfg[idx]) {
            d->resp = d->cfg[idx];
            d->resp_len = d->cfg_len[idx];
        } else if (type == USB_DT_STRING && d == &nic && idx == 3) {
            mac_string(scratch, "525400123457");
            d->resp = scratch;
            d->resp_len = scratch[0];
        } else {
            return -1;
        }
        return 0;
    }
    if (rt == 0x00 && req == USB_REQ_SET_ADDRESS) {
        d->pending_addr = value;
        return 0;
    }
    if (rt == 0x00 && req == USB_REQ_SET_CONFIGURATION)
        return 0;
    if (rt == 0x01 && req == USB_REQ_SET_INTERFACE)
        return 0;
    if (d == &lan && rt == 0xC0 && req == LAN9512_REQ_READ_REG) {
        uint32_t v = lan_read(index);
        for (int i = 0; i < 4; i++)
            scratch[i] = (uint8_t)(v >> (8 * i));
        d->resp = scratch;
        d->resp_len = 4;
        return 0;
    }
    if (d == &lan && rt == 0x40 && req == LAN9512_REQ_WRITE_REG)
        return 0;                  /* the data stage carries the value */
    if (d == &nic && rt == 0x21 && req == USB_CDC_SET_ETHERNET_PACKET_FILTER)
        return stall_filter ? -1 : 0;
    if (d->is_hub) {
        if (rt == 0xA0 && req == USB_REQ_GET_DESCRIPTOR && (value >> 8) == USB_DT_HUB) {
            d->resp = hub_desc;
            d->resp_len = sizeof hub_desc;
            return 0;
        }
        if (rt == 0x23 && req == USB_HUB_REQ_SET_FEATURE) {
            if (value == USB_HUB_PORT_RESET && index == 1 && hub_port_conn && !hub_reset_hangs) {
                hub_port_enabled = 1;
                nic.state = 1;     /* the child answers at address 0 now */
                lan.state = 1;
            }
            return 0;
        }
        if (rt == 0x23 && req == USB_HUB_REQ_CLEAR_FEATURE)
            return 0;
        if (rt == 0xA3 && req == USB_HUB_REQ_GET_STATUS) {
            uint16_t st = USB_HUB_PS_POWER, ch = 0;
            if (index == 1 && hub_port_conn) {
                st |= USB_HUB_PS_CONNECTION;
                if (hub_reset_hangs)
                    st |= USB_HUB_PS_RESET;
                if (hub_port_enabled) {
                    st |= USB_HUB_PS_ENABLE;
                    ch |= USB_HUB_PC_RESET;
                    if (nic_hs)
                        st |= USB_HUB_PS_HIGH_SPEED;
                }
            }
            scratch[0] = (uint8_t)st;
            scratch[1] = (uint8_t)(st >> 8);
            scratch[2] = (uint8_t)ch;
            scratch[3] = (uint8_t)(ch >> 8);
            d->resp = scratch;
            d->resp_len = 4;
            return 0;
        }
    }
    return -1;
}

static unsigned xfers_seen;
static unsigned hub_speed = DWC2_SPEED_FULL;

int dwc2_init(void) { return 0; }
int dwc2_port_reset(unsigned *speed)
{
    if (!root_connected)
        return ERR_EMPTY;
    hub.state = 1;
    *speed = hub_speed;
    return 0;
}

int dwc2_xfer_sync(dwc2_ep_t *ep, int pid, void *buf, uint32_t len, uint32_t *actual, uint32_t timeout_us)
{
    (void)timeout_us;
    xfers_seen++;
    assert_non_null(ep);
    assert_true(ep->mps == 8 || ep->mps == 64);
    fdev_t *d = world_find(ep->dev);
    if (!d) {
        fake_now += timeout_us;
        return ERR_TIMEOUT;     /* nobody answers at that address */
    }
    if (pid == DWC2_PID_SETUP) {
        assert_int_equal(len, 8);
        assert_false(ep->in);
        memcpy(d->setup, buf, 8);
        d->stall_data = world_setup(d) < 0;
        if (d->stall_data)
            return ERR_IO;      /* the real core reports STALL on the next stage; same result */
        return 0;
    }
    assert_int_equal(ep->toggle, DWC2_PID_DATA1); /* data and status stages start with DATA1 */
    uint16_t wlen = (uint16_t)(d->setup[6] | d->setup[7] << 8);
    if (len) {                  /* data stage: IN rounded up to whole max packets */
        if (ep->in)
            assert_int_equal(len, (wlen + ep->mps - 1u) / ep->mps * ep->mps);
        else
            assert_int_equal(len, wlen);
        assert_int_equal(!!ep->in, !!(d->setup[0] & 0x80));
        uint32_t n = 0;
        if (ep->in) {
            n = d->resp_len < wlen ? (uint32_t)d->resp_len : wlen;   /* never past wLength */
            memcpy(buf, d->resp, n);
        } else if (d == &lan && d->setup[1] == LAN9512_REQ_WRITE_REG) {
            const uint8_t *b = buf;
            assert_int_equal(len, 4);
            lan_write((uint16_t)(d->setup[4] | d->setup[5] << 8),
                      (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
        }
        if (actual)
            *actual = ep->in ? n : len;
        ep->toggle = DWC2_PID_DATA0;
        return 0;
    }
    /* status stage: opposite direction of the data stage, IN when there was none */
    assert_int_equal(!!ep->in, !(wlen && (d->setup[0] & 0x80)));
    if (d->setup[1] == USB_REQ_SET_ADDRESS && d->setup[0] == 0) {
        d->addr = d->pending_addr;
        d->state = 2;
    }
    if (actual)
        *actual = 0;
    return 0;
}

/* ---- tests ------------------------------------------------------------------------- */
static int setup_world(void **state)
{
    (void)state;
    world_reset();
    hub_speed = DWC2_SPEED_FULL;
    return 0;
}

static void test_enumerate_and_bind(void **state)
{
    (void)state;
    assert_int_equal(usb_init(), 2);
    usb_device_t *h = usb_device_get(0), *n = usb_device_get(1);
    assert_int_equal(h->addr, 1);
    assert_true(h->is_hub);
    assert_int_equal(h->nports, 8);
    assert_int_equal(h->config, 1);
    assert_int_equal(n->addr, 2);
    assert_int_equal(n->parent, 1);
    assert_int_equal(n->port, 1);
    assert_int_equal(n->speed, DWC2_SPEED_FULL);
    assert_int_equal(n->desc.vid, USB_VID_NETCHIP);
    assert_int_equal(n->ep0.mps, 64);
    usbnet_t net;
    assert_int_equal(cdc_ecm_bind(h, &net), ERR_NOTSUP);
    assert_int_equal(lan9512_bind(n, &net), ERR_NOTSUP);
    assert_int_equal(cdc_ecm_bind(n, &net), 0);
    const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
    assert_memory_equal(net.mac, mac, 6);
    assert_int_equal(net.kind, ETH_CDC_ECM);
    assert_int_equal(net.bulk_in.num, 2);
    assert_true(net.bulk_in.in);
    assert_int_equal(net.bulk_in.type, DWC2_EP_BULK);
    assert_int_equal(net.bulk_out.num, 2);
    assert_false(net.bulk_out.in);
    assert_int_equal(net.bulk_in.dev, 2);
    assert_true(net.has_intr);
    assert_int_equal(net.intr_in.interval, 32);
    assert_int_equal(net.filter_errors, 0);
    assert_int_equal(n->config, 1);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_int_equal(s.enumerated, 2);
    assert_int_equal(s.ctrl_errors + s.enum_failed + s.bad_descriptors + s.ctrl_busy, 0);
}

static void test_filter_stall_tolerated(void **state)
{
    (void)state;
    stall_filter = 1;
    assert_int_equal(usb_init(), 2);
    usbnet_t net;
    assert_int_equal(cdc_ecm_bind(usb_device_get(1), &net), 0);
    assert_int_equal(net.filter_errors, 1);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_int_equal(s.ctrl_errors, 1);
}

static void test_ecm_in_second_config(void **state)
{
    (void)state;
    nic.cfg[0] = rndis_cfg;
    nic.cfg_len[0] = sizeof rndis_cfg;
    nic.cfg[1] = ecm_cfg;
    nic.cfg_len[1] = sizeof ecm_cfg;
    ecm_cfg[5] = 2;
    assert_int_equal(usb_init(), 2);
    usbnet_t net;
    assert_int_equal(cdc_ecm_bind(usb_device_get(1), &net), 0);
    assert_int_equal(usb_device_get(1)->config, 2);
}

static void test_lying_config_length(void **state)
{
    (void)state;
    /* wTotalLength says 80 but the device sends 60: truncated, counted, nothing bound */
    nic.cfg_len[0] = 60;
    nic.cfg[1] = 0;
    assert_int_equal(usb_init(), 2);
    usbnet_t net;
    assert_int_equal(cdc_ecm_bind(usb_device_get(1), &net), ERR_NOTSUP);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_true(s.bad_descriptors >= 1);
}

static void test_malformed_config(void **state)
{
    (void)state;
    static uint8_t bad[80];
    memcpy(bad, ecm_cfg, 80);
    bad[9] = 0; /* bLength 0 */
    nic.cfg[0] = bad;
    nic.cfg[1] = 0;
    assert_int_equal(usb_init(), 2);
    usbnet_t net;
    assert_int_equal(cdc_ecm_bind(usb_device_get(1), &net), ERR_NOTSUP);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_int_equal(s.bad_descriptors, 1);
}

static void test_silent_child(void **state)
{
    (void)state;
    nic.silent = 1;
    assert_int_equal(usb_init(), 1);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_int_equal(s.enum_failed, 1);
    assert_int_equal(s.hub_ports_connected, 1);
}

static void test_reset_never_ends(void **state)
{
    (void)state;
    hub_reset_hangs = 1;
    uint32_t t0 = fake_now;
    assert_int_equal(usb_init(), 1);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_int_equal(s.port_reset_timeouts, 1);
    assert_true(fake_now - t0 < 2000000u); /* bounded: well under 2 s of (fake) time */
}

static void test_split_refused(void **state)
{
    (void)state;
    hub_speed = DWC2_SPEED_HIGH; /* high-speed hub, full-speed child: would need splits */
    assert_int_equal(usb_init(), 1);
    usb_stats_t s;
    usb_get_stats(&s);
    assert_int_equal(s.split_refused, 1);
    /* the same hub with a high-speed child is fine */
    world_reset();
    nic_hs = 1;
    assert_int_equal(usb_init(), 2);
    assert_int_equal(usb_device_get(1)->speed, DWC2_SPEED_HIGH);
}

static void test_no_device(void **state)
{
    (void)state;
    root_connected = 0;
    assert_int_equal(usb_init(), ERR_EMPTY);
    assert_int_equal(usb_device_count(), 0);
}

static void test_control_args(void **state)
{
    (void)state;
    assert_int_equal(usb_init(), 2);
    uint8_t b[8];
    assert_int_equal(usb_control(0, 0x80, 6, 0x100, 0, b, 8, 0), ERR_INVAL);
    assert_int_equal(usb_control(usb_device_get(0), 0x80, 6, 0x100, 0, 0, 8, 0), ERR_INVAL);
    assert_int_equal(usb_control(usb_device_get(0), 0x80, 6, 0x100, 0, b, USB_CTRL_BUF + 1, 0), ERR_INVAL);
    /* unknown request: the fake stalls it */
    assert_int_equal(usb_control(usb_device_get(0), 0x40, 0x77, 0, 0, 0, 0, 0), ERR_IO);
}

static void test_lan9512_bind(void **state)
{
    (void)state;
    use_lan = 1;
    hub_speed = DWC2_SPEED_HIGH;
    nic_hs = 1;
    assert_int_equal(usb_init(), 2);
    usb_device_t *d = usb_device_get(1);
    assert_int_equal(d->desc.pid, USB_PID_SMSC_LAN9512);
    usbnet_t net;
    assert_int_equal(cdc_ecm_bind(d, &net), ERR_NOTSUP);   /* vendor class: not ECM */
    assert_int_equal(lan9512_bind(d, &net), 0);
    assert_int_equal(net.kind, ETH_LAN9512);
    const uint8_t mac[6] = {0xB8, 0x27, 0xEB, 0x01, 0x02, 0x03};
    assert_memory_equal(net.mac, mac, 6);
    assert_int_equal(lan_regs[LAN9512_ADDRL / 4], 0x01EB27B8u);
    assert_int_equal(lan_regs[LAN9512_ADDRH / 4], 0x0302u);
    uint32_t hw = lan_regs[LAN9512_HW_CFG / 4];
    assert_true(hw & LAN9512_HW_CFG_MEF);
    assert_true(hw & LAN9512_HW_CFG_BCE);
    assert_true(hw & LAN9512_HW_CFG_BIR);
    assert_int_equal(hw & (3u << LAN9512_HW_CFG_RXDOFF_SHIFT), 0);
    assert_int_equal(lan_regs[LAN9512_BURST_CAP / 4], USBNET_RX_XFER / 512u);
    assert_int_equal(lan_regs[LAN9512_BULK_IN_DLY / 4], 0);
    uint32_t cr = lan_regs[LAN9512_MAC_CR / 4];
    assert_true(cr & LAN9512_MAC_CR_TXEN);
    assert_true(cr & LAN9512_MAC_CR_RXEN);
    assert_true(cr & LAN9512_MAC_CR_FDPX);              /* partner does 100 full */
    assert_false(cr & (LAN9512_MAC_CR_PRMS | LAN9512_MAC_CR_BCAST | LAN9512_MAC_CR_LOOPBK));
    assert_true(lan_regs[LAN9512_TX_CFG / 4] & LAN9512_TX_CFG_ON);
    assert_int_equal(lan_regs[LAN9512_INT_EP_CTL / 4], LAN9512_INT_EP_CTL_PHY_INT);
    assert_int_equal(lan_phy[MII_ADVERTISE], MII_ADVERTISE_CSMA | MII_ADVERTISE_ALL | MII_ADVERTISE_PAUSE);
    assert_true(lan_phy[MII_BMCR] & MII_BMCR_ANENABLE);
    assert_int_equal(lan_phy[LAN9512_PHY_INT_MASK], LAN9512_PHY_INT_ANEG_COMP | LAN9512_PHY_INT_LINK_DOWN);
    assert_int_equal(net.link, 1);
    assert_int_equal(net.tx_hdr, LAN9512_TX_HDR_LEN);
    assert_int_equal(net.bulk_in.mps, 512);
    assert_int_equal(net.bulk_in.num, 1);
    assert_true(net.bulk_in.in);
    assert_int_equal(net.bulk_out.num, 2);
    assert_true(net.has_intr);
    assert_int_equal(net.intr_in.interval, 8);           /* 2^(4-1) microframes */
    assert_int_equal(net.mac_fallback, 0);

    /* link down, then up again at 10 half: the duplex bit follows */
    lan_phy[MII_BMSR] = 0;
    assert_int_equal(lan9512_link_update(&net), 0);
    lan_phy[MII_BMSR] = MII_BMSR_LSTATUS;
    lan_phy[MII_LPA] = 0x0021u;                          /* 10 half only */
    assert_int_equal(lan9512_link_update(&net), 1);
    assert_false(lan_regs[LAN9512_MAC_CR / 4] & LAN9512_MAC_CR_FDPX);
}

static void test_lan9512_no_mailbox_mac(void **state)
{
    (void)state;
    use_lan = 1;
    hub_speed = DWC2_SPEED_HIGH;
    nic_hs = 1;
    mbox_fails = 1;
    assert_int_equal(usb_init(), 2);
    usbnet_t net;
    assert_int_equal(lan9512_bind(usb_device_get(1), &net), 0);
    assert_int_equal(net.mac_fallback, 1);
    assert_true(net.mac[0] & 0x02);                      /* locally administered */
    assert_false(net.mac[0] & 0x01);                     /* unicast */
}

static void test_lan9512_reset_stuck(void **state)
{
    (void)state;
    use_lan = 1;
    hub_speed = DWC2_SPEED_HIGH;
    nic_hs = 1;
    assert_int_equal(usb_init(), 2);
    /* a lite reset that never self-clears: bounded wait, ERR_TIMEOUT */
    usbnet_t net;
    uint32_t t0 = fake_now;
    stuck_lrst = 1;
    assert_int_equal(lan9512_bind(usb_device_get(1), &net), ERR_TIMEOUT);
    assert_true(fake_now - t0 < 3000000u);
    stuck_lrst = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_enumerate_and_bind, setup_world),
        cmocka_unit_test_setup(test_filter_stall_tolerated, setup_world),
        cmocka_unit_test_setup(test_ecm_in_second_config, setup_world),
        cmocka_unit_test_setup(test_lying_config_length, setup_world),
        cmocka_unit_test_setup(test_malformed_config, setup_world),
        cmocka_unit_test_setup(test_silent_child, setup_world),
        cmocka_unit_test_setup(test_reset_never_ends, setup_world),
        cmocka_unit_test_setup(test_split_refused, setup_world),
        cmocka_unit_test_setup(test_no_device, setup_world),
        cmocka_unit_test_setup(test_control_args, setup_world),
        cmocka_unit_test_setup(test_lan9512_bind, setup_world),
        cmocka_unit_test_setup(test_lan9512_no_mailbox_mac, setup_world),
        cmocka_unit_test_setup(test_lan9512_reset_stuck, setup_world),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
