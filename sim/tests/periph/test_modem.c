/* EnOcean modem model (sim/link/enocean_modem.h) against the mini UART model, qtest style:
 * script parsing (good + each error class), CRC of built frames = the shared ESP3 vectors,
 * exact byte timing at 57600 / 115200 through AUX_MU_LSR/IO, bursts back to back, loss at
 * the wire while the receiver is off, determinism. One ctest per group (argv[1]). */
#include "devtest.h"
#include "bcm2835/aux.h"
#include "bcm2835/bcm2835.h"
#include "link/enocean_modem.h"
#include "link/uart_link.h"
#include "periph/aux.h"
#include <string.h>
#include <unistd.h>

#ifndef SK_SHARED_DIR
#define SK_SHARED_DIR "../shared"
#endif
#define A(off) (BCM2835_AUX_BASE + (off))
/* BAUD register values: 250 MHz / (8 * (reg + 1)) */
#define MU_BAUD_57600 541u   /* 57656 baud */
#define MU_BAUD_115200 270u  /* 115313 baud */

static const char *RPS_LINE = "rps id=00298979 data=50 status=30 sub=3 dst=ffffffff dbm=-255 sec=0";

/* ---- helpers ------------------------------------------------------------------------ */
static eno_script_t *parse_ok(const char *text)
{
    eno_script_t *s = NULL;
    int n = eno_script_parse_string(text, "t.scr", &s, stderr, NULL);
    CHECK_EQ(n, 0);
    return s;
}

static sim_t *new_board(void)
{
    sim_config_t cfg;
    sim_config_default(&cfg);
    cfg.uart0_spec = "null";
    cfg.uart1_spec = "null";
    return dt_new_cfg(&cfg);
}

static void mu_setup(sim_t *s, uint32_t baudreg)
{
    wr(s, A(BCM2835_AUX_ENABLES), BCM2835_AUX_ENABLES_MU_BIT); /* CNTL resets to RXE|TXE */
    wr(s, A(BCM2835_AUX_MU_CNTL), 0);
    wr(s, A(BCM2835_AUX_MU_LCR), BCM2835_AUX_MU_LCR_8BIT);
    wr(s, A(BCM2835_AUX_MU_BAUD), baudreg);
    wr(s, A(BCM2835_AUX_MU_CNTL), BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT);
}

static enocean_modem_t *attach(sim_t *s, const char *script, const char *report)
{
    eno_script_t *sc = parse_ok(script);
    if (!sc) exit(1);
    soc_t *soc = sim_soc(s);
    enocean_modem_t *m =
        enocean_modem_new(s, soc_uart1_link(soc), &bcm2835_aux_port_ops, soc_aux(soc), sc, "t.scr", report);
    CHECK(m != NULL);
    return m;
}

static char *tmp_report(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/sk-modem-XXXXXX");
    int fd = mkstemp(buf);
    if (fd < 0) abort();
    close(fd);
    return buf;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return strdup("");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF) fputc(c, m);
    fclose(f);
    fclose(m);
    return buf;
}

/* numeric field of the report line of telegram i */
static uint64_t rep_field(const char *rep, unsigned i, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "{\"i\": %u,", i);
    const char *l = strstr(rep, pat);
    if (!l) return UINT64_MAX;
    char k[48];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(l, k);
    const char *eol = strchr(l, '\n');
    if (!p || (eol && p > eol)) return UINT64_MAX;
    return strtoull(p + strlen(k), NULL, 10);
}

static bool rep_hex(const char *rep, unsigned i, char *out, size_t cap)
{
    char pat[32];
    snprintf(pat, sizeof pat, "{\"i\": %u,", i);
    const char *l = strstr(rep, pat);
    const char *p = l ? strstr(l, "\"hex\": \"") : NULL;
    if (!p) return false;
    p += 8;
    size_t n = strcspn(p, "\"");
    if (n >= cap) return false;
    memcpy(out, p, n);
    out[n] = '\0';
    return true;
}

