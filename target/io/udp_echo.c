/* UDP echo service: see udp_echo.h. */
#include "io/udp_echo.h"

/* Source ports of the classic UDP services that answer anything (echo 7, daytime 13, qotd
 * 17, chargen 19, time 37): answering them would let one spoofed datagram start an endless
 * ping-pong between two servers. */
static int udp_echo_loop_port(uint16_t port)
{
    return port == 7 || port == 13 || port == 17 || port == 19 || port == 37;
}

static int udp_echo_on_data(vmio_automaton_t *a, const vmio_event_t *ev)
{
    udp_echo_t *s = (udp_echo_t *)a;
    if (!ev->buf || ev->len < sizeof(net_udp_meta_t)) {
        s->stats.bad++;             /* the engine frees the buffer, if any */
        return ERR_OK;
    }
    s->stats.rx++;
    net_udp_meta_t m;
    net_udp_meta_get(ev, &m);
    if (udp_echo_loop_port(m.remote_port)) {
        s->stats.loop_guard++;      /* the engine frees the buffer */
        return ERR_OK;
    }
    vmio_event_t out;
    out.dst = s->net;
    out.src = vmio_addr(VMIO_NODE_LOCAL, a->id, 0);
    out.code = NET_EV_UDP_SEND;
    out.flags = 0;
    out.tag = 0;
    out.status = 0;
    out.arg = 0;
    /* The meta as received names the sender as remote and our port as local: exactly the
     * addressing of the answer. */
    __builtin_memcpy(out.inl, ev->inl, sizeof(net_udp_meta_t));
    out.len = (uint8_t)sizeof(net_udp_meta_t);
    out.buf = vmio_take(ev);        /* ownership: ours, then the engine's with the post */
    if (vmio_post(&out, 1)) {
        s->stats.send_fail++;
        return ERR_OK;
    }
    s->stats.tx++;
    return ERR_OK;
}

static int udp_echo_on_reset(vmio_automaton_t *a, const vmio_event_t *ev)
{
    return vmio_is_req(ev) ? vmio_respond(a, ev, ERR_OK, 0, 0) : ERR_OK;
}

enum { UDP_ECHO_EV_COUNT = VMIO_EV_RESET + 1 };

static const vmio_row_t udp_echo_rows[UDP_ECHO_S_COUNT][UDP_ECHO_EV_COUNT] = {
    [UDP_ECHO_S_RUN] = {
        [VMIO_EV_DATA] = VMIO_ROW(udp_echo_on_data, VMIO_SAME),
        [VMIO_EV_RESET] = VMIO_ROW(udp_echo_on_reset, VMIO_SAME),
    },
};
static const vmio_state_desc_t udp_echo_states[UDP_ECHO_S_COUNT] = {
    [UDP_ECHO_S_RUN] = {"run", 0, 0},
};
static const char *const udp_echo_event_names[UDP_ECHO_EV_COUNT] = {
    [VMIO_EV_DATA] = "data", [VMIO_EV_RX] = "rx", [VMIO_EV_PIPE_OPEN] = "pipe_open",
    [VMIO_EV_PIPE_CLOSE] = "pipe_close", [VMIO_EV_RESET] = "reset",
};
const vmio_table_t udp_echo_table = {
    .name = "udp_echo", .nstates = UDP_ECHO_S_COUNT, .nevents = UDP_ECHO_EV_COUNT,
    .rows = &udp_echo_rows[0][0], .dflt = 0, .states = udp_echo_states,
    .event_names = udp_echo_event_names,
};

int udp_echo_init(udp_echo_t *self, uint8_t id, net_t *net, uint16_t port)
{
    if (!self || !net)
        return ERR_INVAL;
    *self = (udp_echo_t){0};
    self->net = vmio_addr(VMIO_NODE_LOCAL, net->aut.id, 0);
    self->port = port ? port : UDP_ECHO_PORT_DEFAULT;
    int rc = vmio_register(&self->aut, id, &udp_echo_table, UDP_ECHO_S_RUN);
    if (rc)
        return rc;
    return net_udp_bind(net, self->port, vmio_addr(VMIO_NODE_LOCAL, id, 0));
}

void udp_echo_get_stats(const udp_echo_t *self, udp_echo_stats_t *out)
{
    *out = self->stats;
}
