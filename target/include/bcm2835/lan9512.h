/* SMSC LAN9512/LAN9514 USB 2.0 hub + 10/100 Ethernet controller: the Ethernet function's
 * register map (reached by USB vendor requests), bulk framing words and the internal PHY.
 * Source: SMSC LAN9512/LAN9512i datasheet rev. 1.x, sections "System Control and Status
 * Registers" (CSR, 0x00-0xFC), "MAC Control and Status Registers" (0x100-0x134), "TX
 * Command A/B" and "RX Status" formats, and the PHY register map (IEEE 802.3 clause 22
 * + vendor registers 17-31). Facts only; shared by the firmware (hal/usb/lan9512.c) and
 * the simulator's device model (sim/periph/usbdev_lan9512.c). */
#ifndef BCM2835_LAN9512_H
#define BCM2835_LAN9512_H

/* ---- vendor requests: register access, 4-byte little-endian data -------------------- */
#define LAN9512_REQ_WRITE_REG   0xA0u   /* bmRequestType 0x40, wIndex = register, wLength 4 */
#define LAN9512_REQ_READ_REG    0xA1u   /* bmRequestType 0xC0, wIndex = register, wLength 4 */
#define LAN9512_REQ_GET_STATS   0xA2u

/* ---- system control and status registers ------------------------------------------- */
#define LAN9512_ID_REV          0x00u   /* [31:16] chip id (0xEC00), [15:0] revision */
#define LAN9512_INT_STS         0x08u   /* write 1 to clear */
#define  LAN9512_INT_STS_TX_STOP     (1u << 17)
#define  LAN9512_INT_STS_RX_STOP     (1u << 16)
#define  LAN9512_INT_STS_PHY_INT     (1u << 15)
#define  LAN9512_INT_STS_TXE         (1u << 14)
#define  LAN9512_INT_STS_TDFU        (1u << 13)
#define  LAN9512_INT_STS_TDFO        (1u << 12)
#define  LAN9512_INT_STS_RXDF        (1u << 11)
#define LAN9512_RX_CFG          0x0Cu
#define  LAN9512_RX_CFG_RXDOFF_SHIFT 9  /* 2 bits: bytes of offset before each RX frame */
#define  LAN9512_RX_CFG_RX_FIFO_FLUSH (1u << 0)
#define LAN9512_TX_CFG          0x10u
#define  LAN9512_TX_CFG_ON           (1u << 2)
#define  LAN9512_TX_CFG_STOP         (1u << 1)
#define  LAN9512_TX_CFG_FIFO_FLUSH   (1u << 0)
#define LAN9512_HW_CFG          0x14u
#define  LAN9512_HW_CFG_BIR          (1u << 12) /* bulk-in empty response: 1 = NAK */
#define  LAN9512_HW_CFG_LEDB         (1u << 11)
#define  LAN9512_HW_CFG_RXDOFF_SHIFT 9          /* 2 bits */
#define  LAN9512_HW_CFG_DRP          (1u << 6)  /* discard errored received packets */
#define  LAN9512_HW_CFG_MEF          (1u << 5)  /* multiple ethernet frames per bulk-in */
#define  LAN9512_HW_CFG_LRST         (1u << 3)  /* lite reset, self-clearing */
#define  LAN9512_HW_CFG_PSEL         (1u << 2)
#define  LAN9512_HW_CFG_BCE          (1u << 1)  /* burst cap enable */
#define  LAN9512_HW_CFG_SRST         (1u << 0)
#define LAN9512_RX_FIFO_INF     0x18u
#define LAN9512_TX_FIFO_INF     0x1Cu
#define LAN9512_PM_CTRL         0x20u
#define  LAN9512_PM_CTRL_PHY_RST     (1u << 4)  /* self-clearing */
#define LAN9512_LED_GPIO_CFG    0x24u
#define  LAN9512_LED_GPIO_CFG_SPD_LED (1u << 24)
#define  LAN9512_LED_GPIO_CFG_LNK_LED (1u << 20)
#define  LAN9512_LED_GPIO_CFG_FDX_LED (1u << 16)
#define LAN9512_GPIO_CFG        0x28u
#define LAN9512_AFC_CFG         0x2Cu
#define LAN9512_E2P_CMD         0x30u
#define LAN9512_E2P_DATA        0x34u
#define LAN9512_BURST_CAP       0x38u   /* units of the bulk-in MPS (512 HS, 64 FS) */
#define LAN9512_GPIO_WAKE       0x64u
#define LAN9512_INT_EP_CTL      0x68u   /* which INT_STS bits are reported on the INT EP */
#define  LAN9512_INT_EP_CTL_PHY_INT  (1u << 15)
#define LAN9512_BULK_IN_DLY     0x6Cu   /* ns units x 16.7 */

