/* Offset table at the start of the test payload blob: magic, count, then the offset of each
 * entry from the blob start, in the order of sbtest.c's SBT_* ids. */
    .section .text.entry, "ax"
    .globl sbt_table
sbt_table:
    .word 0x53544253          @ "SBTS"
    .word 20
    .word sbt_hello - sbt_table
    .word sbt_loop - sbt_table
    .word sbt_wild - sbt_table
    .word sbt_periph - sbt_table
    .word sbt_undef - sbt_table
    .word sbt_stack - sbt_table
    .word sbt_svcbad - sbt_table
    .word sbt_badptr - sbt_table
    .word sbt_udp - sbt_table
    .word sbt_bench - sbt_table
    .word sbt_empty - sbt_table
    .word sbt_jump - sbt_table
    .word sbt_xn - sbt_table
    .word sbt_spin - sbt_table
    .word sbt_semihost - sbt_table
    .word sbt_cp15 - sbt_table
    .word sbt_cp15 - sbt_table         @ "ccnt": the same payload, called with a 1-byte arg
    .word sbt_apiw - sbt_table
    .word sbt_thumb - sbt_table
    .word sbt_peek - sbt_table

/* uint32_t sbt_thumb_cycles(void): cycles() by SVC from Thumb state (Thumb-1, ARMv6). */
    .text
    .thumb
    .thumb_func
    .globl sbt_thumb_cycles
    .hidden sbt_thumb_cycles
sbt_thumb_cycles:
    movs  r0, #0
    svc   #1
    bx    lr
