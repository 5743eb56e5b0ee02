/* SMSC LAN9512 model: internal hub + Ethernet function. Contract in usbdev_lan9512.h.
 *
 * Register offsets and bits are facts from the LAN9512/LAN9514 datasheet as used by the
 * Linux smsc95xx driver. They are kept private here because the firmware's register map
 * (target/include/bcm2835/lan9512.h) is written in parallel: MERGE the two into that
 * shared header (STYLE.md 1) once both exist.
 *
 * Choices where the datasheet leaves room:
 * - TX: the bulk OUT byte stream is parsed by command words; after each buffer the next
 *   command word starts at the next 4-byte boundary of (offset + buffer size); a short
 *   packet ends a transfer and resynchronises the parser (a malformed command discards
 *   the rest of its transfer, counted, INT_STS.TXE set).
 * - RX: frames shorter than 60 bytes are padded with zeros to 60 (as they travel on the
 *   wire), FCS appended; padding to 4 bytes only between records of one transfer (the
 *   last record ends the transfer, as the Linux driver expects). With HW_CFG.MEF a
 *   transfer that is not full waits BULK_IN_DLY (x 16.7 ns, reset 0x800 = 34 us) after
 *   its first frame arrived before it is sent (NAK meanwhile), to aggregate frames.
 * - PHY: link is up from power-on (the cable is plugged in); a PHY reset (BMCR.RESET or
 *   PM_CTRL.PHY_RST) or BMCR.RESTART_AN drops the link for LAN9512_ANEG_MS of simulated
 *   time, then auto-negotiation completes at 100 Mbit/s full duplex (PHY interrupt source
 *   ANEG_COMP, INT_STS.PHY_INT if enabled in the PHY's mask).
 * - EEPROM: absent (as on the Pi): E2P commands time out at once (E2P_CMD.TIMEOUT).
 * - Not modelled, counted in `unmodelled` when a guest turns them on: checksum offload
 *   (COE_CR RX/TX, TX command B CSUM_ENABLE), wake-up frames, flow control frames. */
#include "periph/usbdev_lan9512.h"
#include <string.h>

