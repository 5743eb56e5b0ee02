/* MD5 offload through the serverkernel protocol (docs/protocol.md), the real path of the md5
 * workload (`--set path=offload`, paper figures 4 and 5): the harness speaks the protocol
 * itself on the target's console line (frames beside the text; the firmware's portable
 * encoder/decoder and framing, target/sk/proto.c + link.c, as skctl does).
 *
 * offload_upload() sends UPLOAD_BEGIN and every chunk of the payload file back to back
 * (the simulator reads host input only while the guest waits: see target/sk/exec.h) and
 * waits for every acknowledgement. The node keeps a complete upload staged, so each
 * offload_md5() is one EXEC ("N TEXT") and its RESULT: digest checked against the host's
 * computation, cycles and CPU µs from the node, execution time = the client's EXEC->RESULT
 * time (host clock; on the simulator the node's simulated µs, as the console path does).
 * The line is a reliable pipe or socket here: a missing answer is an error, not retried
 * (skctl is the client with retransmission). Every wait has a deadline. */
#ifndef SKB_OFFLOAD_H
#define SKB_OFFLOAD_H
#include <stdint.h>
#include "results.h"
#include "target.h"

int offload_upload(sk_target_t *t, const char *skp_path, double timeout_s, double *upload_us, char *err,
                   size_t errlen);
int offload_md5(sk_target_t *t, uint32_t n, const char *text, int trusted, double timeout_s, sk_sample_t *s,
                char *err, size_t errlen);
#endif
