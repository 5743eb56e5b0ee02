/* Synopsys DesignWare USB 2.0 Hi-Speed OTG controller (DWC2) as on the BCM2835: global,
 * host and power registers, one host channel block per channel. Offsets from
 * BCM2835_USB_BASE (bcm2835.h), interrupt BCM2835_IRQ_USB. Source: the DWC2 databook
 * register descriptions as used by the Linux dwc2 driver (drivers/usb/dwc2/hw.h) and
 * QEMU's model (hw/usb/hcd-dwc2.h); facts only. Shared by the firmware and the simulator.
 *
 * BCM2835 configuration (GHWCFG*): 8 host channels, internal DMA, dynamic FIFO of 4080
 * words, UTMI+ high-speed PHY; GSNPSID reads 0x4F54280A. QEMU implements host mode with
 * buffer DMA only (no slave/PIO, no descriptor DMA); our simulator does the same. */
#ifndef BCM2835_DWC2_H
#define BCM2835_DWC2_H

/* ---- core global registers ---------------------------------------------------------- */
#define DWC2_GOTGCTL    0x000u
#define DWC2_GOTGINT    0x004u
#define DWC2_GAHBCFG    0x008u
#define  DWC2_GAHBCFG_GLBL_INTR_EN   (1u << 0)
#define  DWC2_GAHBCFG_HBSTLEN_SHIFT  1          /* 4 bits: AHB burst length */
#define  DWC2_GAHBCFG_DMA_EN         (1u << 5)
#define  DWC2_GAHBCFG_NP_TXF_EMP_LVL (1u << 7)
#define  DWC2_GAHBCFG_P_TXF_EMP_LVL  (1u << 8)
#define DWC2_GUSBCFG    0x00Cu
#define  DWC2_GUSBCFG_TOUTCAL_MASK   0x7u
#define  DWC2_GUSBCFG_PHYIF16        (1u << 3)
#define  DWC2_GUSBCFG_ULPI_UTMI_SEL  (1u << 4)
#define  DWC2_GUSBCFG_PHYSEL         (1u << 6)
#define  DWC2_GUSBCFG_SRPCAP         (1u << 8)
#define  DWC2_GUSBCFG_HNPCAP         (1u << 9)
#define  DWC2_GUSBCFG_FORCEHOSTMODE  (1u << 29)
#define  DWC2_GUSBCFG_FORCEDEVMODE   (1u << 30)
#define DWC2_GRSTCTL    0x010u
#define  DWC2_GRSTCTL_CSFTRST        (1u << 0)
#define  DWC2_GRSTCTL_HSFTRST        (1u << 1)
#define  DWC2_GRSTCTL_FRMCNTRRST     (1u << 2)
#define  DWC2_GRSTCTL_RXFFLSH        (1u << 4)
#define  DWC2_GRSTCTL_TXFFLSH        (1u << 5)
#define  DWC2_GRSTCTL_TXFNUM_SHIFT   6          /* 5 bits; 0x10 = all TX FIFOs */
#define  DWC2_GRSTCTL_TXFNUM_ALL     (0x10u << 6)
#define  DWC2_GRSTCTL_DMAREQ         (1u << 30)
#define  DWC2_GRSTCTL_AHBIDLE        (1u << 31)
#define DWC2_GINTSTS    0x014u
#define DWC2_GINTMSK    0x018u
#define  DWC2_GINT_CURMODE_HOST      (1u << 0)  /* GINTSTS only: 1 = host mode */
#define  DWC2_GINT_MODEMIS           (1u << 1)
#define  DWC2_GINT_OTGINT            (1u << 2)
#define  DWC2_GINT_SOF               (1u << 3)
#define  DWC2_GINT_RXFLVL            (1u << 4)
#define  DWC2_GINT_NPTXFEMP          (1u << 5)
#define  DWC2_GINT_USBRST            (1u << 12)
#define  DWC2_GINT_ENUMDONE          (1u << 13)
#define  DWC2_GINT_INCOMPLP          (1u << 21)
#define  DWC2_GINT_PRTINT            (1u << 24)
#define  DWC2_GINT_HCHINT            (1u << 25)
#define  DWC2_GINT_PTXFEMP           (1u << 26)
#define  DWC2_GINT_CONIDSTSCHNG      (1u << 28)
#define  DWC2_GINT_DISCONNINT        (1u << 29)
#define  DWC2_GINT_SESSREQINT        (1u << 30)
#define  DWC2_GINT_WKUPINT           (1u << 31)
#define DWC2_GRXSTSR    0x01Cu
#define DWC2_GRXSTSP    0x020u
#define DWC2_GRXFSIZ    0x024u                  /* RX FIFO depth in words */
#define DWC2_GNPTXFSIZ  0x028u                  /* start addr [15:0], depth [31:16] */
#define DWC2_GNPTXSTS   0x02Cu
#define DWC2_GI2CCTL    0x030u
#define DWC2_GPVNDCTL   0x034u
#define DWC2_GGPIO      0x038u
#define DWC2_GUID       0x03Cu
#define DWC2_GSNPSID    0x040u
#define  DWC2_GSNPSID_BCM2835        0x4F54280Au
#define DWC2_GHWCFG1    0x044u
#define DWC2_GHWCFG2    0x048u
#define  DWC2_GHWCFG2_OTG_ARCH_SHIFT 3          /* 2 bits: 2 = internal DMA */
#define  DWC2_GHWCFG2_NUM_HOST_CHAN_SHIFT 14    /* 4 bits: channels - 1 */
#define  DWC2_GHWCFG2_DYNAMIC_FIFO   (1u << 19)
#define DWC2_GHWCFG3    0x04Cu                  /* [31:16] total FIFO depth in words */
#define  DWC2_GHWCFG3_DFIFO_DEPTH_SHIFT 16
#define DWC2_GHWCFG4    0x050u
#define DWC2_GLPMCFG    0x054u
#define DWC2_GPWRDN     0x058u
#define DWC2_GDFIFOCFG  0x05Cu
#define DWC2_GADPCTL    0x060u
#define DWC2_HPTXFSIZ   0x100u                  /* periodic TX FIFO: start [15:0], depth [31:16] */

