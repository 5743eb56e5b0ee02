/* echo payload: writes its argument block back unchanged and returns its length (the UDP
 * echo handler's core; over UDP the transport delivers the datagram as the argument). */
#include "sk_sdk.h"

SK_ENTRY(api, arg, len)
{
    if (len)
        sk_write(api, arg, len);
    return (int32_t)len;
}
