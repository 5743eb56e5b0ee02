# bcm2835-sim --eth / --eth-pcap / --eth-report: exit codes, file:line errors, a peer run
file(MAKE_DIRECTORY ${WORK})
file(WRITE ${WORK}/bad.scr "timeout zero\nudp 10 7\n")
file(WRITE ${WORK}/good.scr "arp 1000 3\nudp 4 7\nstop\n")
include(${CMAKE_CURRENT_LIST_DIR}/../cli_run.cmake)
run(2 "bad.scr:1: bad timeout 'zero'" --uart0 null --eth peer:${WORK}/bad.scr ${KERNEL})
run(2 "unknown --eth spec" --uart0 null --eth bogus ${KERNEL})
run(2 "needs --eth peer" --uart0 null --eth-report ${WORK}/r.json ${KERNEL})
run(2 "nonexistent" --uart0 null --eth-pcap /nonexistent/x.pcap ${KERNEL})
file(REMOVE ${WORK}/r.json ${WORK}/w.pcap)
# the board has no NIC model attached yet: the peer's 3 ARP requests go unanswered, it
# stops the run (exit 8) after 3 ms of simulated time and reports every request unsent
run(8 "eth peer .*not done|eth peer .*done arp unresolved" --uart0 null --eth peer:${WORK}/good.scr
    --eth-pcap ${WORK}/w.pcap --eth-report ${WORK}/r.json --stats ${KERNEL})
file(READ ${WORK}/r.json rep)
if(NOT rep MATCHES "\"done\": true" OR NOT rep MATCHES "\"arp_resolved\": false" OR NOT rep MATCHES "\"unsent\": 4")
  message(FATAL_ERROR "report: ${rep}")
endif()
file(SIZE ${WORK}/w.pcap sz)
if(NOT sz EQUAL 252)  # header + the 3 ARP requests (60 bytes each) the peer put on the wire
  message(FATAL_ERROR "pcap size ${sz}")
endif()
# slirp on the CLI: runs with the firmware (100 ms simulated), its counters in --stats;
# a bad hostfwd and an impossible tap are usage errors with a message
run(3 "eth \\(slirp\\): tx 0 .*eth slirp: hostfwds 0" --uart0 null --eth slirp --max-cycles 70000000 --stats ${KERNEL})
run(2 "bad option 'hostfwd=udp:1:2'" --uart0 null --eth slirp:hostfwd=udp:1:2 ${KERNEL})
run(2 "tap:IFNAME needs an interface name" --uart0 null --eth tap: ${KERNEL})