/* ---- host mode registers ------------------------------------------------------------ */
#define DWC2_HCFG       0x400u
#define  DWC2_HCFG_FSLSPCLKSEL_MASK  0x3u       /* 0: 30/60 MHz, 1: 48 MHz, 2: 6 MHz */
#define  DWC2_HCFG_FSLSSUPP          (1u << 2)
#define DWC2_HFIR       0x404u                  /* frame interval, PHY clocks */
#define DWC2_HFNUM      0x408u                  /* [15:0] frame number, [31:16] time left */
#define  DWC2_HFNUM_FRNUM_MASK       0x3FFFu    /* the (micro)frame number wraps at 0x3FFF */
#define  DWC2_HFNUM_FRREM_SHIFT      16         /* PHY clocks left in the (micro)frame */
#define DWC2_HPTXSTS    0x410u
#define DWC2_HAINT      0x414u                  /* one bit per channel */
#define DWC2_HAINTMSK   0x418u
#define DWC2_HPRT0      0x440u
#define  DWC2_HPRT0_CONNSTS          (1u << 0)
#define  DWC2_HPRT0_CONNDET          (1u << 1)  /* W1C */
#define  DWC2_HPRT0_ENA              (1u << 2)  /* W1C (writing 1 disables the port) */
#define  DWC2_HPRT0_ENACHG           (1u << 3)  /* W1C */
#define  DWC2_HPRT0_OVRCURRACT       (1u << 4)
#define  DWC2_HPRT0_OVRCURRCHG       (1u << 5)  /* W1C */
#define  DWC2_HPRT0_RES              (1u << 6)
#define  DWC2_HPRT0_SUSP             (1u << 7)
#define  DWC2_HPRT0_RST              (1u << 8)
#define  DWC2_HPRT0_LNSTS_SHIFT      10         /* 2 bits */
#define  DWC2_HPRT0_PWR              (1u << 12)
#define  DWC2_HPRT0_TSTCTL_SHIFT     13         /* 4 bits */
#define  DWC2_HPRT0_SPD_SHIFT        17         /* 2 bits: DWC2_SPEED_* */
#define  DWC2_HPRT0_SPD_MASK         (3u << 17)
/* Write-1-to-clear bits of HPRT0: a read-modify-write must mask them out. */
#define  DWC2_HPRT0_W1C_MASK (DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENA | DWC2_HPRT0_ENACHG | \
                              DWC2_HPRT0_OVRCURRCHG)
#define DWC2_SPEED_HIGH 0u
#define DWC2_SPEED_FULL 1u
#define DWC2_SPEED_LOW  2u

