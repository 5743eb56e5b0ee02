/* UART links: what is on the other end of a UART's wire (QEMU chardev analogue).
 *
 *   UART model (pl011, aux)  <--uart_port_ops--  uart_link  --backend--> host or peer
 *
 * Device side: the UART model registers a uart_port_ops (is the receiver on, how long
 * does one frame last at the programmed baud/format, deliver a received frame) and calls
 * uart_link_tx() when a frame has left its shift register (at that simulated time) and
 * uart_link_rx_kick() when its receiver may have been switched on.
 *
 * Wire side (RX): bytes for the UART wait in the link's queue and are put on the wire
 * back-to-back, one frame of frame_cycles() each, starting only while the receiver is on;
 * each frame is delivered with rx_frame() at the cycle its stop bit ends. A frame that
 * arrives with the UART's FIFO full is the UART's overrun: the link never holds back
 * because the guest is slow (that is the point of a file-fed run).
 *
 * Backends (uart_link_open): "stdio", "file:PATH" (output only), "tcp:PORT" (listen on
 * 127.0.0.1, one client, TCP_NODELAY; output buffered until a client connects), "pty"
 * (slave name on stderr), "null". uart_link_feed_file() adds a file fed to RX at the
 * programmed baud (--uart0-in); while a feed file is attached the interactive input is
 * not read, so file-fed runs are deterministic. Interactive input is polled in simulated
 * time (every frame time) with non-blocking reads.
 *
 * In-process peers (EnOcean modem model, harness): uart_link_add_tx_observer() sees every
 * byte the UART transmits (with its completion time = sim_now()); uart_link_push_rx()
 * queues bytes for the UART now, uart_link_push_rx_at() at a later simulated time.
 * Peers schedule their own work with sim_timer_t. */
#ifndef SIM_LINK_UART_LINK_H
#define SIM_LINK_UART_LINK_H
#include "core/sim.h"
#include <stdio.h>

typedef struct uart_link uart_link_t;

typedef struct uart_port_ops {
    bool (*rx_ready)(void *dev);               /* UART enabled and receiver on */
    uint64_t (*frame_cycles)(void *dev);       /* cycles of one frame (start..stop bits) */
    void (*rx_frame)(void *dev, uint8_t byte); /* a frame completed on the wire now */
} uart_port_ops_t;

/* Observer of transmitted bytes; return nothing, must not block. */
typedef void (*uart_tx_observer_fn)(void *opaque, uint8_t byte);

typedef struct uart_link_stats {
    uint64_t tx_bytes;        /* frames the UART completed (delivered to the backend) */
    uint64_t rx_bytes;        /* frames delivered to the UART (incl. ones it overran) */
    uint64_t rx_queued;       /* bytes accepted into the RX queue */
    uint64_t rx_dropped;      /* bytes dropped because the RX queue was full */
    uint64_t tx_dropped;      /* bytes the host side could not take (pty/tcp buffer full) */
} uart_link_stats_t;

/* Open a backend; spec NULL means "stdio". name is for messages ("uart0"). NULL + message
 * on stderr on failure. */
uart_link_t *uart_link_open(sim_t *sim, const char *name, const char *spec);
void uart_link_close(uart_link_t *l);
/* Feed a file into RX at the programmed baud (back-to-back frames); disables
 * interactive input on this link. 0 or -1 (message on stderr). */
int uart_link_feed_file(uart_link_t *l, const char *path);
/* Stop the simulation (SIM_STOP_UART_TEXT) when text appears in the TX stream. */
void uart_link_set_until(uart_link_t *l, const char *text);

/* device side */
void uart_link_attach_port(uart_link_t *l, const uart_port_ops_t *ops, void *dev);
void uart_link_tx(uart_link_t *l, uint8_t byte);  /* frame left the UART at sim_now() */
void uart_link_rx_kick(uart_link_t *l);           /* receiver state may have changed */
void uart_link_reset(uart_link_t *l);             /* board reset: stop the wire (queue kept) */

/* in-process peers */
int uart_link_add_tx_observer(uart_link_t *l, uart_tx_observer_fn fn, void *opaque);
int uart_link_push_rx(uart_link_t *l, const uint8_t *buf, size_t len);
int uart_link_push_rx_at(uart_link_t *l, uint64_t when, const uint8_t *buf, size_t len);
size_t uart_link_rx_pending(const uart_link_t *l); /* bytes queued, not yet on the wire */
/* Interactive host input (stdio/tcp/pty without a feed file) is read only here: the core
 * calls it while the guest waits in WFI. block = false: just look; block = true (nothing
 * else can happen in simulated time): wait on the host until bytes arrive (true) or the
 * input is gone for good (stdin EOF: false). Simulated time does not move meanwhile. */
bool uart_link_idle(uart_link_t *l, bool block);
bool uart_link_interactive(const uart_link_t *l);

const uart_link_stats_t *uart_link_stats(const uart_link_t *l);
const char *uart_link_name(const uart_link_t *l);
const char *uart_link_spec(const uart_link_t *l);
#endif
