/* BCM2835 interrupt controller driver: per-source enable/disable (numbers as in
 * bcm2835/bcm2835.h: 0..63 GPU, 64..71 ARM basic) and a source -> handler table. */
#ifndef HAL_IRQ_H
#define HAL_IRQ_H
#include <stdint.h>

typedef void (*irq_handler_fn)(void *arg);

typedef struct irq_stats {
    uint32_t dispatched;
    uint32_t spurious;    /* IRQ taken but no enabled source pending */
    uint32_t unhandled;   /* pending source without a handler (it gets disabled) */
} irq_stats_t;

void irq_init(void);      /* all sources off, installs the IRQ vector handler */
int irq_connect(unsigned irq, irq_handler_fn fn, void *arg);
int irq_enable(unsigned irq);
int irq_disable(unsigned irq);
void irq_get_stats(irq_stats_t *out);

#endif