/* ---- parsing ----------------------------------------------------------------------- */
static void test_parse_good(void)
{
    const char *text = "# every directive\n"
                       "baud 115200\n"
                       "seed 42\n"
                       "start rx\n"
                       "at 1000\n"
                       "rps id=00298979 data=50 status=30 sub=3 dbm=-45 dst=01020304 sec=1\n"
                       "gap 250.5   # µs with decimals\n"
                       "4bs id=0181b744 data=00005508 status=00 noopt\n"
                       "1bs id=01000000 data=09\n"
                       "vld id=01000001 data=0102030405\n"
                       "erp1 rorg=a6 id=01000002 data=ab\n"
                       "packet type=05 data=08\n"
                       "raw 55 00 07 07 01 7a\n"
                       "raw 55000707017A\n"
                       "noise 0.01\n"
                       "garbage 10\n"
                       "burst 100 rps id=00000001 data=70\n"
                       "noise 0\n"
                       "repeat 3\n";
    eno_script_t *s = parse_ok(text);
    if (!s) return;
    CHECK_EQ(eno_script_nitems(s), 10);
    CHECK_EQ(eno_script_telegrams_per_pass(s), 109);
    CHECK_EQ(eno_script_baud(s), 115200);
    uint8_t f[64];
    size_t n = eno_script_item_frame(s, 9, 5, f, sizeof f); /* burst copy 5: id + 5 */
    CHECK_EQ(n, 21);
    CHECK_EQ(f[11], 0x06); /* low byte of the sender id */
    CHECK(eno_frame_valid(f, n));
    n = eno_script_item_frame(s, 1, 0, f, sizeof f); /* noopt: no optional data */
    CHECK_EQ(n, 6 + 10 + 1);
    CHECK_EQ(f[3], 0);
    n = eno_script_item_frame(s, 0, 0, f, sizeof f);
    CHECK_EQ(f[6 + 7 + 5], 45); /* dBm magnitude in the optional data */
    n = eno_script_item_frame(s, 7, 0, f, sizeof f);
    CHECK_EQ(n, 6); /* raw: as given, not a frame */
    CHECK(!eno_frame_valid(f, n));
    eno_script_free(s);
}

typedef struct {
    const char *text;
    eno_err_class_t cls;
    int line;
} bad_case_t;

