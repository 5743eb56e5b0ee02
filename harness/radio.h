/* The `radio` workload: EnOcean ESP3 telegrams from the simulator's modem model
 * (bcm2835-sim --uart1-modem / --uart0-modem, sim/link/enocean_modem.h) into the firmware's
 * mini UART or PL011, or from skbench itself into ttyAMA0 of Linux on QEMU (radio.c, host
 * modem); decoded `eno` lines checked against what was sent. See harness/README.md. */
#ifndef SK_RADIO_H
#define SK_RADIO_H
#include "results.h"
#include "target.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct radio_params {
    uint64_t telegrams;   /* T */
    uint32_t baud;        /* 57600 | 115200 */
    uint32_t burst;       /* telegrams back to back per group */
    uint32_t gap_us;      /* idle time between groups */
    uint32_t md5;         /* app-level load: md5 N repeated while the stream runs; 0 = none */
    uint32_t storm;       /* timer interrupt storm (Hz); 0 = none */
    uint32_t console_baud;/* console rate for the run (one report line per telegram must fit); 0 = keep */
    const char *text;     /* md5 text */
    const char *probe_symbol; /* sim --irq-probe SRC=SYMBOL (VMIT entry latency of the modem
                               * UART's source up to that symbol); NULL, "" or "none" = no probe */
    const char *port;     /* "uart1" (mini UART, default) or "uart0" (PL011) */
} radio_params_t;

/* One telegram of the modem report (valid ESP3 ERP1 frames decoded). */
typedef struct radio_tel {
    uint64_t start_cycle, end_cycle;
    bool valid, erp1, matched;
    char rorg[3], id[9], status[3], data[64];
} radio_tel_t;

/* One decoded `eno seq=.. type=erp1 rorg=.. data=.. id=.. status=.. ... cyc=..` line. */
typedef struct radio_eno {
    uint64_t seq;
    uint32_t cyc;
    bool has_cyc;
    char type[24], rorg[3], id[9], status[3], data[64];
} radio_eno_t;

typedef struct radio_fwstats {     /* eno-stats line */
    uint64_t telegrams, bytes, overruns, rx_dropped, crc_hdr, crc_data, sync_skipped, oversize, no_buf;
    uint64_t reports_dropped; /* optional field: lines the firmware dropped on a full console */
    bool seen;
} radio_fwstats_t;

typedef struct radio_outcome {
    uint64_t sent, valid_sent, decoded, matched, telegrams_lost, wrong, seq_gaps, lat_bad;
    double lat_median_us, lat_p99_us, lat_max_us, lat_min_us;
    double stream_us;               /* first start bit .. last stop bit, simulated */
    char first_wrong[256];
} radio_outcome_t;

/* Writes the modem script for p (distinct sender ids, rps/4bs alternating per group). */
int radio_write_script(const char *path, const radio_params_t *p);
/* The ESP3 frame of radio_write_script()'s telegram `id` in group `group` (rps for even
 * groups, 4bs for odd ones, with the modem model's default optional data); its length or 0. */
size_t radio_build_frame(uint64_t group, uint32_t id, uint8_t *out, size_t cap);
/* Parses a modem report (JSON lines). *tels malloc'ed. -1 + err on malformed input. */
int radio_read_report(const char *path, radio_tel_t **tels, size_t *n, bool *done, char *err, size_t errlen);
/* True once the report has its final {"done": true ...} line. */
bool radio_report_done(const char *path);
int radio_parse_eno(const char *line, radio_eno_t *e);
int radio_parse_fwstats(const char *line, radio_fwstats_t *s);
/* Matches decoded lines to sent telegrams in order (by rorg/id/data/status); latency
 * (cyc - end_cycle) mod 2^32 cycles at cpu_hz. */
void radio_match(radio_tel_t *tels, size_t ntel, const radio_eno_t *ev, size_t nev, uint64_t cpu_hz,
                 radio_outcome_t *o);

/* 0 for "uart0", 1 for "uart1" or NULL, -1 otherwise; the IC source of that UART. */
int radio_port_uart(const char *port);
unsigned radio_port_irq(int uart);

/* Runs one sample on a started, ready target (sim with the modem attached). Fills the
 * sample's counters. CON_* code; a wrong decoded telegram is CON_WRONG. */
int radio_run(sk_target_t *t, const radio_params_t *p, const char *report_path, const char *stats_json,
              uint64_t cpu_hz, double timeout_s, sk_sample_t *s, char *err, size_t errlen);
#endif
