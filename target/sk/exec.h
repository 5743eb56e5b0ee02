/* Serverkernel cyclic executive on the firmware (DESIGN.md "Executive"): owns the serial
 * transport (frames beside the console on the PL011, sk/link.h), the protocol state machine
 * (sk/node.h), the loader and the PM watchdog; calls sk_sandbox_run() for each run.
 *
 * Hooks in target/main.c (the only places): sk_exec_measure() first thing in kmain (hash of
 * the loaded image for attestation, before any .data changes), sk_exec_init() after the
 * board is up, sk_exec_feed() for every received console byte (frame bytes are taken, text
 * goes on to the console), sk_exec_poll() on every idle loop turn.
 *
 * Time limits per state: IDLE none; RECEIVING the protocol's inactivity timeout
 * (SK_EXEC_RX_TIMEOUT_US, checked by sk_exec_poll, which wakes itself every SK_EXEC_TICK_US);
 * VERIFYING and REPLYING SK_EXEC_STEP_LIMIT_MS and RUNNING the run's CPU budget +
 * SK_EXEC_RUN_MARGIN_MS, both through the PM watchdog (hal/wdog.h), armed and kicked only
 * here: armed on entering those states, stopped in IDLE and RECEIVING (where the executive
 * waits for the client). A run or a kernel path that does not come back within its limit
 * resets the board; the node advertises again after boot.
 *
 * System timer: the executive's idle wake-up uses compare channel 1 (only 1 and 3 are the
 * ARM's on a real Pi: the GPU owns 0 and 2; 3 is VMIT's storm level). The sandbox owns
 * channel 1 for a run's CPU budget; runs are synchronous inside sk_exec_feed(), so
 * sk_exec_run() cancels the wake-up before handing the channel over and the next
 * sk_exec_poll() (every idle loop turn) arms it again.
 *
 * Simulator note: bcm2835-sim reads interactive host input only when the guest waits with
 * no event scheduled, otherwise simulated time runs ahead of the host. A client that waits
 * for each ACK would therefore see its upload time out on the simulator; skctl sends BEGIN,
 * every chunk and EXEC back to back (the node accepts that order) and retransmits only
 * what the acknowledgements show missing.
 *
 * Advertisements: the line is shared with the text console, so the node stays silent in
 * binary until a client has sent one valid frame on it (text-only users, the harness and
 * the existing console tests see a pure text console). From then on, every
 * SK_EXEC_ADV_PERIOD_US while IDLE, one ADVERT frame. On a line dedicated to the
 * serverkernel, the console command `sk adverts on` (sk_exec_set_adverts) starts the idle
 * adverts without waiting for a client; `sk adverts off` stops them until the next frame. */
#ifndef SK_EXEC_H
#define SK_EXEC_H
#include <stddef.h>
#include <stdint.h>

#define SK_EXEC_ADV_PERIOD_US 1000000u
#define SK_EXEC_TICK_US 100000u         /* wake-up period of the idle loop while active */
#define SK_EXEC_RX_TIMEOUT_US 5000000u  /* RECEIVING inactivity limit (protocol) */
#define SK_EXEC_STEP_LIMIT_MS 4000u     /* watchdog in VERIFYING and REPLYING */
#define SK_EXEC_RUN_MARGIN_MS 500u  /* the sandbox ends a run at its budget; this covers the exit path */
#define SK_EXEC_BUDGET_DEFAULT_US 5000000u
#define SK_EXEC_BUDGET_MAX_US 12000000u /* + margin stays under WDOG_MAX_MS */
#define SK_EXEC_NODE_ID_DEFAULT 1u

typedef struct sk_exec_board {
    uint32_t node_id;
    const char *board;      /* "pi1b", "pi0", ... */
    uint32_t cpu_hz;
    const char *fw_version;
} sk_exec_board_t;

void sk_exec_measure(void);
void sk_exec_init(const sk_exec_board_t *b);
int sk_exec_feed(int byte);     /* 1: the byte was taken by the serverkernel transport */
void sk_exec_poll(void);
/* Console hook (`sk` command): idle adverts on/off, and a one-line status. */
void sk_exec_set_adverts(int on);
int sk_exec_status(char *buf, size_t cap);

/* The second transport (UDP, sk/udp.h) plugs in here with the same messages: one received
 * message in, the reply (length, 0 for none) out; and an advert to broadcast while IDLE
 * (0 when not idle). Application level only (the executive's context), like the serial path:
 * sk/udp.c calls them from sk_udp_poll in the main loop, never from VMIO. */
int sk_exec_message(const uint8_t *msg, size_t len, uint8_t *reply, size_t cap);
int sk_exec_advert(uint8_t *buf, size_t cap);

#endif
