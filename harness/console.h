/* The firmware console protocol (banner, prompt "> ", md5/info/halt, "err ..." lines). */
#ifndef SK_CONSOLE_H
#define SK_CONSOLE_H
#include "results.h"
#include "target.h"

enum { CON_OK = 0, CON_FAIL = -1, CON_WRONG = -2, CON_INTR = -3 };

/* Waits for the readiness line, then `info` as a handshake (info line into info). */
int console_ready(sk_target_t *t, double timeout_s, char *info, size_t infolen, char *err, size_t errlen);
/* Runs `md5 N TEXT`, checks the digest against the host computation, fills s. */
int console_md5(sk_target_t *t, uint32_t n, const char *text, double timeout_s, sk_sample_t *s,
                char *err, size_t errlen);
/* Firmware targets (qemu, sim): `net start` (USB NIC + IP stack), then waits for the
 * "net-up ip=..." line (copied into up, may be NULL). CON_FAIL with the reason in err
 * (rc of the start, or no net-up within timeout_s). */
int console_net_start(sk_target_t *t, double timeout_s, char *up, size_t uplen, char *err, size_t errlen);
/* `halt` and wait for the target to exit; CON_OK if it did. */
int console_halt(sk_target_t *t, double timeout_s);
/* Parses "md5 n=<N> digest=<hex> cycles=<c> us=<t>" (exposed for tests). */
int console_parse_md5(const char *line, unsigned long long *n, char digest[33], unsigned long long *cycles, double *us);
void console_expected_md5(uint32_t n, const char *text, char hex[33]);

#endif
