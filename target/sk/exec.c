/* Serverkernel executive (firmware glue), see exec.h. */
#include "sk/exec.h"
#include <stddef.h>
#include "sk/link.h"
#include "sk/loader.h"
#include "sk/node.h"
#include "sk/sandbox.h"
#include "sk/sk_key.h"      /* generated: the device key (target/CMakeLists.txt) */
#include "hal/cache.h"
#include "hal/cpu.h"
#include "hal/systimer.h"
#include "hal/uart.h"
#include "hal/wdog.h"
#include "lib/hmac.h"
#include "lib/kstring.h"
#include "lib/printf.h"
#include "lib/sha256.h"
#include "memmap.h"

static st_timer_t sk_exec_wake_timer; /* ST C1 software timer (hal/systimer.h) */

extern char __image_start[], __bss_start[];

#ifndef SK_EXEC_WDOG
#define SK_EXEC_WDOG 1
#endif
/* The watchdog, unless compiled out for QEMU images (target/CMakeLists.txt SK_EXEC_WDOG=OFF). */
static void sk_wdog_start(uint32_t ms)
{
#if SK_EXEC_WDOG
    wdog_start(ms);
#else
    (void)ms;
#endif
}

static void sk_wdog_stop(void)
{
#if SK_EXEC_WDOG
    wdog_stop();
#endif
}

/* The staging buffer for uploads: free RAM above the payload sections (memmap.h). */
#define SK_EXEC_STAGE ((uint8_t *)MEMMAP_FREE_BASE)

static struct {
    sk_node_t node;
    sk_node_cfg_t cfg;
    sk_link_rx_t rx;
    uint8_t msg[SK_PROTO_MSG_MAX];
    uint8_t reply[SK_PROTO_MSG_MAX];
    uint8_t frame[SK_LINK_ENC_MAX];
    uint8_t fw_sha[SHA256_DIGEST_LEN];
    uint32_t fw_len;
    uint32_t nonce_ctr;
    int active;              /* a client has spoken on the line */
    uint64_t next_adv_us;
    uint32_t run_wdog_ms;
} sk;

void sk_exec_measure(void)
{
    sk.fw_len = (uint32_t)(__bss_start - __image_start);
    sha256(__image_start, sk.fw_len, sk.fw_sha);
}

static void sk_exec_send(const uint8_t *msg, int len)
{
    if (len <= 0)
        return;
    int n = sk_link_encode(msg, (size_t)len, sk.frame, sizeof sk.frame);
    if (n > 0)
        uart_write((const char *)sk.frame, (size_t)n);
}

/* Cache maintenance after writing code (ARM1176 TRM 3.2.22): clean the D-cache lines of the
 * image to memory, invalidate the I-cache and the branch target cache. */
static void sk_exec_sync(uintptr_t start, size_t len)
{
    cache_dclean_range(start, len);
    cache_iinval_all();
    cache_btac_flush();
    cache_isb();
}

static int sk_exec_load(void *ctx, const uint8_t *file, uint32_t len, uint32_t *entry)
{
    (void)ctx;
    sk_loaded_t l;
    int rc = sk_loader_load(file, len, sk_device_key, sizeof sk_device_key, (uint8_t *)MEMMAP_PAYLOAD_BASE,
                            MEMMAP_PAYLOAD_SIZE, MEMMAP_PAYLOAD_BASE, sk_exec_sync, &l);
    if (rc == 0) {
        /* The payload may have written anywhere in its arena (user RW), so the rest of it is
         * zeroed on every load: nothing of an earlier payload is visible to this one (the
         * sandbox zeroes the stack and argument area after each run). Data only: no I-cache
         * maintenance needed for it. */
        memset((uint8_t *)MEMMAP_PAYLOAD_BASE + l.image_size, 0, MEMMAP_PAYLOAD_SIZE - l.image_size);
        *entry = l.entry;
    }
    return rc;
}

