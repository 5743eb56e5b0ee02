/* EnOcean modem model: an in-process peer on a UART link (the mini UART, UART1, with
 * --uart1-modem; or the PL011, UART0, with --uart0-modem: soc_attach_modem_on()) that
 * replays a telegram script as ESP3 frames at exact wire timing and reports what it sent.
 * Below, "mini UART" stands for whichever UART it is attached to (its port ops).
 *
 * ---- Wire model --------------------------------------------------------------------
 * The modem sends one byte at a time. Each byte occupies the wire for the UART's frame
 * time (uart_port_ops.frame_cycles(), i.e. the mini UART's programmed baud and format)
 * while the receiver is on or the UART is programmed within 5 % of the script's `baud`,
 * else for 10 bits at the script's `baud`.
 * Bytes of a telegram, and the telegrams of a `burst`, follow each other with no idle
 * time: the next start bit begins at the cycle the previous stop bit ends (the cycle the
 * UART model receives the previous byte). Nothing is ever sent faster than the wire.
 * A byte whose start bit falls while the receiver is off is LOST AT THE WIRE: it is not
 * queued or delayed (a real modem does not wait for the host), it is counted
 * (wire_lost_bytes, per telegram `wire_lost`), and the telegram goes on at its timing.
 * When the UART's frame time differs from the script baud's by more than 5 % the byte
 * is still delivered (the model has no bit sampling) but counted as baud_mismatch.
 * The modem is the only RX source of its link: main.c refuses an interactive --uart1
 * (--uart0 for a PL011 modem).
 *
 * ---- Time origin ---------------------------------------------------------------------
 * `start rx` (default): time 0 is the cycle the guest first has the receiver on (mini UART
 * enabled and CNTL.RXE) with a frame time within 5 % of the script baud's (so the moment
 * between enabling the block, whose CNTL resets to RXE|TXE, and programming BAUD does not
 * count). The modem interposes on the link's port ops to see this at the exact cycle (the
 * link asks rx_ready() whenever the UART kicks it: ENABLES and CNTL writes; a BAUD write
 * alone does not). A guest that never gets there never starts the script ("started":
 * false in the final report line). `start <µs>`: time 0 is that absolute simulated time
 * since power-on, whatever the receiver does.
 *
 * ---- Script format (one directive per line; '#' starts a comment) -------------------
 *   baud <bps>          modem line speed, default 57600 (1200..4000000). Used for bytes
 *                       sent while the receiver is off and for the mismatch check.
 *   seed <n>            PRNG seed (splitmix64) for noise and garbage, default 1; once.
 *   start rx | start <µs>   time origin, see above; once, before the first telegram.
 *   at <µs>             the next item starts at origin + µs of the current pass (or when
 *                       the wire is free, if later: counted as late_starts).
 *   gap <µs>            the next item starts µs after the previous item's last stop bit.
 *                       Without at/gap an item follows the previous one back to back.
 *   noise <p>           from here on, each byte of every item is corrupted (one random bit
 *                       flipped) with probability p (0..1); `noise 0` turns it off.
 *   rps  id=<8 hex> data=<2 hex>  [status=<2 hex>] [opt fields]    RORG F6, status 30
 *   1bs  id=<8 hex> data=<2 hex>  [status=..] [opt fields]         RORG D5, status 00
 *   4bs  id=<8 hex> data=<8 hex>  [status=..] [opt fields]         RORG A5, DB3..DB0
 *   vld  id=<8 hex> data=<2..28 hex> [status=..] [opt fields]      RORG D2
 *   erp1 rorg=<2 hex> id=<8 hex> data=<0..28 hex> [status=..] [opt fields]
 *        opt fields (ERP1 optional data, 7 bytes): sub=<0..255> (3) dst=<8 hex> (ffffffff)
 *        dbm=<-255..255> (stored as the magnitude, default 255) sec=<0..255> (0);
 *        `noopt` sends no optional data.  ERP1 frames: packet type 01.
 *   packet type=<2 hex> [data=<hex, 0..1024 bytes>] [opt=<hex, 0..255 bytes>]
 *                       any ESP3 packet (e.g. type=05 data=08: CO_RD_IDBASE).
 *   raw <hex> ...       bytes exactly as given (spaces between bytes optional), even a
 *                       broken frame; 1..4096 bytes.
 *   garbage <n>         n pseudo-random bytes (1..65536).
 *   burst <N> <item>    N (1..10^7) copies of the item, back to back. Copy k (0-based) of
 *                       an ERP1 item has sender id + k (mod 2^32), so copies are
 *                       distinguishable; packet/raw/garbage copies are identical /
 *                       freshly random.
 *   repeat [N]          play everything above N times in total (no N: until the simulation
 *                       stops); must be the last directive. Pass k's `at` times are
 *                       relative to the end of pass k-1.
 * Every frame built from rps/1bs/4bs/vld/erp1/packet has sync 0x55, a big-endian data
 * length, the optional length, the packet type, CRC8 (poly 0x07, init 0) over the 4 header
 * bytes, data, optional data and CRC8 over data + optional data.
 * Errors: every bad line is reported as "FILE:LINE: message" and parsing goes on; the
 * parser returns the number of errors and counts them per class (eno_err_class_t).
 *
 * ---- Report (--modem-report FILE): JSON lines, written as the script plays -----------
 *   {"enocean_modem": 1, "script": S, "cpu_hz": H, "baud": B, "seed": N, "start": "rx"|µs}
 *   one line per item copy ("telegram", index i from 0, in wire order):
 *   {"i": 0, "line": 5, "kind": "rps", "len": 21, "start_cycle": C0, "end_cycle": C1,
 *    "valid": true, "corrupt": 0, "wire_lost": 0, "baud_mismatch": 0, "hex": "5500..."}
 *     start_cycle: the first byte's start bit begins; end_cycle: the last byte's stop bit
 *     ends (= the cycle the UART model receives it). hex: the bytes as sent (after noise).
 *     valid: hex is one well-formed ESP3 frame with both CRCs right (what a correct
 *     receiver decodes) and no byte of it was lost at the wire.
 *   then, when the script has ended (or at exit, with "done": false):
 *   {"done": true, "telegrams": .., "valid_telegrams": .., "bytes": .., "wire_lost_bytes": ..,
 *    "wire_lost_telegrams": .., "corrupt_bytes": .., "corrupt_telegrams": ..,
 *    "baud_mismatch_bytes": .., "late_starts": .., "collisions": .., "origin_cycle": ..,
 *    "end_cycle": ..}
 *   The report is flushed at every telegram, so a reader can tail it for "done".
 */
