/* One BCM2835 board (Pi 1B / Zero): instantiates the peripheral models, wires their
 * interrupt sources into the IC, attaches the UART links and maps every other block as a
 * named logging stub (QEMU bcm2835_peripherals.c + create_unimp; STYLE.md 13).
 *
 * The IC (0x200), ARM timer (0x400) and mailbox (0x880) share the 4 KiB page at
 * 0x2000B000: the SoC maps one dispatcher for that page and forwards by offset. */
#include "soc.h"
#include <poll.h>
#include "bcm2835/armtimer.h"
#include "bcm2835/bcm2835.h"
#include "bcm2835/ic.h"
#include "bcm2835/mbox.h"
#include "link/enocean_modem.h"
#include "link/eth_link.h"
#include "link/uart_link.h"
#include "periph/armtimer.h"
#include "periph/dwc2.h"
#include "periph/usbdev_cdc_ecm.h"
#include "periph/usbdev_hub.h"
#include "periph/usbdev_lan9512.h"
#include "periph/aux.h"
#include "periph/gpio.h"
#include "periph/ic.h"
#include "periph/mbox.h"
#include "periph/pl011.h"
#include "periph/pm.h"
#include "periph/systimer.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOC_PAGE 0x1000u
#define SOC_ARMCTRL_NAME "armctrl"

struct soc {
    sim_t *sim;
    bcm2835_ic_t ic;
    bcm2835_st_t st;
    bcm2835_armtimer_t armt;
    bcm2835_mbox_t mbox;
    bcm2835_pl011_t uart0;
    bcm2835_aux_t aux;
    bcm2835_gpio_t gpio;
    bcm2835_pm_t pm;
    uart_link_t *link0, *link1;
    enocean_modem_t *modem;  /* on link1 (mini UART), or NULL */
    bcm2835_dwc2_t usb;
    eth_link_t *eth;         /* the NIC's wire, or NULL when no NIC is attached */
    char *eth_spec;
    usbdev_lan9512_t *lan;   /* pi1b */
    usbdev_hub_t *ecm_hub;   /* --usb cdc-ecm: QEMU's hub ... */
    usbdev_cdc_ecm_t *ecm;   /* ... and usb-net */
    uint64_t armctrl_unimp;
    bool devices_up;        /* device models initialised (their timers exist) */
};

/* ---- the shared ARM-control page ------------------------------------------------ */
typedef struct {
    uint32_t off, size;
    const sim_dev_ops_t *ops;
    size_t state_off; /* offset of the device state inside soc_t */
} soc_sub_t;

static const soc_sub_t soc_armctrl_subs[] = {
    { BCM2835_IC_BASE - BCM2835_ARMCTRL_BASE, BCM2835_IC_SIZE, &bcm2835_ic_ops, offsetof(soc_t, ic) },
    { BCM2835_ARMTIMER_BASE - BCM2835_ARMCTRL_BASE, BCM2835_ARMT_SIZE, &bcm2835_armtimer_ops, offsetof(soc_t, armt) },
    { BCM2835_MBOX_BASE - BCM2835_ARMCTRL_BASE, BCM2835_MBOX_SIZE, &bcm2835_mbox_ops, offsetof(soc_t, mbox) },
};

static const soc_sub_t *soc_armctrl_find(uint32_t off)
{
    for (size_t i = 0; i < sizeof soc_armctrl_subs / sizeof soc_armctrl_subs[0]; i++)
        if (off >= soc_armctrl_subs[i].off && off < soc_armctrl_subs[i].off + soc_armctrl_subs[i].size)
            return &soc_armctrl_subs[i];
    return NULL;
}

static uint32_t soc_armctrl_read(void *opaque, uint32_t off, unsigned size)
{
    soc_t *s = opaque;
    const soc_sub_t *d = soc_armctrl_find(off);
    if (d) return d->ops->read((char *)s + d->state_off, off - d->off, size);
    s->armctrl_unimp++;
    sim_unimp(s->sim, SOC_ARMCTRL_NAME, "read%u at 0x%08x", size * 8, BCM2835_ARMCTRL_BASE + off);
    return 0;
}