static int sk_exec_run(void *ctx, const sk_run_req_t *req, sk_run_res_t *res)
{
    (void)ctx;
    sk_run_req_t r = *req;
    if (r.budget_us == 0)
        r.budget_us = SK_EXEC_BUDGET_DEFAULT_US;
    if (r.budget_us > SK_EXEC_BUDGET_MAX_US)
        r.budget_us = SK_EXEC_BUDGET_MAX_US;
    sk_wdog_start(r.budget_us / 1000u + SK_EXEC_RUN_MARGIN_MS);
    st_timer_stop(&sk_exec_wake_timer); /* no wake-up during a run; re-armed when idle */
    return sk_sandbox_run(&r, res);
}

static void sk_exec_attest(void *ctx, const uint8_t challenge[SK_PROTO_CHALLENGE_LEN], sk_attest_t *out)
{
    (void)ctx;
    hmac_sha256_ctx_t h;
    out->image_len = sk.fw_len;
    memcpy(out->fw_sha256, sk.fw_sha, sizeof sk.fw_sha);
    hmac_sha256_init(&h, sk_device_key, sizeof sk_device_key);
    hmac_sha256_update(&h, challenge, SK_PROTO_CHALLENGE_LEN);
    hmac_sha256_update(&h, sk.fw_sha, sizeof sk.fw_sha);
    hmac_sha256_final(&h, out->mac);
}

/* Nonce = SHA-256(key || counter || cycle counter || time)[0..16): unpredictable without the
 * key, never repeated within a boot (counter). */
static void sk_exec_nonce(void *ctx, uint8_t out[SK_PROTO_NONCE_LEN])
{
    (void)ctx;
    uint8_t d[SHA256_DIGEST_LEN], b[16];
    uint64_t cyc = cpu_cycles(), now = st_now_us();
    sk_wr32(b, ++sk.nonce_ctr);
    sk_wr32(b + 4, (uint32_t)cyc);
    sk_wr32(b + 8, (uint32_t)now);
    sk_wr32(b + 12, (uint32_t)(now >> 32));
    sha256_ctx_t c;
    sha256_init(&c);
    sha256_update(&c, sk_device_key, sizeof sk_device_key);
    sha256_update(&c, b, sizeof b);
    sha256_final(&c, d);
    memcpy(out, d, SK_PROTO_NONCE_LEN);
}

static void sk_exec_on_state(void *ctx, sk_node_state_t s)
{
    (void)ctx;
    switch (s) {
    case SK_ST_IDLE:
    case SK_ST_RECEIVING: /* waiting for the client: the protocol's inactivity timeout */
        sk_wdog_stop();
        break;
    case SK_ST_RUNNING:
        break; /* sk_exec_run arms it with the run's budget */
    default:
        sk_wdog_start(SK_EXEC_STEP_LIMIT_MS);
        break;
    }
}

static void sk_exec_wake(void *arg)
{
    (void)arg; /* only ends the idle loop's WFI so that sk_exec_poll runs */
}

void sk_exec_init(const sk_exec_board_t *b)
{
    sk_node_cfg_t *c = &sk.cfg;
    c->stage = SK_EXEC_STAGE;
    c->stage_cap = SK_PAYLOAD_MAX_FILE;
    c->rx_timeout_us = SK_EXEC_RX_TIMEOUT_US;
    c->adv.node_id = b->node_id ? b->node_id : SK_EXEC_NODE_ID_DEFAULT;
    for (unsigned i = 0; i < SK_PROTO_BOARD_LEN && b->board && b->board[i]; i++)
        c->adv.board[i] = b->board[i];
    c->adv.cpu_hz = b->cpu_hz;
    c->adv.free_mem = MEMMAP_PAYLOAD_SIZE; /* the argument block lives outside it (sandbox_layout.h) */
    c->adv.fmt_version = SK_PAYLOAD_FMT_VERSION;
    c->adv.abi_version = SK_ABI_VERSION;
    c->adv.budget_us = SK_EXEC_BUDGET_MAX_US;
    c->adv.max_payload = SK_PAYLOAD_MAX_FILE;
    c->adv.flags = SK_ADV_AUTH_REQUIRED | SK_ADV_TRUSTED_MODE | SK_ADV_SHIELDED;
    c->fw_version = b->fw_version;
    c->load = sk_exec_load;
    c->run = sk_exec_run;
    c->attest = sk_exec_attest;
    c->nonce = sk_exec_nonce;
    c->on_state = sk_exec_on_state;
    sk_node_init(&sk.node, c, st_now_us());
    sk_link_rx_init(&sk.rx);
}