static void test_parse_errors(void)
{
    static const bad_case_t cases[] = {
        { "rps id=00298979 data=50\nfrobnicate 3\n", ENO_ERR_SYNTAX, 2 },
        { "baud\n", ENO_ERR_SYNTAX, 1 },
        { "rps id=00298979 data\n", ENO_ERR_SYNTAX, 1 },
        { "burst 3\n", ENO_ERR_SYNTAX, 1 },
        { "baud 9600x\nrps id=00298979 data=50\n", ENO_ERR_NUMBER, 1 },
        { "baud 5\nrps id=00298979 data=50\n", ENO_ERR_NUMBER, 1 },
        { "\n\nrps id=00298979 data=50 sub=300\n", ENO_ERR_NUMBER, 3 },
        { "noise 1.5\nrps id=00298979 data=50\n", ENO_ERR_NUMBER, 1 },
        { "at 1.2345\nrps id=00298979 data=50\n", ENO_ERR_NUMBER, 1 },
        { "burst 0 rps id=00298979 data=50\n", ENO_ERR_NUMBER, 1 },
        { "garbage 0\n", ENO_ERR_NUMBER, 1 },
        { "rps id=0029897 data=50\n", ENO_ERR_HEX, 1 },
        { "rps id=00298979 data=5g\n", ENO_ERR_HEX, 1 },
        { "4bs id=00298979 data=0801\n", ENO_ERR_HEX, 1 },
        { "raw 55 0\n", ENO_ERR_HEX, 1 },
        { "rps data=50\n", ENO_ERR_FIELD, 1 },
        { "rps id=00298979 data=50 colour=red\n", ENO_ERR_FIELD, 1 },
        { "rps id=00298979 data=50 id=00000001\n", ENO_ERR_FIELD, 1 },
        { "packet data=08\n", ENO_ERR_FIELD, 1 },
        { "rps id=00298979 data=50\nrepeat 2\nrps id=00298979 data=50\n", ENO_ERR_ORDER, 3 },
        { "seed 1\nseed 2\nrps id=00298979 data=50\n", ENO_ERR_ORDER, 2 },
        { "rps id=00298979 data=50\nstart rx\n", ENO_ERR_ORDER, 2 },
        { "at 5\ngap 5\nrps id=00298979 data=50\n", ENO_ERR_ORDER, 2 },
        { "burst 2 burst 2 rps id=00298979 data=50\n", ENO_ERR_ORDER, 1 },
        { "rps id=00298979 data=50\nat 5\n", ENO_ERR_ORDER, 0 },
        { "# nothing\nbaud 57600\n", ENO_ERR_EMPTY, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned errs[ENO_ERR_NCLASSES];
        char *msg = NULL;
        size_t ml = 0;
        FILE *m = open_memstream(&msg, &ml);
        eno_script_t *s = (eno_script_t *)1;
        int n = eno_script_parse_string(cases[i].text, "bad.scr", &s, m, errs);
        fclose(m);
        if (n != 1 || errs[cases[i].cls] != 1 || s != NULL)
            fprintf(stderr, "case %zu: n=%d class %d count %u: %s", i, n, cases[i].cls, errs[cases[i].cls], msg);
        CHECK_EQ(n, 1);
        CHECK_EQ(errs[cases[i].cls], 1);
        CHECK(s == NULL);
        char where[32];
        if (cases[i].line) snprintf(where, sizeof where, "bad.scr:%d: ", cases[i].line);
        else snprintf(where, sizeof where, "bad.scr: ");
        if (strncmp(msg, where, strlen(where)) != 0) fprintf(stderr, "case %zu: message '%s' lacks '%s'\n", i, msg, where);
        CHECK(strncmp(msg, where, strlen(where)) == 0);
        free(msg);
    }
    /* several bad lines: all reported and counted, parsing goes on */
    unsigned errs[ENO_ERR_NCLASSES];
    eno_script_t *s;
    CHECK_EQ(eno_script_parse_string("bogus\nrps id=1 data=50\nbaud x\nrps id=00298979 data=50\n", "m.scr", &s, NULL, errs), 3);
    CHECK_EQ(errs[ENO_ERR_SYNTAX], 1);
    CHECK_EQ(errs[ENO_ERR_HEX], 1);
    CHECK_EQ(errs[ENO_ERR_NUMBER], 1);
    CHECK_EQ(eno_script_parse_file("/nonexistent/x.scr", &s, NULL, errs), 1);
    CHECK_EQ(errs[ENO_ERR_IO], 1);
}

/* ---- CRC: frames built from script lines = shared/reference/esp3-vectors.txt ---------- */
static void test_crc_vectors(void)
{
    static const struct { const char *prefix, *line; } map[] = {
        { "RPS rocker", NULL },
        { "4BS temperature", "4bs id=0181b744 data=00005508 status=00" },
        { "CO_RD_IDBASE", "packet type=05 data=08" },
        { "RET_OK", "packet type=02 data=00ff800000" },
    };
    FILE *f = fopen(SK_SHARED_DIR "/reference/esp3-vectors.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512];
    int matched = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || !strchr(line, '|')) continue;
        const char *script = NULL;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (!strncmp(line, map[i].prefix, strlen(map[i].prefix))) script = map[i].line ? map[i].line : RPS_LINE;
        CHECK(script != NULL);
        if (!script) continue;
        uint8_t want[256], got[256];
        size_t nw = 0;
        for (char *sv = NULL, *t = strtok_r(strchr(line, '|') + 1, " \t\r\n", &sv); t; t = strtok_r(NULL, " \t\r\n", &sv))
            want[nw++] = (uint8_t)strtoul(t, NULL, 16);
        CHECK(eno_frame_valid(want, nw));
        CHECK_EQ(eno_crc8(want + 1, 4), want[5]);
        eno_script_t *s = parse_ok(script);
        if (!s) continue;
        size_t ng = eno_script_item_frame(s, 0, 0, got, sizeof got);
        CHECK_EQ(ng, nw);
        CHECK(ng == nw && memcmp(got, want, nw) == 0);
        eno_script_free(s);
        matched++;
    }
    fclose(f);
    CHECK_EQ(matched, 4);
}

