/* Wire formats of the portable network stack (STYLE.md rule 6: wire headers as packed
 * structs in their own header). Every multi-byte field is a byte array in network order
 * and is read/written through net_rd16/net_rd32/net_wr16/net_wr32: the structs have
 * alignment 1, so a header may start at any address (the IPv4 header sits at offset 14 of
 * a frame) without relying on unaligned word accesses (ARM1176: SCTLR.U).
 *
 * Sources of the constants: Ethernet II (IEEE 802.3 clause 3 / RFC 894), ARP RFC 826,
 * IPv4 RFC 791, ICMP RFC 792, UDP RFC 768, DHCP RFC 2131 / options RFC 2132. */
#ifndef IO_NET_PROTO_H
#define IO_NET_PROTO_H
#include <stdint.h>

#define NET_PACKED __attribute__((packed))
#ifdef __cplusplus      /* the host benchmark includes these headers from C++ */
#define NET_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define NET_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

/* ---- byte order ------------------------------------------------------------------------ */
static inline uint16_t net_rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t net_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void net_wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void net_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* ---- Ethernet II ------------------------------------------------------------------------ */
#define NET_ETH_ALEN 6u
#define NET_ETH_HLEN 14u
#define NET_ETH_MTU 1500u
#define NET_ETHTYPE_IPV4 0x0800u
#define NET_ETHTYPE_ARP 0x0806u
typedef struct NET_PACKED net_eth_hdr {
    uint8_t dst[NET_ETH_ALEN];
    uint8_t src[NET_ETH_ALEN];
    uint8_t type[2];
} net_eth_hdr_t;

/* ---- ARP (Ethernet / IPv4 only) ---------------------------------------------------------- */
#define NET_ARP_LEN 28u
#define NET_ARP_HTYPE_ETH 1u
#define NET_ARP_OP_REQUEST 1u
#define NET_ARP_OP_REPLY 2u
typedef struct NET_PACKED net_arp_pkt {
    uint8_t htype[2];
    uint8_t ptype[2];
    uint8_t hlen;
    uint8_t plen;
    uint8_t op[2];
    uint8_t sha[NET_ETH_ALEN];
    uint8_t spa[4];
    uint8_t tha[NET_ETH_ALEN];
    uint8_t tpa[4];
} net_arp_pkt_t;

/* ---- IPv4 --------------------------------------------------------------------------------- */
#define NET_IP_HLEN 20u
#define NET_IP_VER_IHL 0x45u         /* version 4, 5 words, no options (what we send) */
#define NET_IP_FLAG_DF 0x4000u
#define NET_IP_FLAG_MF 0x2000u
#define NET_IP_OFF_MASK 0x1FFFu
#define NET_IP_TTL_DEFAULT 64u
#define NET_IP_PROTO_ICMP 1u
#define NET_IP_PROTO_UDP 17u
#define NET_IP_BCAST 0xFFFFFFFFu
typedef struct NET_PACKED net_ip_hdr {
    uint8_t ver_ihl;
    uint8_t tos;
    uint8_t total_len[2];
    uint8_t id[2];
    uint8_t frag[2];        /* flags (3 bits) | fragment offset (13 bits, 8-byte units) */
    uint8_t ttl;
    uint8_t proto;
    uint8_t cksum[2];
    uint8_t src[4];
    uint8_t dst[4];
} net_ip_hdr_t;

/* ---- ICMP ---------------------------------------------------------------------------------- */
#define NET_ICMP_HLEN 8u
#define NET_ICMP_ECHO_REPLY 0u
#define NET_ICMP_ECHO_REQUEST 8u
typedef struct NET_PACKED net_icmp_hdr {
    uint8_t type;
    uint8_t code;
    uint8_t cksum[2];
    uint8_t id[2];
    uint8_t seq[2];
} net_icmp_hdr_t;

