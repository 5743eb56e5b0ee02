/* "app": the micro-application of the EnOcean I/O container (seed: "two low-level drivers,
 * ... EnOcean ... and a micro-application called app"). Portable C, a VMIO automaton that
 * receives decoded ESP3 frames (VMIO_EV_DATA with an esp3 frame buffer, directly or as the
 * last stage of a pipe) and writes one machine-readable line per frame through
 * plat_output_line().
 *
 * Output format (stable; fields separated by one space, key=value, hex lower case, no
 * "0x"; `seq` counts frames received by app since init/reset, starting at 1):
 *
 *   RADIO_ERP1 with a known RORG and the right length:
 *     eno seq=<n> type=erp1 rorg=<f6|d5|a5|d2> data=<hex> id=<8 hex> status=<2 hex>
 *         [sub=<dec> dst=<8 hex> dbm=-<dec> sec=<dec>]
 *     data: the payload between RORG and sender id (F6 RPS and D5 1BS: 1 byte; A5 4BS: 4
 *     bytes DB3..DB0; D2 VLD: 1..14 bytes). The bracketed fields come from the ERP1
 *     optional data (SubTelNum, DestinationID, dBm as the negated RSSI byte, SecurityLevel)
 *     and appear only when it is present (optional length >= 7).
 *   RADIO_ERP1 with another RORG:  same line with rorg=<2 hex> (counted other_rorg).
 *   RADIO_ERP1 that cannot be decoded:
 *     eno seq=<n> type=erp1 err=bad-length rorg=<2 hex> dlen=<dec>
 *   Every other packet type (generic):
 *     eno seq=<n> type=<name> dlen=<dec> olen=<dec> data=<hex>[ opt=<hex>][ trunc=1]
 *     name: response, radio_sub_tel, event, common_command, smart_ack_command,
 *     remote_man_command, radio_message, radio_erp2, or unknown-<2 hex>. data/opt show
 *     at most APP_HEX_MAX bytes each; trunc=1 says that some were left out.
 *
 * Every line printed by the automaton ends with one more field, " cyc=<u32 decimal>": the
 * CPU cycle counter (plat_cycles32(), low 32 bits) read when app starts handling the
 * decoded frame; the harness subtracts the modem's send time from it. app_format() (the
 * frame part alone) does not add it.
 *
 * Example (the RPS vector of shared/reference/esp3-vectors.txt):
 *   eno seq=1 type=erp1 rorg=f6 data=50 id=00298979 status=30 sub=3 dst=ffffffff dbm=-255 sec=0 cyc=123456
 */
#ifndef IO_APP_H
#define IO_APP_H
#include <stdint.h>
#include "vmio/vmio.h"

#define APP_HEX_MAX 48        /* bytes shown per hex field */
#define APP_LINE_MAX 256
#define APP_CYC_FIELD_MAX 16  /* " cyc=4294967295" */

enum app_state { APP_S_RUN, APP_S_COUNT };

typedef struct app_stats {
    uint32_t frames;
    uint32_t lines;
    uint32_t erp1;
    uint32_t rps;             /* F6 */
    uint32_t bs1;             /* D5 */
    uint32_t bs4;             /* A5 */
    uint32_t vld;             /* D2 */
    uint32_t other_rorg;
    uint32_t erp1_bad;        /* too short for its RORG */
    uint32_t other_types;     /* non-ERP1 packets, reported generically */
    uint32_t by_type[16];     /* per packet type 0..15 (others in [0]) */
    uint32_t bad_frames;      /* no buffer or inconsistent esp3 header */
} app_stats_t;

typedef struct app {
    vmio_automaton_t aut;     /* first member */
    uint32_t seq;
    app_stats_t stats;
} app_t;

int app_init(app_t *self, uint8_t id);
void app_get_stats(const app_t *self, app_stats_t *out);
/* Formats the line for one frame buffer (esp3 layout) into out; returns its length.
 * Exposed for tests and the benchmark; app's handler uses it with the next seq. */
int app_format(uint32_t seq, const vmio_buf_t *frame, char *out, size_t size);
extern const vmio_table_t app_table;

#endif
