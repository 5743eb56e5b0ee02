# Shared by the bcm2835-sim command-line tests run with `cmake -P` (periph/modem_cli,
# periph/usb_cli, link/eth_cli): run(CODE ERRPAT ARGS...) runs ${SIM} ARGS..., fails unless
# it exits with CODE and (when ERRPAT is not empty) its stderr matches ERRPAT. Bounded at 60 s.
function(run code errpat)
  execute_process(COMMAND ${SIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err TIMEOUT 60)
  if(NOT rc EQUAL ${code})
    message(FATAL_ERROR "bcm2835-sim ${ARGN}: exit ${rc}, expected ${code}\n${err}")
  endif()
  if(errpat AND NOT err MATCHES "${errpat}")
    message(FATAL_ERROR "bcm2835-sim ${ARGN}: stderr lacks '${errpat}':\n${err}")
  endif()
endfunction()