/* ---- timing through the mini UART model ---------------------------------------------- */
static void check_byte_timing(uint32_t baudreg, const char *baudline)
{
    sim_t *s = new_board();
    char rp[64];
    tmp_report(rp, sizeof rp);
    char script[256];
    snprintf(script, sizeof script, "%s\n%s\n", baudline, RPS_LINE);
    enocean_modem_t *m = attach(s, script, rp);
    sim_advance(s, 1000);
    mu_setup(s, baudreg);
    uint64_t t0 = sim_now(s);
    CHECK(enocean_modem_stats(m)->started);
    CHECK_EQ(enocean_modem_stats(m)->origin_cycle, t0);
    bcm2835_aux_t *aux = soc_aux(sim_soc(s));
    uint64_t fc = bcm2835_aux_bits_cycles(aux, 10);
    uint8_t want[32];
    eno_script_t *sc = parse_ok(script);
    size_t n = eno_script_item_frame(sc, 0, 0, want, sizeof want);
    eno_script_free(sc);
    CHECK_EQ(n, 21);
    for (size_t k = 0; k < n; k++) {
        uint64_t ready = t0 + (k + 1) * fc;   /* stop bit of byte k ends */
        dt_advance_to(s, ready - 1);
        CHECK_EQ(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT, 0);
        dt_advance_to(s, ready);
        CHECK(rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT);
        CHECK_EQ(rd(s, A(BCM2835_AUX_MU_IO)), want[k]);
    }
    CHECK_EQ(aux->stats.rx_overruns, 0);
    sim_advance(s, 10 * fc);
    const eno_modem_stats_t *st = enocean_modem_stats(m);
    CHECK(st->done);
    CHECK_EQ(st->telegrams, 1);
    CHECK_EQ(st->valid_telegrams, 1);
    CHECK_EQ(st->bytes, 21);
    CHECK_EQ(st->baud_mismatch_bytes, 0);
    CHECK_EQ(st->collisions, 0);
    enocean_modem_free(m);
    char *rep = slurp(rp);
    CHECK_EQ(rep_field(rep, 0, "start_cycle"), t0);
    CHECK_EQ(rep_field(rep, 0, "end_cycle"), t0 + 21 * fc);
    char hex[128];
    CHECK(rep_hex(rep, 0, hex, sizeof hex) && !strcmp(hex, "55000707017af650002989793003ffffffffff0061"));
    CHECK(strstr(rep, "\"done\": true") != NULL);
    free(rep);
    unlink(rp);
    sim_free(s);
}

static void test_timing_57600(void) { check_byte_timing(MU_BAUD_57600, "baud 57600"); }
static void test_timing_115200(void) { check_byte_timing(MU_BAUD_115200, "baud 115200"); }

/* the moment between ENABLES (CNTL resets to RXE) and the BAUD write does not start it */
static void test_start_needs_baud(void)
{
    sim_t *s = new_board();
    enocean_modem_t *m = attach(s, "baud 115200\nrps id=00298979 data=50\n", NULL);
    wr(s, A(BCM2835_AUX_ENABLES), BCM2835_AUX_ENABLES_MU_BIT);
    CHECK(!enocean_modem_stats(m)->started);
    mu_setup(s, MU_BAUD_57600); /* wrong baud for this script */
    CHECK(!enocean_modem_stats(m)->started);
    wr(s, A(BCM2835_AUX_MU_BAUD), MU_BAUD_115200);
    wr(s, A(BCM2835_AUX_MU_CNTL), BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT);
    CHECK(enocean_modem_stats(m)->started);
    CHECK_EQ(enocean_modem_stats(m)->origin_cycle, sim_now(s));
    enocean_modem_free(m);
    sim_free(s);
}

