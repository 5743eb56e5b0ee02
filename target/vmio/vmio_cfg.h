/* VMIO compile-time sizes. Every table, queue and pool in vmio/ is a static array sized
 * here; override any value with -D on the command line (all guarded by #ifndef). */
#ifndef VMIO_CFG_H
#define VMIO_CFG_H

#ifndef VMIO_MAX_AUT
#define VMIO_MAX_AUT 32        /* automaton ids 0..31 per node (0 = the engine itself) */
#endif
#ifndef VMIO_MAX_STATES
#define VMIO_MAX_STATES 16     /* states per transition table */
#endif
#ifndef VMIO_MAX_EVENTS
#define VMIO_MAX_EVENTS 32     /* event codes per transition table */
#endif
#ifndef VMIO_MAX_TABLES
#define VMIO_MAX_TABLES 16     /* distinct tables tracked by the coverage registry */
#endif
#ifndef VMIO_NPRIO
#define VMIO_NPRIO 3           /* internal FIFO priorities: 0 = highest */
#endif
#ifndef VMIO_QLEN
#define VMIO_QLEN 64           /* events per internal FIFO (power of two) */
#endif
#ifndef VMIO_NLEVELS
#define VMIO_NLEVELS 4         /* VMIT interrupt levels that may deposit events */
#endif
#ifndef VMIO_DEPOSIT_QLEN
#define VMIO_DEPOSIT_QLEN 32   /* events per deposit queue (power of two) */
#endif
#ifndef VMIO_RUN_MAX
#define VMIO_RUN_MAX 256       /* dispatches per vmio_run() call (STYLE rule 8) */
#endif
#ifndef VMIO_PREEMPT_MAX_ROUNDS
#define VMIO_PREEMPT_MAX_ROUNDS 4 /* vmio_run() rounds per vmio_preempt() */
#endif
#ifndef VMIO_EV_INLINE
#define VMIO_EV_INLINE 16      /* inline payload bytes per event (= PL011 RX FIFO depth) */
#endif
#ifndef VMIO_MAX_PIPES
#define VMIO_MAX_PIPES 8
#endif
#ifndef VMIO_PIPE_MAX_HOPS
#define VMIO_PIPE_MAX_HOPS 8   /* <= VMIO_EV_INLINE: the chain travels inline */
#endif

/* Buffer pools: two size classes; an allocation takes the smallest class that fits. */
#ifndef VMIO_POOL_SMALL_N
#define VMIO_POOL_SMALL_N 32
#endif
#ifndef VMIO_POOL_SMALL_SIZE
#define VMIO_POOL_SMALL_SIZE 128
#endif
#ifndef VMIO_POOL_LARGE_N
#define VMIO_POOL_LARGE_N 32
#endif
#ifndef VMIO_POOL_LARGE_SIZE
/* one Ethernet frame (1514 B) + ETH_HEADROOM (64, hal/eth.h) + the LAN9512 RX status word
 * and bulk-in slack, rounded to the 32-byte D-cache line; also a 512 B ESP3 frame */
#define VMIO_POOL_LARGE_SIZE 1664
#endif

#endif