static void soc_armctrl_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
    soc_t *s = opaque;
    const soc_sub_t *d = soc_armctrl_find(off);
    if (d) {
        d->ops->write((char *)s + d->state_off, off - d->off, val, size);
        return;
    }
    s->armctrl_unimp++;
    sim_unimp(s->sim, SOC_ARMCTRL_NAME, "write%u 0x%08x at 0x%08x", size * 8, val, BCM2835_ARMCTRL_BASE + off);
}

static const sim_dev_ops_t soc_armctrl_ops = {
    .name = SOC_ARMCTRL_NAME,
    .read = soc_armctrl_read,
    .write = soc_armctrl_write,
    .reset = NULL, /* the SoC resets the three devices itself */
};

/* ---- unmodelled blocks -------------------------------------------------------------- */
static const struct {
    const char *name;
    uint32_t base, size;
} soc_stubs[] = {
    { "mphi", BCM2835_MPHI_BASE, SOC_PAGE },
    { "dma", BCM2835_DMA_BASE, SOC_PAGE },
    { "asb", BCM2835_ASB_BASE, SOC_PAGE },
    { "cm", BCM2835_CM_BASE, SOC_PAGE },
    { "rng", BCM2835_RNG_BASE, SOC_PAGE },
    { "sdhost", BCM2835_SDHOST_BASE, SOC_PAGE },
    { "pcm", BCM2835_PCM_BASE, SOC_PAGE },
    { "spi0", BCM2835_SPI0_BASE, SOC_PAGE },
    { "bsc0", BCM2835_BSC0_BASE, SOC_PAGE },
    { "pwm", BCM2835_PWM_BASE, SOC_PAGE },
    { "otp", BCM2835_OTP_BASE, SOC_PAGE },
    { "thermal", BCM2835_THERMAL_BASE, SOC_PAGE },
    { "i2c-spi-slave", BCM2835_SLAVE_BASE, SOC_PAGE },
    { "emmc", BCM2835_EMMC_BASE, SOC_PAGE },
    { "hvs", BCM2835_HVS_BASE, 0x6000u },
    { "smi", BCM2835_SMI_BASE, SOC_PAGE },
    { "bsc1", BCM2835_BSC1_BASE, SOC_PAGE },
    { "bsc2", BCM2835_BSC2_BASE, SOC_PAGE },
    { "v3d", BCM2835_V3D_BASE, SOC_PAGE },
    { "dma15", BCM2835_DMA15_BASE, SOC_PAGE },
};

