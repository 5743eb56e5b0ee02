# Parity with QEMU: the same USB guest (sim/tests/guests/usb.c) that passes on bcm2835-sim
# runs on qemu-system-arm -M raspi0 with -device usb-net (QEMU's dwc2 + hub + usb-net);
# it must exit 0 and its 60-byte frame must reach QEMU's network (filter-dump pcap).
file(MAKE_DIRECTORY ${WORK})
file(REMOVE ${WORK}/usbnet.pcap)
execute_process(COMMAND ${QEMU} -M raspi0 -kernel ${GUESTS}/usb.elf -semihosting -display none -serial null
                        -monitor none -device usb-net,netdev=n0 -netdev user,id=n0
                        -object filter-dump,id=d0,netdev=n0,file=${WORK}/usbnet.pcap
                RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "usb guest on QEMU: exit '${rc}' (the guest returns the failing step)\n${err}")
endif()
file(READ ${WORK}/usbnet.pcap pcap HEX)
string(LENGTH "${pcap}" n)
# 24-byte file header + 16-byte record header + 60-byte frame, hex: 2 characters a byte
if(NOT n EQUAL 200)
  message(FATAL_ERROR "pcap of ${n} hex digits, expected one 60-byte frame")
endif()
string(SUBSTRING "${pcap}" 80 28 head)
if(NOT head STREQUAL "ffffffffffff02000000000188b5")
  message(FATAL_ERROR "frame starts ${head}")
endif()