/* ---- host channels: block of 0x20 bytes per channel at 0x500 ---------------------- */
#define DWC2_MAX_CHANNELS 16u
#define DWC2_HC_BASE    0x500u
#define DWC2_HC_STRIDE  0x20u
#define DWC2_HC(n, reg) (DWC2_HC_BASE + (n) * DWC2_HC_STRIDE + (reg))
#define DWC2_HCCHAR     0x00u
#define  DWC2_HCCHAR_MPS_MASK        0x7FFu
#define  DWC2_HCCHAR_EPNUM_SHIFT     11         /* 4 bits */
#define  DWC2_HCCHAR_EPDIR_IN        (1u << 15)
#define  DWC2_HCCHAR_LSPDDEV         (1u << 17)
#define  DWC2_HCCHAR_EPTYPE_SHIFT    18         /* 2 bits: DWC2_EP_* */
#define  DWC2_HCCHAR_MC_SHIFT        20         /* 2 bits: transactions per (micro)frame */
#define  DWC2_HCCHAR_DEVADDR_SHIFT   22         /* 7 bits */
#define  DWC2_HCCHAR_ODDFRM          (1u << 29)
#define  DWC2_HCCHAR_CHDIS           (1u << 30)
#define  DWC2_HCCHAR_CHENA           (1u << 31)
#define DWC2_EP_CONTROL   0u
#define DWC2_EP_ISOC      1u
#define DWC2_EP_BULK      2u
#define DWC2_EP_INTERRUPT 3u
#define DWC2_HCSPLT     0x04u
#define  DWC2_HCSPLT_PRTADDR_SHIFT   0          /* 7 bits: hub port */
#define  DWC2_HCSPLT_HUBADDR_SHIFT   7          /* 7 bits: hub address */
#define  DWC2_HCSPLT_XACTPOS_SHIFT   14         /* 2 bits: 3 = all */
#define  DWC2_HCSPLT_COMPSPLT        (1u << 16)
#define  DWC2_HCSPLT_SPLTENA         (1u << 31)
#define DWC2_HCINT      0x08u                   /* W1C */
#define DWC2_HCINTMSK   0x0Cu
#define  DWC2_HCINT_XFERCOMPL        (1u << 0)
#define  DWC2_HCINT_CHHLTD           (1u << 1)
#define  DWC2_HCINT_AHBERR           (1u << 2)
#define  DWC2_HCINT_STALL            (1u << 3)
#define  DWC2_HCINT_NAK              (1u << 4)
#define  DWC2_HCINT_ACK              (1u << 5)
#define  DWC2_HCINT_NYET             (1u << 6)
#define  DWC2_HCINT_XACTERR          (1u << 7)
#define  DWC2_HCINT_BBLERR           (1u << 8)
#define  DWC2_HCINT_FRMOVRUN         (1u << 9)
#define  DWC2_HCINT_DATATGLERR       (1u << 10)
#define DWC2_HCTSIZ     0x10u
#define  DWC2_HCTSIZ_XFERSIZE_MASK   0x7FFFFu   /* 19 bits */
#define  DWC2_HCTSIZ_PKTCNT_SHIFT    19         /* 10 bits */
#define  DWC2_HCTSIZ_PKTCNT_MASK     (0x3FFu << 19)
#define  DWC2_HCTSIZ_PID_SHIFT       29         /* 2 bits: DWC2_PID_* */
#define  DWC2_HCTSIZ_PID_MASK        (3u << 29)
#define  DWC2_HCTSIZ_DOPNG           (1u << 31)
#define DWC2_PID_DATA0 0u
#define DWC2_PID_DATA2 1u
#define DWC2_PID_DATA1 2u
#define DWC2_PID_SETUP 3u                       /* MDATA for non-control endpoints */
#define DWC2_HCDMA      0x14u                   /* bus address of the buffer */
#define DWC2_HCDMAB     0x1Cu

/* ---- power and clock gating ---------------------------------------------------------- */
#define DWC2_PCGCCTL    0xE00u
#define  DWC2_PCGCCTL_STOPPCLK       (1u << 0)
#define  DWC2_PCGCCTL_GATEHCLK       (1u << 1)

/* ---- data FIFOs (slave mode only; unused with DMA) ----------------------------------- */
#define DWC2_FIFO(n)    (0x1000u + (n) * 0x1000u)

/* The DMA engine sees SDRAM through the VideoCore bus: on the BCM2835 an ARM physical
 * address p is handed to DMA masters as p | 0x40000000 (the L2-coherent alias; the ARM's
 * own L1 D-cache must still be cleaned before and invalidated after a transfer) or
 * p | 0xC0000000 (uncached alias). QEMU maps RAM at all four aliases; our model masks
 * with 0x3FFFFFFF. */
#define DWC2_BUS_ADDR(p)  ((uint32_t)(p) | 0x40000000u)
#define DWC2_BUS_TO_PHYS(b) ((uint32_t)(b) & 0x3FFFFFFFu)

#endif