int sk_exec_feed(int byte)
{
    size_t ml = 0;
    if (byte != 0 && !sk.rx.in_frame)
        return 0; /* console text: the common case costs no timer read */
    uint64_t now = st_now_us();
    int r = sk_link_feed(&sk.rx, (uint8_t)byte, now, sk.msg, sizeof sk.msg, &ml);
    if (r == SK_LINK_TEXT)
        return 0;
    if (r == SK_LINK_BAD) {
        sk_node_count_bad_frame(&sk.node);
    } else if (r == SK_LINK_FRAME) {
        if (!sk.active) {
            sk.active = 1;
            sk.next_adv_us = now + SK_EXEC_ADV_PERIOD_US;
        }
        int n = sk_node_handle(&sk.node, sk.msg, ml, now, sk.reply, sizeof sk.reply);
        sk_exec_send(sk.reply, n);
    }
    return 1;
}

int sk_exec_message(const uint8_t *msg, size_t len, uint8_t *reply, size_t cap)
{
    return sk_node_handle(&sk.node, msg, len, st_now_us(), reply, cap);
}

int sk_exec_advert(uint8_t *buf, size_t cap)
{
    return sk.node.state == SK_ST_IDLE ? sk_node_advert(&sk.node, st_now_us(), buf, cap) : 0;
}

void sk_exec_poll(void)
{
    /* inactive (no client yet, or adverts switched off) and idle: nothing to time */
    if (!sk.active && sk.node.state == SK_ST_IDLE && !sk.rx.in_frame)
        return;
    uint64_t now = st_now_us();
    if (sk_link_poll(&sk.rx, now))
        sk_node_count_bad_frame(&sk.node);
    sk_node_poll(&sk.node, now);
    if (!sk.active) {
        if (sk.node.state == SK_ST_IDLE && !sk.rx.in_frame)
            return;
    } else if (sk.node.state == SK_ST_IDLE && (int64_t)(now - sk.next_adv_us) >= 0) {
        int n = sk_node_advert(&sk.node, now, sk.reply, sizeof sk.reply);
        sk_exec_send(sk.reply, n);
        sk.next_adv_us = now + SK_EXEC_ADV_PERIOD_US;
    }
    /* Wake up for the next advert (IDLE) or the inactivity timeout (RECEIVING). */
    st_timer_start(&sk_exec_wake_timer, SK_EXEC_TICK_US, 0, sk_exec_wake, 0);
}

void sk_exec_set_adverts(int on)
{
    sk.active = on ? 1 : 0;
    sk.next_adv_us = st_now_us(); /* the first advert on the next idle-loop turn */
    /* off: sk_exec_poll still times an upload in progress, and stops waking itself once
     * the node is idle */
}

int sk_exec_status(char *buf, size_t cap)
{
    const sk_node_stats_t *st = &sk.node.stats;
    static const char *const names[] = {"idle", "receiving", "verifying", "running", "replying"};
    return snprintf(buf, cap, "sk state=%s adverts=%s runs=%lu run_faults=%lu loads_rejected=%lu frames_bad=%lu",
                    (unsigned)sk.node.state < 5 ? names[sk.node.state] : "?", sk.active ? "on" : "off",
                    (unsigned long)st->runs, (unsigned long)st->run_faults, (unsigned long)st->loads_rejected,
                    (unsigned long)st->frames_bad);
}