/* ---- registers (vendor requests 0xA0 write / 0xA1 read, wIndex = offset) ---------------- */
#define LAN_REQ_WRITE_REG 0xA0u
#define LAN_REQ_READ_REG 0xA1u
#define LAN_ID_REV 0x00u
#define  LAN_ID_REV_VAL 0xEC000002u     /* chip id 0xEC00 (LAN9512/9514), revision 2 */
#define LAN_INT_STS 0x08u
#define  LAN_INT_STS_TX_STOP (1u << 17)
#define  LAN_INT_STS_RX_STOP (1u << 16)
#define  LAN_INT_STS_PHY_INT (1u << 15)
#define  LAN_INT_STS_TXE (1u << 14)
#define  LAN_INT_STS_RXDF (1u << 11)
#define LAN_RX_CFG 0x0Cu
#define  LAN_RX_CFG_FIFO_FLUSH (1u << 0)
#define LAN_TX_CFG 0x10u
#define  LAN_TX_CFG_ON (1u << 2)
#define  LAN_TX_CFG_STOP (1u << 1)
#define  LAN_TX_CFG_FIFO_FLUSH (1u << 0)
#define LAN_HW_CFG 0x14u
#define  LAN_HW_CFG_BIR (1u << 12)      /* bulk-in empty response: 1 = NAK, 0 = ZLP (reset) */
#define  LAN_HW_CFG_RXDOFF_SHIFT 9      /* 2 bits: bytes between status word and frame */
#define  LAN_HW_CFG_MEF (1u << 5)       /* multiple Ethernet frames per bulk-in transfer */
#define  LAN_HW_CFG_LRST (1u << 3)      /* lite reset, self-clearing */
#define  LAN_HW_CFG_BCE (1u << 1)       /* burst cap enable */
#define  LAN_HW_CFG_SRST (1u << 0)      /* soft reset, self-clearing */
#define LAN_RX_FIFO_INF 0x18u
#define LAN_TX_FIFO_INF 0x1Cu
#define LAN_PM_CTRL 0x20u
#define  LAN_PM_CTRL_PHY_RST (1u << 4)
#define LAN_LED_GPIO_CFG 0x24u
#define LAN_GPIO_CFG 0x28u
#define LAN_AFC_CFG 0x2Cu
#define LAN_E2P_CMD 0x30u
#define  LAN_E2P_CMD_BUSY (1u << 31)
#define  LAN_E2P_CMD_TIMEOUT (1u << 10)
#define  LAN_E2P_CMD_LOADED (1u << 9)
#define LAN_E2P_DATA 0x34u
#define LAN_BURST_CAP 0x38u
#define LAN_GPIO_WAKE 0x64u
#define LAN_INT_EP_CTL 0x68u
#define LAN_BULK_IN_DLY 0x6Cu
#define LAN_MAC_CR 0x100u
#define  LAN_MAC_CR_RXALL (1u << 31)
#define  LAN_MAC_CR_MCPAS (1u << 19)    /* pass all multicast */
#define  LAN_MAC_CR_PRMS (1u << 18)     /* promiscuous */
#define  LAN_MAC_CR_INVFILT (1u << 17)
#define  LAN_MAC_CR_HPFILT (1u << 13)   /* hash/perfect filter for multicast */
#define  LAN_MAC_CR_BCAST (1u << 11)    /* 1 = broadcast frames disabled */
#define  LAN_MAC_CR_TXEN (1u << 3)
#define  LAN_MAC_CR_RXEN (1u << 2)
#define LAN_ADDRH 0x104u
#define LAN_ADDRL 0x108u
#define LAN_HASHH 0x10Cu
#define LAN_HASHL 0x110u
#define LAN_MII_ADDR 0x114u
#define  LAN_MII_BUSY (1u << 0)
#define  LAN_MII_WRITE (1u << 1)
#define  LAN_MII_REG_SHIFT 6            /* 5 bits */
#define  LAN_MII_PHY_SHIFT 11           /* 5 bits */
#define LAN_MII_DATA 0x118u
#define LAN_FLOW 0x11Cu
#define LAN_VLAN1 0x120u
#define LAN_VLAN2 0x124u
#define LAN_WUFF 0x128u
#define LAN_WUCSR 0x12Cu
#define LAN_COE_CR 0x130u
#define  LAN_COE_CR_TX_EN (1u << 16)
#define  LAN_COE_CR_RX_EN (1u << 0)
/* TX command words (little-endian, ahead of every buffer) */
#define LAN_TXA_OFFSET_SHIFT 16         /* 5 bits: bytes to skip before the data */
#define LAN_TXA_FIRST_SEG (1u << 13)
#define LAN_TXA_LAST_SEG (1u << 12)
#define LAN_TXA_BUF_SIZE 0x7FFu
#define LAN_TXB_PKT_LEN 0x7FFu
#define LAN_TXB_CSUM_EN (1u << 14)
/* RX status word (ahead of every received frame) */
#define LAN_RXS_FL_SHIFT 16             /* 14 bits: frame length including the FCS */
#define LAN_RXS_ES (1u << 15)           /* error summary */
#define LAN_RXS_BF (1u << 13)           /* broadcast */
#define LAN_RXS_LE (1u << 12)           /* length error */
#define LAN_RXS_RF (1u << 11)           /* runt */
#define LAN_RXS_MF (1u << 10)           /* multicast */
#define LAN_RXS_TL (1u << 7)            /* frame too long */
#define LAN_RXS_CRC (1u << 1)
/* internal PHY (address 1): IEEE 802.3 clause 22 + vendor interrupt registers */
#define LAN_PHY_ADDR 1u
#define PHY_BMCR 0u
#define  PHY_BMCR_RESET 0x8000u
#define  PHY_BMCR_ANEG_EN 0x1000u
#define  PHY_BMCR_ANEG_RESTART 0x0200u
#define PHY_BMSR 1u
#define  PHY_BMSR_LINK 0x0004u
#define  PHY_BMSR_ANEG_DONE 0x0020u
#define PHY_ID1 2u
#define PHY_ID2 3u
#define PHY_ANAR 4u
#define PHY_ANLPAR 5u
#define PHY_ANER 6u
#define PHY_INT_SRC 29u                 /* read clears */
#define PHY_INT_MASK 30u
#define  PHY_INT_ANEG_COMP 0x0040u
#define  PHY_INT_LINK_DOWN 0x0010u
#define PHY_SPECIAL 31u

#define LAN_EP_IN 1u
#define LAN_EP_OUT 2u
#define LAN_EP_INT 3u
#define LAN_MPS_HS 512u
#define LAN_TX_FIFO_BYTES 0x2000u

/* ---- descriptors ------------------------------------------------------------------------------- */
static const uint8_t lan_dev_desc[18] = {
    18, USB_DT_DEVICE, 0x00, 0x02, 0xFF, 0x00, 0xFF, 64,
    0x24, 0x04, 0x00, 0xEC,                       /* 0424:ec00 */
    0x00, 0x02, 0, 0, 0, 1,
};
#define LAN_CFG_LEN (9 + 9 + 7 * 3)
static const uint8_t lan_cfg_desc[LAN_CFG_LEN] = {
    9, USB_DT_CONFIG, LAN_CFG_LEN, 0, 1, 1, 0, 0xE0, 0x01,
    9, USB_DT_INTERFACE, 0, 0, 3, 0xFF, 0x00, 0xFF, 0,
    7, USB_DT_ENDPOINT, 0x80 | LAN_EP_IN, 0x02, 0x00, 0x02, 0,      /* bulk IN 512 */
    7, USB_DT_ENDPOINT, LAN_EP_OUT, 0x02, 0x00, 0x02, 0,            /* bulk OUT 512 */
    7, USB_DT_ENDPOINT, 0x80 | LAN_EP_INT, 0x03, 16, 0, 4,          /* interrupt IN, 1 ms */
};

