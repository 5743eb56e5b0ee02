@ C runtime for C guests: stack, VFP on (gcc emits VFP in plain C), .bss cleared.
    .section .text.boot, "ax"
    .global _start
_start:
    ldr sp, =0x80000
    mrc p15, 0, r0, c1, c0, 2
    orr r0, r0, #(0xF << 20)          @ CPACR: cp10, cp11 full access
    mcr p15, 0, r0, c1, c0, 2
    mov r0, #0x40000000
    fmxr fpexc, r0                    @ FPEXC.EN
    ldr r0, =__bss_start
    ldr r1, =__bss_end
    mov r2, #0
1:  cmp r0, r1
    strlo r2, [r0], #4
    blo 1b
    bl main
    mov r1, r0
    mov r0, #0x18
    svc 0x123456
    b .