/* ---- burst, at, gap ---------------------------------------------------------------------- */
static void test_burst_back_to_back(void)
{
    sim_t *s = new_board();
    char rp[64];
    tmp_report(rp, sizeof rp);
    enocean_modem_t *m = attach(s, "baud 115200\nat 100\nburst 3 rps id=000000fe data=50\ngap 40.5\n"
                                   "4bs id=00000001 data=08018108\nat 10000\npacket type=05 data=08\n", rp);
    mu_setup(s, MU_BAUD_115200);
    uint64_t t0 = sim_now(s), fc = bcm2835_aux_bits_cycles(soc_aux(sim_soc(s)), 10);
    /* drain the FIFO as a fast guest would */
    uint8_t got[256];
    size_t ng = 0;
    for (int i = 0; i < 4000 && ng < sizeof got; i++) {
        sim_advance(s, fc);
        while (rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT) got[ng++] = (uint8_t)rd(s, A(BCM2835_AUX_MU_IO));
    }
    CHECK_EQ(ng, 3 * 21 + 24 + 8);
    CHECK(enocean_modem_stats(m)->done);
    enocean_modem_free(m);
    char *rep = slurp(rp);
    uint64_t first = t0 + sim_ns_to_cycles(s, 100000);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(rep_field(rep, i, "start_cycle"), first + i * 21 * fc);
        CHECK_EQ(rep_field(rep, i, "end_cycle"), first + (i + 1) * 21 * fc);
    }
    /* ids 000000fe, 000000ff, 00000100 */
    char hex[128];
    CHECK(rep_hex(rep, 2, hex, sizeof hex) && !strncmp(hex + 14, "5000000100", 10));
    CHECK(rep_hex(rep, 1, hex, sizeof hex) && !strncmp(hex + 14, "50000000ff", 10));
    uint64_t end2 = first + 3 * 21 * fc;
    CHECK_EQ(rep_field(rep, 3, "start_cycle"), end2 + sim_ns_to_cycles(s, 40500));
    CHECK_EQ(rep_field(rep, 4, "start_cycle"), t0 + sim_ns_to_cycles(s, 10000000));
    CHECK_EQ(rep_field(rep, 4, "end_cycle"), t0 + sim_ns_to_cycles(s, 10000000) + 8 * fc);
    CHECK_EQ(soc_aux(sim_soc(s))->stats.rx_overruns, 0);
    free(rep);
    unlink(rp);
    sim_free(s);
}

/* ---- receiver off: lost at the wire, not delayed ------------------------------------------ */
static void test_lost_at_wire(void)
{
    sim_t *s = new_board();
    char rp[64];
    tmp_report(rp, sizeof rp);
    enocean_modem_t *m = attach(s, "baud 115200\nburst 2 rps id=00000001 data=50\n", rp);
    mu_setup(s, MU_BAUD_115200);
    uint64_t t0 = sim_now(s), fc = bcm2835_aux_bits_cycles(soc_aux(sim_soc(s)), 10);
    dt_advance_to(s, t0 + 5 * fc + fc / 2);     /* 5 bytes in, 6th on the wire */
    for (int i = 0; i < 5; i++) rd(s, A(BCM2835_AUX_MU_IO));
    wr(s, A(BCM2835_AUX_MU_CNTL), BCM2835_AUX_MU_CNTL_TXE_BIT); /* receiver off */
    dt_advance_to(s, t0 + 9 * fc + fc / 2);     /* bytes 6..9 start while off */
    wr(s, A(BCM2835_AUX_MU_CNTL), BCM2835_AUX_MU_CNTL_RXE_BIT | BCM2835_AUX_MU_CNTL_TXE_BIT);
    for (int k = 10; k <= 42; k++) {
        dt_advance_to(s, t0 + (uint64_t)k * fc);
        while (rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT) rd(s, A(BCM2835_AUX_MU_IO));
    }
    const eno_modem_stats_t *st = enocean_modem_stats(m);
    CHECK(st->done);
    CHECK_EQ(st->wire_lost_bytes, 4);
    CHECK_EQ(st->wire_lost_telegrams, 1);
    CHECK_EQ(st->valid_telegrams, 1);
    CHECK_EQ(soc_aux(sim_soc(s))->stats.rx_dropped_disabled, 1); /* byte 6 landed while off */
    enocean_modem_free(m);
    char *rep = slurp(rp);
    CHECK_EQ(rep_field(rep, 0, "wire_lost"), 4);
    CHECK_EQ(rep_field(rep, 0, "end_cycle"), t0 + 21 * fc);  /* not delayed */
    CHECK_EQ(rep_field(rep, 1, "start_cycle"), t0 + 21 * fc);
    CHECK(strstr(rep, "\"i\": 0, \"line\": 2, \"kind\": \"rps\", \"len\": 21") != NULL);
    free(rep);
    unlink(rp);
    sim_free(s);
}