/* ---- MAC control and status registers ---------------------------------------------- */
#define LAN9512_MAC_CR          0x100u
#define  LAN9512_MAC_CR_RXALL        (1u << 31)
#define  LAN9512_MAC_CR_RCVOWN       (1u << 23)
#define  LAN9512_MAC_CR_LOOPBK       (1u << 21)
#define  LAN9512_MAC_CR_FDPX         (1u << 20)
#define  LAN9512_MAC_CR_MCPAS        (1u << 19)
#define  LAN9512_MAC_CR_PRMS         (1u << 18)
#define  LAN9512_MAC_CR_INVFILT      (1u << 17)
#define  LAN9512_MAC_CR_PASSBAD      (1u << 16)
#define  LAN9512_MAC_CR_HFILT        (1u << 15)
#define  LAN9512_MAC_CR_HPFILT       (1u << 13)
#define  LAN9512_MAC_CR_LCOLL        (1u << 12)
#define  LAN9512_MAC_CR_BCAST        (1u << 11) /* 1 = DISABLE broadcast reception */
#define  LAN9512_MAC_CR_DISRTY       (1u << 10)
#define  LAN9512_MAC_CR_PADSTR       (1u << 8)
#define  LAN9512_MAC_CR_DFCHK        (1u << 5)
#define  LAN9512_MAC_CR_TXEN         (1u << 3)
#define  LAN9512_MAC_CR_RXEN         (1u << 2)
#define LAN9512_ADDRH           0x104u  /* MAC bytes 4,5 in bits [15:0] */
#define LAN9512_ADDRL           0x108u  /* MAC bytes 0..3, byte 0 in bits [7:0] */
#define LAN9512_HASHH           0x10Cu
#define LAN9512_HASHL           0x110u
#define LAN9512_MII_ADDR        0x114u
#define  LAN9512_MII_BUSY            (1u << 0)
#define  LAN9512_MII_WRITE           (1u << 1)
#define  LAN9512_MII_REG_SHIFT       6          /* 5 bits */
#define  LAN9512_MII_PHY_SHIFT       11         /* 5 bits */
#define LAN9512_MII_DATA        0x118u
#define LAN9512_FLOW            0x11Cu
#define LAN9512_VLAN1           0x120u
#define LAN9512_VLAN2           0x124u
#define LAN9512_WUFF            0x128u
#define LAN9512_WUCSR           0x12Cu
#define LAN9512_COE_CR          0x130u

/* ---- internal PHY (address 1) ------------------------------------------------------- */
#define LAN9512_PHY_ADDR        1u
#define MII_BMCR                0u
#define  MII_BMCR_RESET              (1u << 15)
#define  MII_BMCR_ANENABLE           (1u << 12)
#define  MII_BMCR_ANRESTART          (1u << 9)
#define MII_BMSR                1u
#define  MII_BMSR_LSTATUS            (1u << 2)
#define  MII_BMSR_ANEGCOMPLETE       (1u << 5)
#define MII_PHYSID1             2u
#define MII_ADVERTISE           4u
#define  MII_ADVERTISE_CSMA          0x0001u
#define  MII_ADVERTISE_ALL           0x01E0u    /* 10/100 half/full */
#define  MII_ADVERTISE_PAUSE         0x0C00u
#define MII_LPA                 5u
#define LAN9512_PHY_INT_SRC     29u     /* read clears */
#define LAN9512_PHY_INT_MASK    30u
#define  LAN9512_PHY_INT_ANEG_COMP   (1u << 6)
#define  LAN9512_PHY_INT_LINK_DOWN   (1u << 4)

/* ---- interrupt endpoint: one little-endian word, the INT_STS bits ------------------ */
#define LAN9512_INT_EP_LEN      4u

/* ---- bulk-out framing: two little-endian words before every frame ------------------ */
#define LAN9512_TX_HDR_LEN      8u
#define LAN9512_TX_CMD_A_DATA_OFFSET_SHIFT 16   /* 5 bits: bytes of offset before data */
#define LAN9512_TX_CMD_A_FIRST_SEG   (1u << 13)
#define LAN9512_TX_CMD_A_LAST_SEG    (1u << 12)
#define LAN9512_TX_CMD_A_BUF_SIZE_MASK 0x7FFu
#define LAN9512_TX_CMD_B_CSUM_ENABLE (1u << 14)
#define LAN9512_TX_CMD_B_ADD_CRC_DIS (1u << 13)
#define LAN9512_TX_CMD_B_DIS_PADDING (1u << 12)
#define LAN9512_TX_CMD_B_PKT_LEN_MASK 0x7FFu

/* ---- bulk-in framing: one little-endian status word before every frame; frames are
 * padded to a 4-byte boundary when several share a bulk-in (HW_CFG.MEF) ------------- */
#define LAN9512_RX_STS_LEN      4u
#define LAN9512_RX_STS_FF       (1u << 30)      /* filtering fail */
#define LAN9512_RX_STS_FL_SHIFT 16              /* 14 bits: frame length incl. 4-byte FCS */
#define LAN9512_RX_STS_FL_MASK  (0x3FFFu << 16)
#define LAN9512_RX_STS_ES       (1u << 15)      /* error summary */
#define LAN9512_RX_STS_BF       (1u << 13)      /* broadcast */
#define LAN9512_RX_STS_LE       (1u << 12)      /* length error */
#define LAN9512_RX_STS_RF       (1u << 11)      /* runt */
#define LAN9512_RX_STS_MF       (1u << 10)      /* multicast */
#define LAN9512_RX_STS_TL       (1u << 7)       /* frame too long */
#define LAN9512_RX_STS_CS       (1u << 6)       /* collision seen */
#define LAN9512_RX_STS_FT       (1u << 5)       /* frame type (length/type > 1500) */
#define LAN9512_RX_STS_RW       (1u << 4)       /* receive watchdog timeout */
#define LAN9512_RX_STS_ME       (1u << 3)       /* MII error */
#define LAN9512_RX_STS_DB       (1u << 2)       /* dribbling bit */
#define LAN9512_RX_STS_CRC      (1u << 1)       /* CRC error */
#define LAN9512_FCS_LEN         4u

#endif