/* ---- USB topology --------------------------------------------------------------------- */
/* the MAC usb-net announces (iMACAddress) with QEMU's default NIC address 52:54:00:12:34:56 */
static const uint8_t soc_usbnet_mac[6] = { 0x40, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void soc_usb_teardown(soc_t *s)
{
    bcm2835_dwc2_attach(&s->usb, NULL);
    if (s->lan) usbdev_lan9512_fini(s->lan);
    if (s->ecm_hub) usbdev_hub_fini(s->ecm_hub);
    free(s->lan);
    free(s->ecm_hub);
    free(s->ecm);
    s->lan = NULL;
    s->ecm_hub = NULL;
    s->ecm = NULL;
    eth_link_close(s->eth);
    s->eth = NULL;
    free(s->eth_spec);
    s->eth_spec = NULL;
}

int soc_usb_setup(soc_t *s, const char *usb, const char *eth)
{
    if (!usb || !strcmp(usb, "default")) usb = sim_board(s->sim) == SIM_BOARD_PI1B ? "lan9512" : "none";
    if (!eth) eth = "null";
    bool lan = !strcmp(usb, "lan9512"), ecm = !strcmp(usb, "cdc-ecm");
    if (!lan && !ecm && strcmp(usb, "none")) {
        fprintf(stderr, "bcm2835-sim: unknown USB set-up '%s' (none, lan9512, cdc-ecm)\n", usb);
        return -1;
    }
    soc_usb_teardown(s);
    if (!lan && !ecm) return 0;
    s->eth = eth_link_open(s->sim, eth);
    if (!s->eth) return -1;
    s->eth_spec = strdup(eth);
    if (lan) {
        s->lan = calloc(1, sizeof *s->lan);
        if (!s->lan) return -1;
        usbdev_lan9512_init(s->lan, s->sim, s->eth);
        bcm2835_dwc2_attach(&s->usb, &s->lan->hub.dev);
    } else {
        s->ecm_hub = calloc(1, sizeof *s->ecm_hub);
        s->ecm = calloc(1, sizeof *s->ecm);
        if (!s->ecm_hub || !s->ecm) return -1;
        usbdev_hub_init(s->ecm_hub, s->sim, "usb-hub", USBDEV_SPEED_FULL, 8, 0x0409u, 0x55AAu);
        usbdev_cdc_ecm_init(s->ecm, s->sim, "usb-net", soc_usbnet_mac, s->eth);
        usbdev_hub_attach(s->ecm_hub, 1, &s->ecm->dev);
        bcm2835_dwc2_attach(&s->usb, &s->ecm_hub->dev);
    }
    return 0;
}

bcm2835_dwc2_t *soc_usb(soc_t *s) { return &s->usb; }
eth_link_t *soc_eth_link(soc_t *s) { return s->eth; }
usbdev_lan9512_t *soc_lan9512(soc_t *s) { return s->lan; }
usbdev_cdc_ecm_t *soc_cdc_ecm(soc_t *s) { return s->ecm; }
usbdev_hub_t *soc_usb_hub(soc_t *s) { return s->lan ? &s->lan->hub : s->ecm_hub; }

/* ---- build / reset / free ------------------------------------------------------------ */
soc_t *soc_build(sim_t *sim, const sim_config_t *cfg)
{
    soc_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->sim = sim;
    s->link0 = uart_link_open(sim, "uart0", cfg->uart0_spec);
    if (!s->link0) goto fail;
    if (cfg->uart0_in && uart_link_feed_file(s->link0, cfg->uart0_in) < 0) goto fail;
    if (cfg->until_uart) uart_link_set_until(s->link0, cfg->until_uart);
    if (cfg->uart1_spec) {
        s->link1 = uart_link_open(sim, "uart1", cfg->uart1_spec);
        if (!s->link1) goto fail;
    }
    bcm2835_ic_init(&s->ic, sim);
    bcm2835_st_init(&s->st, sim);
    bcm2835_armtimer_init(&s->armt, sim);
    bcm2835_mbox_init(&s->mbox, sim);
    bcm2835_pl011_init(&s->uart0, sim, "uart0", BCM2835_IRQ_UART0, s->link0);
    bcm2835_aux_init(&s->aux, sim, s->link1);
    bcm2835_gpio_init(&s->gpio, sim);
    bcm2835_pm_init(&s->pm, sim);
    bcm2835_dwc2_init(&s->usb, sim);
    s->devices_up = true;
    if (soc_usb_setup(s, NULL, NULL) != 0) goto fail;

    int rc = 0;
    rc |= sim_map_device(sim, BCM2835_ST_BASE, SOC_PAGE, &bcm2835_st_ops, &s->st);
    rc |= sim_map_device(sim, BCM2835_ARMCTRL_BASE, SOC_PAGE, &soc_armctrl_ops, s);
    rc |= sim_map_device(sim, BCM2835_PM_BASE, SOC_PAGE, &bcm2835_pm_ops, &s->pm);
    rc |= sim_map_device(sim, BCM2835_GPIO_BASE, SOC_PAGE, &bcm2835_gpio_ops, &s->gpio);
    rc |= sim_map_device(sim, BCM2835_UART0_BASE, SOC_PAGE, &bcm2835_pl011_ops, &s->uart0);
    rc |= sim_map_device(sim, BCM2835_AUX_BASE, SOC_PAGE, &bcm2835_aux_ops, &s->aux);
    rc |= sim_map_device(sim, BCM2835_USB_BASE, BCM2835_USB_SIZE, &bcm2835_dwc2_ops, &s->usb);
    for (size_t i = 0; i < sizeof soc_stubs / sizeof soc_stubs[0]; i++)
        rc |= sim_map_stub(sim, soc_stubs[i].name, soc_stubs[i].base, soc_stubs[i].size);
    if (rc) goto fail;
    return s;
fail:
    fprintf(stderr, "bcm2835-sim: building the board failed\n");
    soc_free(s);
    return NULL;
}

void soc_reset(soc_t *s)
{
    if (!s) return;
    /* devices first (they drive their IRQ sources low), then the IC recomputes */
    bcm2835_st_reset(&s->st);
    bcm2835_armtimer_reset(&s->armt);
    bcm2835_mbox_reset(&s->mbox);
    bcm2835_pl011_reset(&s->uart0);
    bcm2835_aux_reset(&s->aux);
    bcm2835_gpio_reset(&s->gpio);
    bcm2835_pm_reset(&s->pm);
    bcm2835_dwc2_reset(&s->usb); /* also a bus reset of the attached devices */
    bcm2835_ic_reset(&s->ic);
    uart_link_reset(s->link0);
    if (s->link1) uart_link_reset(s->link1);
}

void soc_free(soc_t *s)
{
    if (!s) return;
    if (s->devices_up) {
        bcm2835_st_fini(&s->st);
        bcm2835_armtimer_fini(&s->armt);
        bcm2835_mbox_fini(&s->mbox);
        bcm2835_pl011_fini(&s->uart0);
        bcm2835_aux_fini(&s->aux);
        bcm2835_pm_fini(&s->pm);
        soc_usb_teardown(s);
        bcm2835_dwc2_fini(&s->usb);
    }
    enocean_modem_free(s->modem); /* before its link: it restores the port ops */
    uart_link_close(s->link0);
    uart_link_close(s->link1);
    free(s);
}

void soc_irq_set(soc_t *s, unsigned source, bool level)
{
    if (!s) return; /* during soc_build: no device raises a line before the board exists */
    bcm2835_ic_set_input(&s->ic, source, level);
}

/* ---- accessors ---------------------------------------------------------------------------- */
bool soc_idle(soc_t *s, bool block)
{
    /* Host-side Ethernet input (slirp, tap) enters while the guest waits, as UART input
     * does. Without an interactive UART the Ethernet link may block (bounded, its own
     * rule); with one, the link is polled between the UART waits below. */
    bool uart_inter = (s->link0 && uart_link_interactive(s->link0)) || (s->link1 && uart_link_interactive(s->link1));
    if (s->eth && eth_link_idle(s->eth, block && !uart_inter)) return true;
    /* with two interactive links (or one and the Ethernet link), block on neither but
     * look at both in turn */
    bool two = s->link0 && s->link1 && uart_link_interactive(s->link0) && uart_link_interactive(s->link1);
    two = two || (uart_inter && s->eth);
    for (;;) {
        bool got = false;
        if (s->link0) got |= uart_link_idle(s->link0, block && !two);
        if (s->link1) got |= uart_link_idle(s->link1, block && !two);
        if (s->eth && two) got |= eth_link_idle(s->eth, false);
        if (got || !block || !two) return got;
        bool still = (s->link0 && uart_link_interactive(s->link0)) || (s->link1 && uart_link_interactive(s->link1));
        if (!still) return s->eth ? eth_link_idle(s->eth, true) : false; /* the UART input ended */
        poll(NULL, 0, 10);
    }
}

int soc_attach_modem(soc_t *s, const char *script_path, const char *report_path)
{
    return soc_attach_modem_on(s, 1, script_path, report_path);
}

int soc_attach_modem_on(soc_t *s, unsigned uart, const char *script_path, const char *report_path)
{
    uart_link_t *link = uart == 0 ? s->link0 : uart == 1 ? s->link1 : NULL;
    if (!link) {
        fprintf(stderr, "bcm2835-sim: the EnOcean modem needs a connected uart0 or uart1 link\n");
        return -1;
    }
    if (s->modem) {
        fprintf(stderr, "bcm2835-sim: a modem is already attached\n");
        return -1;
    }
    eno_script_t *sc;
    if (eno_script_parse_file(script_path, &sc, stderr, NULL) != 0) return -1;
    if (uart == 0)
        s->modem = enocean_modem_new(s->sim, link, &bcm2835_pl011_port_ops, &s->uart0, sc, script_path, report_path);
    else
        s->modem = enocean_modem_new(s->sim, link, &bcm2835_aux_port_ops, &s->aux, sc, script_path, report_path);
    return s->modem ? 0 : -1;
}

enocean_modem_t *soc_modem(soc_t *s) { return s->modem; }

int soc_eth_open(soc_t *s, const char *spec)
{
    eth_link_t *l = eth_link_open(s->sim, spec);
    if (!l) return -1;
    if (s->eth) {
        eth_link_move_nic(s->eth, l); /* the NIC model attached by soc_usb_setup stays attached */
        eth_link_close(s->eth);
    }
    s->eth = l;
    free(s->eth_spec);
    s->eth_spec = strdup(spec);
    return 0;
}

uart_link_t *soc_uart0_link(soc_t *s) { return s->link0; }
uart_link_t *soc_uart1_link(soc_t *s) { return s->link1; }
bcm2835_ic_t *soc_ic(soc_t *s) { return &s->ic; }
bcm2835_gpio_t *soc_gpio(soc_t *s) { return &s->gpio; }
bcm2835_pl011_t *soc_uart0(soc_t *s) { return &s->uart0; }
bcm2835_aux_t *soc_aux(soc_t *s) { return &s->aux; }
bcm2835_pm_t *soc_pm(soc_t *s) { return &s->pm; }
bool soc_irq_line(soc_t *s) { return bcm2835_ic_irq_out(&s->ic); }
bool soc_fiq_line(soc_t *s) { return bcm2835_ic_fiq_out(&s->ic); }
uint64_t soc_irq_rise_cycle(soc_t *s, unsigned src) { return bcm2835_ic_rise_cycle(&s->ic, src); }
bool soc_irq_rise_armed(soc_t *s, unsigned src) { return bcm2835_ic_rise_armed(&s->ic, src); }
uint64_t soc_irq_rise_seq(soc_t *s, unsigned src) { return bcm2835_ic_rise_seq(&s->ic, src); }
bool soc_irq_take_rise(soc_t *s, unsigned src, uint64_t *cycle) { return s && bcm2835_ic_take_rise(&s->ic, src, cycle); }

/* ---- statistics ---------------------------------------------------------------------------- */
static void soc_json_str(FILE *f, const char *v)
{
    fputc('"', f);
    for (; v && *v; v++) {
        if (*v == '"' || *v == '\\') fprintf(f, "\\%c", *v);
        else if ((unsigned char)*v < 0x20) fprintf(f, "\\u%04x", *v);
        else fputc(*v, f);
    }
    fputc('"', f);
}

/* USB controller, NIC and link counters: one text line each, or JSON members with a
 * trailing ", " (the caller closes the object) */
static void soc_usb_stats(soc_t *s, FILE *f, bool json)
{
#define UL(x) ((unsigned long long)(x))
    const bcm2835_dwc2_stats_t *u = &s->usb.stats;
    if (json)
        fprintf(f, "\"usb\": {\"transfers\": %llu, \"transactions\": %llu, \"setups\": %llu, \"in_bytes\": %llu, "
                   "\"out_bytes\": %llu, \"naks\": %llu, \"nak_retries\": %llu, \"stalls\": %llu, \"xacterrs\": %llu, "
                   "\"babbles\": %llu, \"toggle_errors\": %llu, \"dma_errors\": %llu, \"halts_by_guest\": %llu, "
                   "\"splits\": %llu, \"port_resets\": %llu, \"core_resets\": %llu, \"no_device\": %llu, "
                   "\"out_toggle_dups\": %llu, \"guest_errors\": %llu, \"unimplemented\": %llu}, ",
                UL(u->transfers), UL(u->transactions), UL(u->setups), UL(u->in_bytes), UL(u->out_bytes), UL(u->naks),
                UL(u->nak_retries), UL(u->stalls), UL(u->xacterrs), UL(u->babbles), UL(u->toggle_errors),
                UL(u->dma_errors), UL(u->halts_by_guest), UL(u->splits), UL(u->port_resets), UL(u->core_resets),
                UL(u->no_device), UL(u->out_toggle_dups), UL(u->guest_errors), UL(u->unimp));
    else
        fprintf(f, "usb: transfers %llu transactions %llu setups %llu in-bytes %llu out-bytes %llu naks %llu "
                   "nak-retries %llu stalls %llu xacterrs %llu babbles %llu toggle-errors %llu dma-errors %llu "
                   "guest-halts %llu splits %llu port-resets %llu core-resets %llu no-device %llu out-toggle-dups %llu "
                   "guest-errors %llu unimplemented %llu\n",
                UL(u->transfers), UL(u->transactions), UL(u->setups), UL(u->in_bytes), UL(u->out_bytes), UL(u->naks),
                UL(u->nak_retries), UL(u->stalls), UL(u->xacterrs), UL(u->babbles), UL(u->toggle_errors),
                UL(u->dma_errors), UL(u->halts_by_guest), UL(u->splits), UL(u->port_resets), UL(u->core_resets),
                UL(u->no_device), UL(u->out_toggle_dups), UL(u->guest_errors), UL(u->unimp));
    uint64_t txf = 0, txb = 0, rxf = 0, rxb = 0, txdrop = 0, rxdrop = 0, errs = 0, unmod = 0;
    const char *nic = "none";
    if (s->lan) {
        const usbdev_lan9512_eth_t *e = &s->lan->eth;
        nic = "lan9512";
        txf = e->stats.tx_frames, txb = e->stats.tx_bytes, rxf = e->stats.rx_frames, rxb = e->stats.rx_bytes;
        txdrop = e->stats.tx_disabled_drops + e->stats.tx_link_drops;
        rxdrop = e->stats.rx_disabled_drops + e->stats.rx_fifo_full + e->stats.rx_bad;
        errs = e->stats.tx_cmd_errors + e->stats.bad_reg;
        unmod = e->stats.unmodelled;
    } else if (s->ecm) {
        const usbdev_cdc_ecm_t *e = s->ecm;
        nic = "cdc-ecm";
        txf = e->stats.tx_frames, txb = e->stats.tx_bytes, rxf = e->stats.rx_frames, rxb = e->stats.rx_bytes;
        txdrop = e->stats.tx_link_drops + e->stats.tx_runts + e->stats.tx_oversize;
        rxdrop = e->stats.rx_refused_inactive + e->stats.rx_refused_full + e->stats.rx_bad;
        errs = e->stats.tx_runts + e->stats.tx_oversize;
    }
    if (json) {
        fprintf(f, "\"nic\": {\"model\": \"%s\", \"tx_frames\": %llu, \"tx_bytes\": %llu, \"rx_frames\": %llu, "
                   "\"rx_bytes\": %llu, \"tx_dropped\": %llu, \"rx_dropped\": %llu, \"errors\": %llu, "
                   "\"unmodelled_features\": %llu}, ",
                nic, UL(txf), UL(txb), UL(rxf), UL(rxb), UL(txdrop), UL(rxdrop), UL(errs), UL(unmod));
        if (s->eth) {
            eth_link_print_stats_json(s->eth, f);
            fprintf(f, ", ");
        } else {
            fprintf(f, "\"eth\": {\"link\": null}, "); /* no NIC attached: no wire */
        }
    } else {
        fprintf(f, "nic (%s): tx-frames %llu tx-bytes %llu rx-frames %llu rx-bytes %llu tx-dropped %llu "
                   "rx-dropped %llu errors %llu unmodelled-features %llu\n",
                nic, UL(txf), UL(txb), UL(rxf), UL(rxb), UL(txdrop), UL(rxdrop), UL(errs), UL(unmod));
        if (s->eth) eth_link_print_stats(s->eth, f);
    }
#undef UL
}

static void soc_link_stats(const uart_link_t *l, uint64_t *txd, uint64_t *rxd, uint64_t *pend)
{
    const uart_link_stats_t *ls = l ? uart_link_stats(l) : NULL;
    *txd = ls ? ls->tx_dropped : 0;
    *rxd = ls ? ls->rx_dropped : 0;
    *pend = l ? uart_link_rx_pending(l) : 0;
}

void soc_print_stats(soc_t *s, void *file)
{
    FILE *f = file;
    uint64_t txd, rxd, pend;
    soc_link_stats(s->link0, &txd, &rxd, &pend);
    fprintf(f, "uart0 (%s): tx %llu rx %llu overruns %llu rx-dropped(disabled) %llu tx-fifo-overflows %llu "
               "link-tx-dropped %llu link-rx-dropped %llu rx-pending %llu guest-errors %llu\n",
            uart_link_spec(s->link0), (unsigned long long)s->uart0.stats.tx_bytes,
            (unsigned long long)s->uart0.stats.rx_bytes, (unsigned long long)s->uart0.stats.rx_overruns,
            (unsigned long long)s->uart0.stats.rx_dropped_disabled,
            (unsigned long long)s->uart0.stats.tx_fifo_overflows, (unsigned long long)txd, (unsigned long long)rxd,
            (unsigned long long)pend, (unsigned long long)s->uart0.stats.guest_errors);
    soc_link_stats(s->link1, &txd, &rxd, &pend);
    fprintf(f, "uart1 (%s): tx %llu rx %llu overruns %llu rx-dropped(disabled) %llu tx-fifo-overflows %llu "
               "rx-pending %llu guest-errors %llu\n",
            s->link1 ? uart_link_spec(s->link1) : "not connected", (unsigned long long)s->aux.stats.tx_bytes,
            (unsigned long long)s->aux.stats.rx_bytes, (unsigned long long)s->aux.stats.rx_overruns,
            (unsigned long long)s->aux.stats.rx_dropped_disabled, (unsigned long long)s->aux.stats.tx_fifo_overflows,
            (unsigned long long)pend, (unsigned long long)s->aux.stats.guest_errors);
    if (s->modem) enocean_modem_print_stats(s->modem, f);
    fprintf(f, "ic: irq-edges %llu fiq-edges %llu guest-errors %llu\n", (unsigned long long)s->ic.stats.irq_edges,
            (unsigned long long)s->ic.stats.fiq_edges, (unsigned long long)s->ic.stats.guest_errors);
    fprintf(f, "systimer: matches %llu guest-errors %llu\n", (unsigned long long)s->st.stats.matches,
            (unsigned long long)s->st.stats.guest_errors);
    fprintf(f, "armtimer: wraps %llu guest-errors %llu\n", (unsigned long long)s->armt.stats.wraps,
            (unsigned long long)s->armt.stats.guest_errors);
    fprintf(f, "mbox: messages %llu property-requests %llu unknown-tags %llu bad-buffers %llu guest-errors %llu\n",
            (unsigned long long)s->mbox.stats.messages, (unsigned long long)s->mbox.stats.prop_requests,
            (unsigned long long)s->mbox.stats.unknown_tags, (unsigned long long)s->mbox.stats.bad_buffers,
            (unsigned long long)s->mbox.stats.guest_errors);
    fprintf(f, "gpio: events %llu guest-errors %llu\n", (unsigned long long)s->gpio.stats.events,
            (unsigned long long)s->gpio.stats.guest_errors);
    fprintf(f, "pm: watchdog-resets %llu watchdog-halts %llu kicks %llu bad-password %llu guest-errors %llu\n",
            (unsigned long long)s->pm.stats.wdog_resets, (unsigned long long)s->pm.stats.wdog_halts,
            (unsigned long long)s->pm.stats.kicks, (unsigned long long)s->pm.stats.bad_password,
            (unsigned long long)s->pm.stats.guest_errors);
    fprintf(f, "armctrl: unimplemented-accesses %llu\n", (unsigned long long)s->armctrl_unimp);
    soc_usb_stats(s, f, false);
}

void soc_print_stats_json(soc_t *s, void *file)
{
    FILE *f = file;
    uint64_t txd, rxd, pend;
#define U(x) ((unsigned long long)(x))
    fprintf(f, ", \"devices\": {"); /* main.c appends members as ", name: value" */
    soc_link_stats(s->link0, &txd, &rxd, &pend);
    fprintf(f, "\"uart0\": {\"link\": ");
    soc_json_str(f, uart_link_spec(s->link0));
    fprintf(f, ", \"tx_bytes\": %llu, \"rx_bytes\": %llu, \"rx_overruns\": %llu, \"rx_dropped_disabled\": %llu, "
               "\"tx_fifo_overflows\": %llu, \"link_tx_dropped\": %llu, \"link_rx_dropped\": %llu, "
               "\"rx_pending\": %llu, \"guest_errors\": %llu}, ",
            U(s->uart0.stats.tx_bytes), U(s->uart0.stats.rx_bytes), U(s->uart0.stats.rx_overruns),
            U(s->uart0.stats.rx_dropped_disabled), U(s->uart0.stats.tx_fifo_overflows), U(txd), U(rxd), U(pend),
            U(s->uart0.stats.guest_errors));
    soc_link_stats(s->link1, &txd, &rxd, &pend);
    fprintf(f, "\"uart1\": {\"link\": ");
    if (s->link1) soc_json_str(f, uart_link_spec(s->link1));
    else fprintf(f, "null");
    fprintf(f, ", \"tx_bytes\": %llu, \"rx_bytes\": %llu, \"rx_overruns\": %llu, \"rx_dropped_disabled\": %llu, "
               "\"tx_fifo_overflows\": %llu, \"rx_pending\": %llu, \"guest_errors\": %llu}, ",
            U(s->aux.stats.tx_bytes), U(s->aux.stats.rx_bytes), U(s->aux.stats.rx_overruns),
            U(s->aux.stats.rx_dropped_disabled), U(s->aux.stats.tx_fifo_overflows), U(pend),
            U(s->aux.stats.guest_errors));
    fprintf(f, "\"ic\": {\"irq_edges\": %llu, \"fiq_edges\": %llu, \"guest_errors\": %llu}, ",
            U(s->ic.stats.irq_edges), U(s->ic.stats.fiq_edges), U(s->ic.stats.guest_errors));
    fprintf(f, "\"systimer\": {\"matches\": %llu, \"guest_errors\": %llu}, ", U(s->st.stats.matches),
            U(s->st.stats.guest_errors));
    fprintf(f, "\"armtimer\": {\"wraps\": %llu, \"guest_errors\": %llu}, ", U(s->armt.stats.wraps),
            U(s->armt.stats.guest_errors));
    fprintf(f, "\"mbox\": {\"messages\": %llu, \"property_requests\": %llu, \"unknown_tags\": %llu, "
               "\"bad_buffers\": %llu, \"guest_errors\": %llu}, ",
            U(s->mbox.stats.messages), U(s->mbox.stats.prop_requests), U(s->mbox.stats.unknown_tags),
            U(s->mbox.stats.bad_buffers), U(s->mbox.stats.guest_errors));
    fprintf(f, "\"gpio\": {\"events\": %llu, \"guest_errors\": %llu}, ", U(s->gpio.stats.events),
            U(s->gpio.stats.guest_errors));
    fprintf(f, "\"pm\": {\"watchdog_resets\": %llu, \"watchdog_halts\": %llu, \"kicks\": %llu, "
               "\"bad_password\": %llu, \"guest_errors\": %llu}, ",
            U(s->pm.stats.wdog_resets), U(s->pm.stats.wdog_halts), U(s->pm.stats.kicks), U(s->pm.stats.bad_password),
            U(s->pm.stats.guest_errors));
    if (s->modem) {
        const eno_modem_stats_t *m = enocean_modem_stats(s->modem);
        fprintf(f, "\"enocean_modem\": {\"done\": %s, \"telegrams\": %llu, \"valid_telegrams\": %llu, \"bytes\": %llu, "
                   "\"wire_lost_bytes\": %llu, \"corrupt_bytes\": %llu, \"baud_mismatch_bytes\": %llu, "
                   "\"collisions\": %llu}, ",
                m->done ? "true" : "false", U(m->telegrams), U(m->valid_telegrams), U(m->bytes), U(m->wire_lost_bytes),
                U(m->corrupt_bytes), U(m->baud_mismatch_bytes), U(m->collisions));
    }
    soc_usb_stats(s, f, true);
    fprintf(f, "\"armctrl\": {\"unimplemented_accesses\": %llu}}", U(s->armctrl_unimp));
#undef U
}