/* ---- UDP ------------------------------------------------------------------------------------ */
#define NET_UDP_HLEN 8u
typedef struct NET_PACKED net_udp_hdr {
    uint8_t sport[2];
    uint8_t dport[2];
    uint8_t len[2];
    uint8_t cksum[2];
} net_udp_hdr_t;

/* ---- DHCP (BOOTP layout, RFC 2131 figure 1) ---------------------------------------------------- */
#define NET_DHCP_SERVER_PORT 67u
#define NET_DHCP_CLIENT_PORT 68u
#define NET_DHCP_FIXED_LEN 236u     /* op .. file */
#define NET_DHCP_MAGIC 0x63825363u
#define NET_DHCP_OP_REQUEST 1u
#define NET_DHCP_OP_REPLY 2u
#define NET_DHCP_FLAG_BROADCAST 0x8000u
typedef struct NET_PACKED net_dhcp_msg {
    uint8_t op, htype, hlen, hops;
    uint8_t xid[4];
    uint8_t secs[2];
    uint8_t flags[2];
    uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
    uint8_t chaddr[16];
    uint8_t sname[64];
    uint8_t file[128];
    uint8_t magic[4];
} net_dhcp_msg_t;
/* Options (RFC 2132). */
#define NET_DHCP_OPT_PAD 0u
#define NET_DHCP_OPT_MASK 1u
#define NET_DHCP_OPT_ROUTER 3u
#define NET_DHCP_OPT_REQ_IP 50u
#define NET_DHCP_OPT_LEASE 51u
#define NET_DHCP_OPT_MSGTYPE 53u
#define NET_DHCP_OPT_SERVER_ID 54u
#define NET_DHCP_OPT_PARAM_REQ 55u
#define NET_DHCP_OPT_T1 58u
#define NET_DHCP_OPT_T2 59u
#define NET_DHCP_OPT_END 255u
/* Message types (option 53). */
#define NET_DHCP_DISCOVER 1u
#define NET_DHCP_OFFER 2u
#define NET_DHCP_REQUEST 3u
#define NET_DHCP_DECLINE 4u
#define NET_DHCP_ACK 5u
#define NET_DHCP_NAK 6u
#define NET_DHCP_RELEASE 7u

NET_STATIC_ASSERT(sizeof(net_eth_hdr_t) == NET_ETH_HLEN, "eth header");
NET_STATIC_ASSERT(sizeof(net_arp_pkt_t) == NET_ARP_LEN, "arp packet");
NET_STATIC_ASSERT(sizeof(net_ip_hdr_t) == NET_IP_HLEN, "ipv4 header");
NET_STATIC_ASSERT(sizeof(net_icmp_hdr_t) == NET_ICMP_HLEN, "icmp header");
NET_STATIC_ASSERT(sizeof(net_udp_hdr_t) == NET_UDP_HLEN, "udp header");
NET_STATIC_ASSERT(sizeof(net_dhcp_msg_t) == NET_DHCP_FIXED_LEN + 4, "dhcp fixed part");

/* ---- Internet checksum (RFC 1071) ---------------------------------------------------------------- */
/* One's-complement sum of n bytes (big-endian 16-bit words, odd tail padded with 0) added to
 * `sum`, not folded. Portable C, no alignment assumption. */
uint32_t net_cksum_add(uint32_t sum, const uint8_t *p, unsigned n);
/* Folds to 16 bits and complements: the value to store in a checksum field. A buffer
 * whose stored checksum is right sums (with it) to 0xFFFF, i.e. net_cksum_fold() == 0. */
static inline uint16_t net_cksum_fold(uint32_t sum)
{
    sum = (sum & 0xFFFFu) + (sum >> 16);
    sum = (sum & 0xFFFFu) + (sum >> 16);
    return (uint16_t)~sum;
}
/* UDP pseudo header (RFC 768): src, dst, zero, protocol, UDP length. */
static inline uint32_t net_cksum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (src >> 16) + (src & 0xFFFFu) + (dst >> 16) + (dst & 0xFFFFu) + proto + len;
}

#endif