uint32_t usbdev_lan9512_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (unsigned k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* ---- PHY --------------------------------------------------------------------------------------- */
static void lan_update_phy_int(usbdev_lan9512_eth_t *e)
{
    if (e->phy[PHY_INT_SRC] & e->phy[PHY_INT_MASK]) {
        e->int_sts |= LAN_INT_STS_PHY_INT;
        usbdev_wake(&e->dev);
    }
}

static void lan_link_up(void *opaque)
{
    usbdev_lan9512_eth_t *e = opaque;
    e->phy[PHY_BMSR] |= PHY_BMSR_LINK | PHY_BMSR_ANEG_DONE;
    e->phy[PHY_ANLPAR] = 0x45E1u;  /* partner: 10/100 half/full, pause */
    e->phy[PHY_SPECIAL] = 0x0058u; /* speed indication: 100BASE-TX full duplex, aneg done */
    e->phy[PHY_INT_SRC] |= PHY_INT_ANEG_COMP;
    lan_update_phy_int(e);
}

static void lan_phy_reset(usbdev_lan9512_eth_t *e, bool link_now)
{
    memset(e->phy, 0, sizeof e->phy);
    e->phy[PHY_BMCR] = PHY_BMCR_ANEG_EN | 0x2000u | 0x0100u; /* aneg, 100 Mbit/s, full duplex */
    e->phy[PHY_BMSR] = 0x7809u;                              /* 10/100 half/full, aneg able, ext caps */
    e->phy[PHY_ID1] = 0x0007u;
    e->phy[PHY_ID2] = 0xC0C3u;
    e->phy[PHY_ANAR] = 0x01E1u;
    e->phy[PHY_ANER] = 0x0001u;
    sim_timer_del(&e->aneg_timer);
    if (link_now) {
        lan_link_up(e);
        e->phy[PHY_INT_SRC] = 0; /* nothing pending at power-on */
    } else {
        sim_timer_mod(&e->aneg_timer, sim_event_time(e->dev.sim) + sim_ns_to_cycles(e->dev.sim, LAN9512_ANEG_MS * 1000000ull));
    }
}

static uint16_t lan_phy_read(usbdev_lan9512_eth_t *e, unsigned reg)
{
    uint16_t v = e->phy[reg & 31u];
    if ((reg & 31u) == PHY_INT_SRC) e->phy[PHY_INT_SRC] = 0;
    return v;
}

static void lan_phy_write(usbdev_lan9512_eth_t *e, unsigned reg, uint16_t v)
{
    reg &= 31u;
    switch (reg) {
    case PHY_BMCR:
        if (v & PHY_BMCR_RESET) {
            lan_phy_reset(e, false);
            e->phy[PHY_INT_SRC] |= PHY_INT_LINK_DOWN;
            return;
        }
        e->phy[PHY_BMCR] = v & (uint16_t)~PHY_BMCR_ANEG_RESTART;
        if (v & PHY_BMCR_ANEG_RESTART) {
            e->phy[PHY_BMSR] &= (uint16_t)~(PHY_BMSR_LINK | PHY_BMSR_ANEG_DONE);
            e->phy[PHY_INT_SRC] |= PHY_INT_LINK_DOWN;
            sim_timer_mod(&e->aneg_timer,
                          sim_event_time(e->dev.sim) + sim_ns_to_cycles(e->dev.sim, LAN9512_ANEG_MS * 1000000ull));
        }
        break;
    case PHY_BMSR: case PHY_ID1: case PHY_ID2: case PHY_ANLPAR: case PHY_INT_SRC: break; /* read-only */
    case PHY_INT_MASK:
        e->phy[reg] = v;
        lan_update_phy_int(e);
        break;
    default: e->phy[reg] = v; break;
    }
}

/* ---- MAC state ----------------------------------------------------------------------------------- */
static void lan_flush_rx(usbdev_lan9512_eth_t *e)
{
    e->rx_head = e->rx_count = 0;
    e->xfer_active = false;
    e->xfer_len = e->xfer_pos = 0;
}

static void lan_flush_tx(usbdev_lan9512_eth_t *e)
{
    e->txp = TXP_CMD_A;
    e->txw_len = 0;
    e->tx_len = 0;
    e->tx_in_frame = false;
}

static void lan_mac_reset(usbdev_lan9512_eth_t *e)
{
    e->int_sts = e->int_reported = 0;
    e->rx_cfg = e->tx_cfg = e->hw_cfg = e->pm_ctrl = e->led_gpio_cfg = e->gpio_cfg = e->afc_cfg = 0;
    e->e2p_cmd = e->e2p_data = e->burst_cap = e->gpio_wake = e->int_ep_ctl = 0;
    e->bulk_in_dly = 0x800u;
    e->mac_cr = 0;
    e->addrh = 0x0000FFFFu;
    e->addrl = 0xFFFFFFFFu;
    e->hashh = e->hashl = e->mii_addr = e->mii_data = e->flow = e->vlan1 = e->vlan2 = e->wucsr = e->coe_cr = 0;
    lan_flush_rx(e);
    lan_flush_tx(e);
}

static uint32_t lan_rx_fifo_used(const usbdev_lan9512_eth_t *e)
{
    uint32_t used = 0;
    for (unsigned i = 0; i < e->rx_count; i++) used += 4u + ((e->rxq[(e->rx_head + i) % LAN9512_RXQ].len + 4u + 3u) & ~3u);
    return used;
}

static uint32_t lan_reg_read(usbdev_lan9512_eth_t *e, unsigned off, bool *ok)
{
    *ok = true;
    switch (off) {
    case LAN_ID_REV: return LAN_ID_REV_VAL;
    case LAN_INT_STS: return e->int_sts;
    case LAN_RX_CFG: return e->rx_cfg;
    case LAN_TX_CFG: return e->tx_cfg;
    case LAN_HW_CFG: return e->hw_cfg;
    case LAN_RX_FIFO_INF: return lan_rx_fifo_used(e) & 0xFFFFu;
    case LAN_TX_FIFO_INF: return LAN_TX_FIFO_BYTES;
    case LAN_PM_CTRL: return e->pm_ctrl;
    case LAN_LED_GPIO_CFG: return e->led_gpio_cfg;
    case LAN_GPIO_CFG: return e->gpio_cfg;
    case LAN_AFC_CFG: return e->afc_cfg;
    case LAN_E2P_CMD: return e->e2p_cmd;
    case LAN_E2P_DATA: return e->e2p_data;
    case LAN_BURST_CAP: return e->burst_cap;
    case LAN_GPIO_WAKE: return e->gpio_wake;
    case LAN_INT_EP_CTL: return e->int_ep_ctl;
    case LAN_BULK_IN_DLY: return e->bulk_in_dly;
    case LAN_MAC_CR: return e->mac_cr;
    case LAN_ADDRH: return e->addrh;
    case LAN_ADDRL: return e->addrl;
    case LAN_HASHH: return e->hashh;
    case LAN_HASHL: return e->hashl;
    case LAN_MII_ADDR: return e->mii_addr;
    case LAN_MII_DATA: return e->mii_data;
    case LAN_FLOW: return e->flow;
    case LAN_VLAN1: return e->vlan1;
    case LAN_VLAN2: return e->vlan2;
    case LAN_WUFF: return 0;
    case LAN_WUCSR: return e->wucsr;
    case LAN_COE_CR: return e->coe_cr;
    default: *ok = false; return 0;
    }
}

static bool lan_reg_write(usbdev_lan9512_eth_t *e, unsigned off, uint32_t v)
{
    switch (off) {
    case LAN_ID_REV: case LAN_RX_FIFO_INF: case LAN_TX_FIFO_INF: return true; /* read-only */
    case LAN_INT_STS: e->int_sts &= ~v; e->int_reported &= ~v; return true;    /* W1C */
    case LAN_RX_CFG:
        if (v & LAN_RX_CFG_FIFO_FLUSH) lan_flush_rx(e);
        e->rx_cfg = v & ~LAN_RX_CFG_FIFO_FLUSH;
        return true;
    case LAN_TX_CFG:
        if (v & LAN_TX_CFG_FIFO_FLUSH) lan_flush_tx(e);
        if (v & LAN_TX_CFG_STOP) e->int_sts |= LAN_INT_STS_TX_STOP;
        e->tx_cfg = v & LAN_TX_CFG_ON;
        return true;
    case LAN_HW_CFG:
        if (v & (LAN_HW_CFG_LRST | LAN_HW_CFG_SRST)) {
            lan_mac_reset(e); /* self-clearing: done by the time the status stage completes */
            return true;
        }
        e->hw_cfg = v;
        return true;
    case LAN_PM_CTRL:
        if (v & LAN_PM_CTRL_PHY_RST) {
            lan_phy_reset(e, false);
            v &= ~LAN_PM_CTRL_PHY_RST;
        }
        e->pm_ctrl = v;
        return true;
    case LAN_LED_GPIO_CFG: e->led_gpio_cfg = v; return true;
    case LAN_GPIO_CFG: e->gpio_cfg = v; return true;
    case LAN_AFC_CFG: e->afc_cfg = v; return true;
    case LAN_E2P_CMD:
        if (v & LAN_E2P_CMD_BUSY) e->e2p_cmd = (v & ~(LAN_E2P_CMD_BUSY | LAN_E2P_CMD_LOADED)) | LAN_E2P_CMD_TIMEOUT;
        else e->e2p_cmd = (e->e2p_cmd & ~(v & LAN_E2P_CMD_TIMEOUT));
        return true;
    case LAN_E2P_DATA: e->e2p_data = v & 0xFFu; return true;
    case LAN_BURST_CAP: e->burst_cap = v & 0xFFu; return true;
    case LAN_GPIO_WAKE: e->gpio_wake = v; return true;
    case LAN_INT_EP_CTL: e->int_ep_ctl = v; usbdev_wake(&e->dev); return true;
    case LAN_BULK_IN_DLY: e->bulk_in_dly = v & 0xFFFFu; return true;
    case LAN_MAC_CR: e->mac_cr = v; return true;
    case LAN_ADDRH: e->addrh = v & 0xFFFFu; return true;
    case LAN_ADDRL: e->addrl = v; return true;
    case LAN_HASHH: e->hashh = v; return true;
    case LAN_HASHL: e->hashl = v; return true;
    case LAN_MII_ADDR: {
        e->mii_addr = v & ~LAN_MII_BUSY; /* the MII cycle is over before the next request */
        if (!(v & LAN_MII_BUSY)) return true;
        unsigned phy = (v >> LAN_MII_PHY_SHIFT) & 31u, reg = (v >> LAN_MII_REG_SHIFT) & 31u;
        e->stats.mii_ops++;
        if (v & LAN_MII_WRITE) {
            if (phy == LAN_PHY_ADDR) lan_phy_write(e, reg, (uint16_t)e->mii_data);
        } else {
            e->mii_data = phy == LAN_PHY_ADDR ? lan_phy_read(e, reg) : 0xFFFFu;
        }
        return true;
    }
    case LAN_MII_DATA: e->mii_data = v & 0xFFFFu; return true;
    case LAN_FLOW: e->flow = v; return true;
    case LAN_VLAN1: e->vlan1 = v; return true;
    case LAN_VLAN2: e->vlan2 = v; return true;
    case LAN_WUFF: return true;
    case LAN_WUCSR: e->wucsr = v; return true;
    case LAN_COE_CR:
        if (v & (LAN_COE_CR_RX_EN | LAN_COE_CR_TX_EN)) e->stats.unmodelled++;
        e->coe_cr = v;
        return true;
    default: return false;
    }
}

static int lan_control(usbdev_t *d, const usb_setup_t *s, uint8_t *data)
{
    usbdev_lan9512_eth_t *e = d->opaque;
    if ((s->bmRequestType & USB_TYPE_MASK) != USB_TYPE_VENDOR) return USBDEV_UNHANDLED;
    if (!d->config) return USBDEV_STALL;
    bool ok;
    if (s->bRequest == LAN_REQ_READ_REG && (s->bmRequestType & USB_DIR_IN) && s->wLength == 4) {
        uint32_t v = lan_reg_read(e, s->wIndex, &ok);
        if (!ok) {
            e->stats.bad_reg++;
            return USBDEV_STALL;
        }
        e->stats.reg_reads++;
        usbdev_put32(data, v);
        return 4;
    }
    if (s->bRequest == LAN_REQ_WRITE_REG && !(s->bmRequestType & USB_DIR_IN) && s->wLength == 4) {
        if (!lan_reg_write(e, s->wIndex, usbdev_get32(data))) {
            e->stats.bad_reg++;
            return USBDEV_STALL;
        }
        e->stats.reg_writes++;
        return 0;
    }
    return USBDEV_UNHANDLED;
}

/* ---- TX: command words A/B + data --------------------------------------------------------------- */
static void lan_tx_error(usbdev_lan9512_eth_t *e)
{
    e->stats.tx_cmd_errors++;
    e->int_sts |= LAN_INT_STS_TXE;
    e->txp = TXP_DISCARD;
    e->tx_in_frame = false;
    e->tx_len = 0;
    usbdev_wake(&e->dev);
}

static void lan_tx_frame(usbdev_lan9512_eth_t *e)
{
    unsigned want = e->tx_cmd_b & LAN_TXB_PKT_LEN;
    e->tx_in_frame = false;
    if (e->tx_len != want || e->tx_len < ETH_LINK_MIN_FRAME || e->tx_len > LAN9512_MAX_FRAME) {
        lan_tx_error(e);
        return;
    }
    if (!(e->mac_cr & LAN_MAC_CR_TXEN) || !(e->tx_cfg & LAN_TX_CFG_ON)) {
        e->stats.tx_disabled_drops++;
    } else {
        e->stats.tx_frames++;
        e->stats.tx_bytes += e->tx_len;
        if (e->tx_tap) e->tx_tap(e->tx_tap_ctx, e->tx, e->tx_len);
        if (!e->link || eth_link_send(e->link, e->tx, e->tx_len) != 0) e->stats.tx_link_drops++;
    }
    e->tx_len = 0;
}

static void lan_tx_bytes(usbdev_lan9512_eth_t *e, const uint8_t *p, unsigned n)
{
    /* bounded: each step consumes at least one byte or changes state after a full word */
    while (n) {
        switch (e->txp) {
        case TXP_CMD_A:
        case TXP_CMD_B: {
            e->txw[e->txw_len++] = *p++;
            n--;
            if (e->txw_len < 4) break;
            uint32_t w = usbdev_get32(e->txw);
            e->txw_len = 0;
            if (e->txp == TXP_CMD_A) {
                e->tx_cmd_a = w;
                bool first = w & LAN_TXA_FIRST_SEG;
                if ((w & LAN_TXA_BUF_SIZE) == 0 || first == e->tx_in_frame) {
                    lan_tx_error(e);
                    break;
                }
                e->txp = TXP_CMD_B;
            } else {
                if (e->tx_cmd_a & LAN_TXA_FIRST_SEG) {
                    e->tx_cmd_b = w;
                    if (w & LAN_TXB_CSUM_EN) e->stats.unmodelled++; /* sent without the checksum */
                    e->tx_in_frame = true;
                    e->tx_len = 0;
                    if ((w & LAN_TXB_PKT_LEN) > LAN9512_MAX_FRAME) {
                        lan_tx_error(e);
                        break;
                    }
                }
                e->tx_skip = (e->tx_cmd_a >> LAN_TXA_OFFSET_SHIFT) & 0x1Fu;
                e->tx_seg_left = e->tx_cmd_a & LAN_TXA_BUF_SIZE;
                e->tx_consumed = e->tx_skip + e->tx_seg_left;
                e->txp = e->tx_skip ? TXP_OFFSET : TXP_DATA;
            }
            break;
        }
        case TXP_OFFSET: {
            unsigned k = n < e->tx_skip ? n : e->tx_skip;
            p += k;
            n -= k;
            e->tx_skip -= k;
            if (!e->tx_skip) e->txp = TXP_DATA;
            break;
        }
        case TXP_DATA: {
            unsigned k = n < e->tx_seg_left ? n : e->tx_seg_left;
            if (e->tx_len + k > LAN9512_MAX_FRAME) {
                lan_tx_error(e);
                break;
            }
            memcpy(e->tx + e->tx_len, p, k);
            e->tx_len += k;
            p += k;
            n -= k;
            e->tx_seg_left -= k;
            if (e->tx_seg_left) break;
            if (e->tx_cmd_a & LAN_TXA_LAST_SEG) lan_tx_frame(e);
            e->tx_skip = (4u - (e->tx_consumed & 3u)) & 3u;
            e->txp = e->tx_skip ? TXP_PAD : TXP_CMD_A;
            break;
        }
        case TXP_PAD: {
            unsigned k = n < e->tx_skip ? n : e->tx_skip;
            p += k;
            n -= k;
            e->tx_skip -= k;
            if (!e->tx_skip) e->txp = TXP_CMD_A;
            break;
        }
        case TXP_DISCARD:
            n = 0;
            break;
        }
    }
}

static int lan_out(usbdev_t *d, unsigned ep, const uint8_t *buf, unsigned len)
{
    usbdev_lan9512_eth_t *e = d->opaque;
    if (ep != LAN_EP_OUT) return USBDEV_STALL;
    lan_tx_bytes(e, buf, len);
    if (len < d->mps_out[LAN_EP_OUT]) { /* end of the bulk transfer */
        if (e->txp == TXP_DISCARD || e->txp == TXP_PAD) e->txp = TXP_CMD_A;
        if (e->txp == TXP_CMD_A || e->txp == TXP_CMD_B) e->txw_len = e->txp == TXP_CMD_A ? 0 : e->txw_len;
    }
    return 0;
}

/* ---- RX: status word + frame + FCS ---------------------------------------------------------------- */
static bool lan_rx_filter(const usbdev_lan9512_eth_t *e, const uint8_t *f)
{
    static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    if (e->mac_cr & (LAN_MAC_CR_PRMS | LAN_MAC_CR_RXALL)) return true;
    if (!memcmp(f, bcast, 6)) return !(e->mac_cr & LAN_MAC_CR_BCAST);
    if (f[0] & 1u) {
        if (e->mac_cr & LAN_MAC_CR_MCPAS) return true;
        if (e->mac_cr & LAN_MAC_CR_HPFILT) {
            unsigned bit = usbdev_lan9512_crc32(f, 6) >> 26; /* top 6 bits of the CRC */
            uint32_t h = bit >= 32 ? e->hashh : e->hashl;
            return (h >> (bit & 31u)) & 1u;
        }
        return false;
    }
    uint8_t mine[6] = { (uint8_t)e->addrl, (uint8_t)(e->addrl >> 8), (uint8_t)(e->addrl >> 16),
                        (uint8_t)(e->addrl >> 24), (uint8_t)e->addrh, (uint8_t)(e->addrh >> 8) };
    bool match = !memcmp(f, mine, 6);
    return (e->mac_cr & LAN_MAC_CR_INVFILT) ? !match : match;
}

bool usbdev_lan9512_rx(void *nic, const uint8_t *frame, size_t len)
{
    usbdev_lan9512_eth_t *e = nic;
    if (len < ETH_LINK_MIN_FRAME || len > LAN9512_MAX_FRAME) {
        e->stats.rx_bad++;
        return false;
    }
    if (!e->dev.config || !(e->mac_cr & LAN_MAC_CR_RXEN) || !(e->phy[PHY_BMSR] & PHY_BMSR_LINK)) {
        e->stats.rx_disabled_drops++;
        return false;
    }
    if (!lan_rx_filter(e, frame)) {
        e->stats.rx_filtered++;
        return true; /* the MAC took it off the wire and discarded it: not a refusal */
    }
    if (e->rx_count == LAN9512_RXQ) {
        e->stats.rx_fifo_full++;
        e->int_sts |= LAN_INT_STS_RXDF;
        return false;
    }
    unsigned slot = (e->rx_head + e->rx_count) % LAN9512_RXQ;
    memcpy(e->rxq[slot].data, frame, len);
    e->rxq[slot].len = (uint16_t)len;
    e->rxq[slot].at = sim_event_time(e->dev.sim);
    e->rx_count++;
    e->stats.rx_frames++;
    e->stats.rx_bytes += len;
    usbdev_wake(&e->dev);
    return true;
}

/* append one record: status, RXDOFF bytes, frame padded to 60, FCS */
static unsigned lan_record(usbdev_lan9512_eth_t *e, const uint8_t *f, unsigned len, uint8_t *out)
{
    unsigned off = (e->hw_cfg >> LAN_HW_CFG_RXDOFF_SHIFT) & 3u;
    unsigned wire = len < 60 ? 60 : len;
    uint32_t sts = ((uint32_t)(wire + 4) << LAN_RXS_FL_SHIFT);
    static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    if (!memcmp(f, bcast, 6)) sts |= LAN_RXS_BF;
    else if (f[0] & 1u) sts |= LAN_RXS_MF;
    usbdev_put32(out, sts);
    memset(out + 4, 0, off);
    uint8_t *fp = out + 4 + off;
    memcpy(fp, f, len);
    memset(fp + len, 0, wire - len);
    usbdev_put32(fp + wire, usbdev_lan9512_crc32(fp, wire));
    return 4 + off + wire + 4;
}

/* largest bulk-in transfer: BURST_CAP packets when enabled, else the model's buffer */
static unsigned lan_burst_cap(const usbdev_lan9512_eth_t *e)
{
    unsigned cap = LAN9512_XFER_MAX;
    if ((e->hw_cfg & LAN_HW_CFG_BCE) && e->burst_cap) {
        unsigned c = e->burst_cap * LAN_MPS_HS;
        if (c < cap) cap = c;
    }
    return cap;
}

static void lan_dly_done(void *opaque)
{
    usbdev_lan9512_eth_t *e = opaque;
    usbdev_wake(&e->dev);
}

static void lan_build_xfer(usbdev_lan9512_eth_t *e)
{
    unsigned cap = lan_burst_cap(e);
    bool multi = (e->hw_cfg & LAN_HW_CFG_MEF) != 0;
    unsigned off = (e->hw_cfg >> LAN_HW_CFG_RXDOFF_SHIFT) & 3u;
    e->xfer_len = e->xfer_pos = 0;
    while (e->rx_count) {
        unsigned len = e->rxq[e->rx_head].len, wire = len < 60 ? 60 : len;
        unsigned pad = e->xfer_len ? (4u - (e->xfer_len & 3u)) & 3u : 0;
        unsigned need = pad + 4 + off + wire + 4;
        if (e->xfer_len && (!multi || e->xfer_len + need > cap)) break;
        memset(e->xfer + e->xfer_len, 0, pad);
        e->xfer_len += pad;
        e->xfer_len += lan_record(e, e->rxq[e->rx_head].data, len, e->xfer + e->xfer_len);
        e->rx_head = (e->rx_head + 1) % LAN9512_RXQ;
        e->rx_count--;
    }
    e->xfer_active = e->xfer_len > 0;
    if (e->xfer_active) e->stats.rx_xfers++;
}

static int lan_in(usbdev_t *d, unsigned ep, uint8_t *buf, unsigned max)
{
    usbdev_lan9512_eth_t *e = d->opaque;
    if (ep == LAN_EP_INT) {
        /* each event is reported once; the driver clears INT_STS (W1C), which re-arms it */
        uint32_t fresh = e->int_sts & e->int_ep_ctl & ~e->int_reported;
        if (!fresh) return USBDEV_NAK;
        e->int_reported |= fresh;
        unsigned k = max < 4 ? max : 4;
        uint8_t w[4];
        usbdev_put32(w, e->int_sts);
        memcpy(buf, w, k);
        return (int)k;
    }
    if (ep != LAN_EP_IN) return USBDEV_STALL;
    if (!e->xfer_active && e->rx_count && (e->hw_cfg & LAN_HW_CFG_MEF)) {
        /* aggregation: hold a transfer that is not full yet for BULK_IN_DLY after its
         * first frame arrived (units of 1/60 MHz = 16.7 ns), hoping for more frames */
        uint64_t ready = e->rxq[e->rx_head].at + sim_ns_to_cycles(e->dev.sim, (uint64_t)e->bulk_in_dly * 50u / 3u);
        if (sim_event_time(e->dev.sim) < ready && lan_rx_fifo_used(e) < lan_burst_cap(e)) {
            if (!sim_timer_pending(&e->dly_timer)) sim_timer_mod(&e->dly_timer, ready);
            e->stats.rx_delayed++;
            return USBDEV_NAK;
        }
    }
    if (!e->xfer_active) {
        lan_build_xfer(e);
        if (!e->xfer_active) return (e->hw_cfg & LAN_HW_CFG_BIR) ? USBDEV_NAK : 0;
    }
    unsigned k = e->xfer_len - e->xfer_pos;
    if (k > max) k = max;
    memcpy(buf, e->xfer + e->xfer_pos, k);
    e->xfer_pos += k;
    if (k < max) e->xfer_active = false; /* short packet or ZLP ends the transfer */
    return (int)k;
}

static void lan_configured(usbdev_t *d)
{
    usbdev_lan9512_eth_t *e = d->opaque;
    bool on = d->config != 0;
    d->mps_in[LAN_EP_IN] = on ? LAN_MPS_HS : 0;
    d->mps_out[LAN_EP_OUT] = on ? LAN_MPS_HS : 0;
    d->mps_in[LAN_EP_INT] = on ? 16 : 0;
    e->xfer_active = false;
    e->xfer_len = e->xfer_pos = 0;
    lan_flush_tx(e);
}

static void lan_bus_reset(usbdev_t *d)
{
    usbdev_lan9512_eth_t *e = d->opaque;
    lan_mac_reset(e);
}

void usbdev_lan9512_init(usbdev_lan9512_t *l, sim_t *sim, eth_link_t *link)
{
    static const usbdev_class_t cls = { .control = lan_control, .in = lan_in, .out = lan_out,
                                        .bus_reset = lan_bus_reset, .configured = lan_configured };
    usbdev_lan9512_eth_t *e = &l->eth;
    memset(e, 0, sizeof *e);
    e->link = link;
    sim_timer_init(&e->aneg_timer, sim, lan_link_up, e);
    sim_timer_init(&e->dly_timer, sim, lan_dly_done, e);
    usbdev_init(&e->dev, sim, "lan9512-eth", USBDEV_SPEED_HIGH, &cls, e, lan_dev_desc, lan_cfg_desc, NULL, 0);
    lan_phy_reset(e, true);
    usbdev_hub_init(&l->hub, sim, "lan9512-hub", USBDEV_SPEED_HIGH, 3, 0x0424u, 0x9512u);
    usbdev_hub_attach(&l->hub, 1, &e->dev);
    if (link) eth_link_attach(link, usbdev_lan9512_rx, e);
}

void usbdev_lan9512_fini(usbdev_lan9512_t *l)
{
    sim_timer_del(&l->eth.aneg_timer);
    sim_timer_del(&l->eth.dly_timer);
    usbdev_hub_fini(&l->hub);
}
