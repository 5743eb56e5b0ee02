/* BCM2835 system timer driver: free-running 1 MHz counter and the ARM's compare channels
 * (1 and 3; the GPU owns 0 and 2, see bcm2835/systimer.h). */
#ifndef HAL_SYSTIMER_H
#define HAL_SYSTIMER_H
#include <stdint.h>

#define ST_DELAY_MAX_US   10000000u /* st_delay_us() refuses longer busy waits */
#define ST_ONESHOT_MIN_US 5u        /* shorter one-shots are rounded up (see systimer.c) */
#define ST_PERIODIC_MIN_US 10u      /* st_periodic refuses shorter periods (100 kHz) */

typedef void (*st_callback_fn)(void *arg);

/* Usable at any time (no init needed). */
uint32_t st_now32(void);
uint64_t st_now_us(void);
int st_delay_us(uint32_t us);              /* ERR_RANGE above ST_DELAY_MAX_US */

/* Compare channels: needs vmit_init() and st_init(). cb runs in the channel's VMIT handler
 * (C1: VMIT_LEVEL_TIMER, C3: VMIT_LEVEL_STORM). */
int st_init(void);
int st_oneshot(unsigned channel, uint32_t delay_us, st_callback_fn cb, void *arg);
/* Periodic compare every period_us (next target = previous + period, late periods skipped
 * and reported to vmit_report_overrun); st_cancel() stops it. */
int st_periodic(unsigned channel, uint32_t period_us, st_callback_fn cb, void *arg);
int st_cancel(unsigned channel);

/* ---- software timers on compare channel 1 ------------------------------------------------
 * Channel 1 is shared by every timer user at VMIT_LEVEL_TIMER (the network's 10 ms tick,
 * the serverkernel executive's wake-up, the sandbox's CPU-time budget, self-tests): each
 * owns an st_timer_t and the driver programs C1 for the earliest deadline, so one user can
 * never cancel or replace another's timer (st_oneshot/st_periodic/st_cancel on channel 1
 * are refused with ERR_BUSY once a software timer was started). Callbacks run in the C1
 * VMIT handler, in deadline order, and may start or stop any timer (their own too).
 * A periodic timer's next deadline is the previous one + period (no drift); periods missed
 * because the handler ran late are skipped and reported to vmit_report_overrun. Any level;
 * the timer object must stay valid while armed. */
typedef struct st_timer {
    st_callback_fn cb;
    void *arg;
    uint32_t due;           /* CLO value of the next expiry */
    uint32_t period;        /* 0: one-shot */
    uint32_t missed;        /* periodic: periods skipped */
    uint8_t armed;
    struct st_timer *next;  /* driver's list of armed timers */
} st_timer_t;
/* delay_us until the first expiry (rounded up to ST_ONESHOT_MIN_US); period_us 0 =
 * one-shot, else >= ST_PERIODIC_MIN_US. Restarting an armed timer moves it. ERR_INVAL. */
int st_timer_start(st_timer_t *t, uint32_t delay_us, uint32_t period_us, st_callback_fn cb, void *arg);
void st_timer_stop(st_timer_t *t);          /* no-op when not armed */
#define ST_TIMER_MAX_DELAY_US 0x7FFFFFFFu

#endif
