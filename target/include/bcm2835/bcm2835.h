/* BCM2835 physical memory map as seen by the ARM (bus 0x7Exxxxxx = ARM 0x20xxxxxx).
 * Source: BCM2835 ARM Peripherals datasheet, section 1.2.3; block offsets in the
 * per-block headers beside this one. Shared by the firmware and the simulator. */
#ifndef BCM2835_BCM2835_H
#define BCM2835_BCM2835_H

#define BCM2835_PERIPH_BASE   0x20000000u
#define BCM2835_PERIPH_SIZE   0x01000000u
#define BCM2835_BUS_TO_ARM(a) (((a) & 0x00FFFFFFu) | BCM2835_PERIPH_BASE)

#define BCM2835_ST_BASE       0x20003000u /* system timer */
#define BCM2835_DMA_BASE      0x20007000u
#define BCM2835_IC_BASE       0x2000B200u /* interrupt controller (ARM side) */
#define BCM2835_ARMTIMER_BASE 0x2000B400u /* SP804-like ARM timer */
#define BCM2835_MBOX_BASE     0x2000B880u /* mailbox 0 */
#define BCM2835_PM_BASE       0x20100000u /* power management, watchdog */
#define BCM2835_CM_BASE       0x20101000u /* clock manager */
#define BCM2835_RNG_BASE      0x20104000u
#define BCM2835_GPIO_BASE     0x20200000u
#define BCM2835_UART0_BASE    0x20201000u /* PL011 */
#define BCM2835_PCM_BASE      0x20203000u
#define BCM2835_SPI0_BASE     0x20204000u
#define BCM2835_BSC0_BASE     0x20205000u
#define BCM2835_PWM_BASE      0x2020C000u
#define BCM2835_AUX_BASE      0x20215000u /* mini UART, SPI1, SPI2 */
#define BCM2835_EMMC_BASE     0x20300000u /* Arasan SDHCI */
#define BCM2835_SDHOST_BASE   0x20202000u
#define BCM2835_BSC1_BASE     0x20804000u
#define BCM2835_USB_BASE      0x20980000u /* Synopsys DWC2 OTG */
#define BCM2835_USB_SIZE      0x00010000u

/* Further blocks (added for the simulator's named stubs; addresses from the datasheet
 * section 1.2.3 / the Linux bcm2835.dtsi, ARM physical = bus 0x7Exxxxxx). */
#define BCM2835_MPHI_BASE     0x20006000u
#define BCM2835_ASB_BASE      0x2000A000u /* AXI/ASB bridges (power domains) */
#define BCM2835_ARMCTRL_BASE  0x2000B000u /* page holding IC, ARM timer and mailbox */
#define BCM2835_OTP_BASE      0x2020F000u
#define BCM2835_THERMAL_BASE  0x20212000u
#define BCM2835_SLAVE_BASE    0x20214000u /* I2C/SPI slave */
#define BCM2835_SMI_BASE      0x20600000u
#define BCM2835_BSC2_BASE     0x20805000u /* HDMI DDC */
#define BCM2835_V3D_BASE      0x20C00000u
#define BCM2835_DMA15_BASE    0x20E05000u /* DMA channel 15 lives outside the DMA block */
#define BCM2835_HVS_BASE      0x20400000u

/* GPU interrupt numbers (IRQ pending 1: 0..31, pending 2: 32..63), datasheet 7.5 */
#define BCM2835_IRQ_ST_C0     0
#define BCM2835_IRQ_ST_C1     1
#define BCM2835_IRQ_ST_C2     2
#define BCM2835_IRQ_ST_C3     3
#define BCM2835_IRQ_USB       9
#define BCM2835_IRQ_AUX       29
#define BCM2835_IRQ_GPIO0     49
#define BCM2835_IRQ_GPIO1     50
#define BCM2835_IRQ_GPIO2     51
#define BCM2835_IRQ_GPIO3     52
#define BCM2835_IRQ_I2C       53
#define BCM2835_IRQ_SPI       54
#define BCM2835_IRQ_UART0     57
#define BCM2835_IRQ_EMMC      62
/* ARM-side ("basic") interrupt numbers, numbered after the 64 GPU ones */
#define BCM2835_IRQ_ARM_TIMER 64
#define BCM2835_IRQ_ARM_MBOX  65
#define BCM2835_IRQ_ARM_DB0   66
#define BCM2835_IRQ_ARM_DB1   67
#define BCM2835_IRQ_COUNT     72

/* Clocks the firmware sees (mailbox reports them; sim and QEMU agree). */
#define BCM2835_APB_CLOCK_HZ   250000000u /* core/VPU clock feeding ARM timer, aux */
#define BCM2835_UART_CLOCK_HZ  48000000u  /* PL011 reference clock */
#define BCM2835_ST_CLOCK_HZ    1000000u   /* system timer */

#endif
