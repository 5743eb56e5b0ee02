/* One BCM2835 board: instantiates every peripheral model, wires interrupt lines and
 * maps every unmodelled block as a named logging stub (STYLE.md 13). */
#ifndef SIM_SOC_H
#define SIM_SOC_H
#include "core/sim.h"

typedef struct soc soc_t;
/* Called by sim_new() after RAM is mapped and before the CPU is reset. Returns NULL
 * (message on stderr) on failure, e.g. a UART link spec that cannot be opened. */
soc_t *soc_build(sim_t *sim, const sim_config_t *cfg);
void soc_reset(soc_t *soc);      /* board reset (watchdog): every device to reset state */
void soc_free(soc_t *soc);
/* The guest waits for an interrupt: read interactive host input (uart_link_idle). With
 * block = true (no future event) waits on the host; returns true when input was queued. */
bool soc_idle(soc_t *soc, bool block);
/* IRQ source plumbing: sim_irq_set() forwards here (the IC model). */
void soc_irq_set(soc_t *soc, unsigned source, bool level);
/* Summary for --stats: per-device counters (UART bytes, overruns, watchdog resets...). */
void soc_print_stats(soc_t *soc, void *file /* FILE* */);
/* Same as JSON members (no braces) appended to an open object, for --stats-json.
 * Writes exactly one member, `, "devices": {...}` (leading comma, as main.c expects). */
void soc_print_stats_json(soc_t *soc, void *file /* FILE* */);

/* ---- added by the periph work: access to the board's devices ------------------------ */
/* (for links, in-process peers such as the EnOcean modem model, the harness and tests) */
struct uart_link;
struct bcm2835_ic;
struct bcm2835_gpio;
struct bcm2835_pl011;
struct bcm2835_aux;
struct bcm2835_pm;
struct uart_link *soc_uart0_link(soc_t *soc);   /* PL011 wire; never NULL */
struct uart_link *soc_uart1_link(soc_t *soc);   /* mini UART wire; NULL if not connected */
struct bcm2835_ic *soc_ic(soc_t *soc);
struct bcm2835_gpio *soc_gpio(soc_t *soc);
struct bcm2835_pl011 *soc_uart0(soc_t *soc);
struct bcm2835_aux *soc_aux(soc_t *soc);
struct bcm2835_pm *soc_pm(soc_t *soc);
/* EnOcean modem model (sim/link/enocean_modem.h) on the mini UART wire: parses the script
 * (errors "FILE:LINE: ..." on stderr), interposes on the aux port, writes the report to
 * report_path (NULL: none). 0 or -1. Freed with the board. */
struct enocean_modem;
int soc_attach_modem(soc_t *soc, const char *script_path, const char *report_path);
/* The same on the PL011's wire (uart = 0) or the mini UART's (uart = 1). */
int soc_attach_modem_on(soc_t *soc, unsigned uart, const char *script_path, const char *report_path);
struct enocean_modem *soc_modem(soc_t *soc);    /* NULL if none */
/* ---- added by the USB work: DWC2 host controller, USB devices and the Ethernet link ---- */
struct bcm2835_dwc2;
struct usbdev_lan9512;
struct usbdev_cdc_ecm;
struct usbdev_hub;
struct eth_link;
/* Choose what hangs on the root port and which Ethernet link the NIC uses; replaces the
 * board's current set-up (the board default is applied by soc_build with eth "null").
 *   usb: NULL or "default" (pi1b: "lan9512", pi0: "none"), "none",
 *        "lan9512" (hub 0424:9512 with the Ethernet function 0424:ec00 on port 1),
 *        "cdc-ecm" (QEMU's raspi0 + usb-net topology: a full-speed 8-port hub with the
 *        CDC-ECM NIC 0525:a4a2 on port 1)
 *   eth: link spec for eth_link_open (NULL = "null").
 * Call before the guest runs. 0, or -1 with a message on stderr. */
int soc_usb_setup(soc_t *soc, const char *usb, const char *eth);
struct bcm2835_dwc2 *soc_usb(soc_t *soc);
struct eth_link *soc_eth_link(soc_t *soc);            /* NULL when no NIC is attached */
struct usbdev_lan9512 *soc_lan9512(soc_t *soc);       /* NULL if not attached */
struct usbdev_cdc_ecm *soc_cdc_ecm(soc_t *soc);       /* NULL if not attached */
struct usbdev_hub *soc_usb_hub(soc_t *soc);           /* the hub on the root port, or NULL */
/* Replace the Ethernet link by the one `spec` opens, moving the attached NIC over (0, or
 * -1 with a message and the old link kept). Without a NIC the new link has none
 * (its frames are counted rx_no_nic). */
int soc_eth_open(soc_t *soc, const char *spec);
/* the CPU lines as driven by the IC (tests) */
bool soc_irq_line(soc_t *soc);
bool soc_fiq_line(soc_t *soc);
/* IRQ entry latency probes (bcm2835-sim --irq-probe): the cycle of source's last 0->1
 * edge at the IC input (the device's event time), whether it is still armed (no probe hit
 * consumed it yet; with one probe per source this is that probe's state), and consume it (true + *cycle when armed). */
uint64_t soc_irq_rise_cycle(soc_t *soc, unsigned src);
bool soc_irq_rise_armed(soc_t *soc, unsigned src);
bool soc_irq_take_rise(soc_t *soc, unsigned src, uint64_t *cycle);
/* rises of src so far: with several probes on one source each probe consumes every rise
 * once (first hit after it), independently of the others */
uint64_t soc_irq_rise_seq(soc_t *soc, unsigned src);
#endif