/* `start <µs>`: absolute origin, bytes before the receiver is on are lost */
static void test_start_absolute(void)
{
    sim_t *s = new_board();
    enocean_modem_t *m = attach(s, "start 10\nbaud 115200\nrps id=00000001 data=50\n", NULL);
    dt_advance_to(s, sim_ns_to_cycles(s, 10000));
    CHECK(enocean_modem_stats(m)->started);
    CHECK_EQ(enocean_modem_stats(m)->origin_cycle, sim_ns_to_cycles(s, 10000));
    sim_advance(s, sim_ns_to_cycles(s, 3000000));
    CHECK(enocean_modem_stats(m)->done);
    CHECK_EQ(enocean_modem_stats(m)->wire_lost_bytes, 21);
    enocean_modem_free(m);
    sim_free(s);
}

/* ---- determinism -------------------------------------------------------------------------- */
static char *run_noisy(const char *seedline)
{
    sim_t *s = new_board();
    char rp[64];
    tmp_report(rp, sizeof rp);
    char script[512];
    snprintf(script, sizeof script,
             "%s\nbaud 115200\nnoise 0.05\nburst 20 rps id=00000001 data=50\ngarbage 30\nnoise 0\n"
             "burst 5 4bs id=00000100 data=08018108\nrepeat 2\n", seedline);
    enocean_modem_t *m = attach(s, script, rp);
    mu_setup(s, MU_BAUD_115200);
    uint64_t fc = bcm2835_aux_bits_cycles(soc_aux(sim_soc(s)), 10);
    for (int i = 0; i < 2000; i++) {
        sim_advance(s, fc * 3);
        while (rd(s, A(BCM2835_AUX_MU_LSR)) & BCM2835_AUX_MU_LSR_DR_BIT) rd(s, A(BCM2835_AUX_MU_IO));
    }
    CHECK(enocean_modem_stats(m)->done);
    CHECK_EQ(enocean_modem_stats(m)->telegrams, 52);
    CHECK(enocean_modem_stats(m)->corrupt_bytes > 0);
    CHECK(enocean_modem_stats(m)->valid_telegrams >= 10);
    enocean_modem_free(m);
    sim_free(s);
    char *rep = slurp(rp);
    unlink(rp);
    return rep;
}

static void test_determinism(void)
{
    char *a = run_noisy("seed 7"), *b = run_noisy("seed 7"), *c = run_noisy("seed 8");
    CHECK(strlen(a) > 1000);
    CHECK(strcmp(a, b) == 0);
    CHECK(strcmp(a, c) != 0);
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv)
{
    const char *g = argc > 1 ? argv[1] : "all";
    bool all = !strcmp(g, "all");
    if (all || !strcmp(g, "parse")) {
        RUN(test_parse_good);
        RUN(test_parse_errors);
    }
    if (all || !strcmp(g, "crc")) RUN(test_crc_vectors);
    if (all || !strcmp(g, "timing")) {
        RUN(test_timing_57600);
        RUN(test_timing_115200);
        RUN(test_start_needs_baud);
    }
    if (all || !strcmp(g, "burst")) RUN(test_burst_back_to_back);
    if (all || !strcmp(g, "wire")) {
        RUN(test_lost_at_wire);
        RUN(test_start_absolute);
    }
    if (all || !strcmp(g, "determinism")) RUN(test_determinism);
    return DT_RESULT();
}
