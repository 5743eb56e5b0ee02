/* The test payload blob (target/tests/payloads, built by CMakeLists.txt into SBT_BLOB). */
    .section .rodata.sbt_blob, "a"
    .balign 8
    .globl sbt_blob, sbt_blob_end
sbt_blob:
    .incbin SBT_BLOB
sbt_blob_end:
