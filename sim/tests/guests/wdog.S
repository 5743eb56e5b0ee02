@ Watchdog reset seen by a guest: on the first boot arm the PM watchdog for 100 ticks
@ (1/65536 s each) with a full reset and never kick it; the board resets, the image is
@ reloaded, and the second boot finds RSTS.HADWRH set, logs it and exits.
#include "macros.inc"
#include "bcm2835/bcm2835.h"
#include "bcm2835/pm.h"
    VECTORS
    ldr r12, =TESTDEV_BASE
    ldr r4, =BCM2835_PM_BASE
    ldr r0, [r4, #BCM2835_PM_RSTS]
    LOG r0
    tst r0, #BCM2835_PM_RSTS_HADWRH_BIT
    bne second
    ldr r0, [r12, #TESTDEV_NOW]
    LOG r0                            @ when armed
    ldr r0, =(BCM2835_PM_PASSWORD | 100)
    str r0, [r4, #BCM2835_PM_WDOG]
    ldr r0, [r4, #BCM2835_PM_RSTC]
    bic r0, r0, #BCM2835_PM_RSTC_WRCFG_MASK
    orr r0, r0, #BCM2835_PM_RSTC_WRCFG_FULL_RESET
    orr r0, r0, #BCM2835_PM_PASSWORD
    str r0, [r4, #BCM2835_PM_RSTC]
1:  b 1b                              @ hang: only the watchdog gets us out
second:
    ldr r0, [r12, #TESTDEV_NOW]
    LOG r0                            @ when the second boot ran
    EXIT_OK
irq_h:
svc_h:
und_h:
pabt_h:
dabt_h:
fiq_h:
    b .
