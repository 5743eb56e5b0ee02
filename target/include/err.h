/* One error model for the firmware (STYLE.md rule 7): 0 is OK, errors are negative values of
 * err_t. err_str() gives the stable lower-case token used in console replies. */
#ifndef ERR_H
#define ERR_H

typedef enum err {
    ERR_OK = 0,
    ERR_INVAL = -1,     /* bad argument */
    ERR_TIMEOUT = -2,   /* a bounded wait expired */
    ERR_IO = -3,        /* device reported an error */
    ERR_NOSPC = -4,     /* buffer/ring/table full */
    ERR_NOTSUP = -5,    /* not supported on this board/target */
    ERR_BUSY = -6,      /* resource already in use */
    ERR_RANGE = -7,     /* value out of range */
    ERR_EMPTY = -8,     /* nothing available (non-blocking read) */
    ERR_NO_RESPONSE = -16, /* VMIO: a request handler returned without answering */
    ERR_UNHANDLED = -17,   /* VMIO: no transition for (state, code) */
} err_t;

static inline const char *err_str(int e)
{
    switch (e) {
    case ERR_OK: return "ok";
    case ERR_INVAL: return "invalid-argument";
    case ERR_TIMEOUT: return "timeout";
    case ERR_IO: return "io-error";
    case ERR_NOSPC: return "no-space";
    case ERR_NOTSUP: return "not-supported";
    case ERR_BUSY: return "busy";
    case ERR_RANGE: return "out-of-range";
    case ERR_EMPTY: return "empty";
    case ERR_NO_RESPONSE: return "no-response";
    case ERR_UNHANDLED: return "unhandled";
    default: return "unknown-error";
    }
}

#endif