#ifndef SIM_LINK_ENOCEAN_MODEM_H
#define SIM_LINK_ENOCEAN_MODEM_H
#include "core/sim.h"
#include "link/uart_link.h"
#include <stdio.h>

#define ENO_DEFAULT_BAUD 57600u
#define ENO_ESP3_SYNC 0x55u
#define ENO_ESP3_HDR_LEN 6u      /* sync, len hi, len lo, opt len, type, CRC8H */
#define ENO_PACKET_RADIO_ERP1 0x01u

typedef enum {
    ENO_ERR_SYNTAX,   /* unknown directive, missing or extra operand, key without '=' */
    ENO_ERR_NUMBER,   /* not a number / out of range */
    ENO_ERR_HEX,      /* bad hex digits or wrong byte count */
    ENO_ERR_FIELD,    /* unknown, duplicate or missing key=value field */
    ENO_ERR_ORDER,    /* directive in the wrong place (repeat not last, start twice...) */
    ENO_ERR_EMPTY,    /* no item to play */
    ENO_ERR_IO,       /* file cannot be read */
    ENO_ERR_NCLASSES
} eno_err_class_t;

typedef struct eno_script eno_script_t;
typedef struct enocean_modem enocean_modem_t;

typedef struct eno_modem_stats {
    uint64_t telegrams, valid_telegrams, bytes;
    uint64_t wire_lost_bytes, wire_lost_telegrams;
    uint64_t corrupt_bytes, corrupt_telegrams;
    uint64_t baud_mismatch_bytes, late_starts, collisions;
    uint64_t origin_cycle, end_cycle;
    bool started, done;
} eno_modem_stats_t;

/* CRC8 of ESP3 (polynomial 0x07, initial value 0). */
uint8_t eno_crc8(const uint8_t *p, size_t n);
/* Builds an ESP3 frame into out (cap bytes); returns its length or 0 if it does not fit. */
size_t eno_build_frame(uint8_t type, const uint8_t *data, size_t dlen, const uint8_t *opt, size_t olen,
                       uint8_t *out, size_t cap);
/* True if p[0..n) is exactly one well-formed ESP3 frame with both CRCs right. */
bool eno_frame_valid(const uint8_t *p, size_t n);

/* Parse a script. Messages ("FILE:LINE: ...") go to msgs (may be NULL); returns the number
 * of errors (0: *out is the script; otherwise *out is NULL). errs[ENO_ERR_NCLASSES], if
 * not NULL, receives the count per class. */
int eno_script_parse_string(const char *text, const char *fname, eno_script_t **out, FILE *msgs, unsigned *errs);
int eno_script_parse_file(const char *path, eno_script_t **out, FILE *msgs, unsigned *errs);
void eno_script_free(eno_script_t *s);
/* Telegrams (item copies) of one pass; the first item's template frame (tests). */
uint64_t eno_script_telegrams_per_pass(const eno_script_t *s);
uint32_t eno_script_baud(const eno_script_t *s);
size_t eno_script_item_frame(const eno_script_t *s, size_t item, uint64_t copy, uint8_t *out, size_t cap);
size_t eno_script_nitems(const eno_script_t *s);

/* Attach a modem to a link whose UART port (ops/dev, already attached to the link) it
 * interposes on. Takes ownership of script. report_path NULL: no report file. NULL and a
 * message on stderr on failure. */
enocean_modem_t *enocean_modem_new(sim_t *sim, uart_link_t *link, const uart_port_ops_t *port, void *dev,
                                   eno_script_t *script, const char *script_name, const char *report_path);
/* Writes the final report line if not written yet, closes the report. */
void enocean_modem_free(enocean_modem_t *m);
const eno_modem_stats_t *enocean_modem_stats(const enocean_modem_t *m);
void enocean_modem_print_stats(const enocean_modem_t *m, FILE *f);
#endif
