/* fw_usb_desc: USB descriptor parsing (hal/usb/usb_desc.c): device, configuration with a
 * CDC-ECM function (the shape of QEMU usb-net's CDC Ethernet configuration), hub, MAC
 * string; truncated input at every length, lying bLength / wTotalLength, malformed
 * nesting, full tables, and random mutations (ASan/UBSan watch every read). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "hal/usb/usb_desc.h"
#include "bcm2835/usb.h"
#include "err.h"

static const uint8_t dev_desc[18] = {18, 1, 0x00, 0x02, 0x02, 0x00, 0x00, 64, 0x25, 0x05, 0xA2, 0xA4,
                                     0x00, 0x01, 1, 2, 3, 2};

static const uint8_t ecm_cfg[80] = {
    9, 2, 80, 0, 2, 1, 0, 0xC0, 0x32,
    9, 4, 0, 0, 1, 0x02, 0x06, 0, 0,                   /* comm iface 0, ECM */
    5, 0x24, 0x00, 0x10, 0x01,                         /* CDC header */
    5, 0x24, 0x06, 0, 1,                               /* union: master 0, slave 1 */
    13, 0x24, 0x0F, 3, 0, 0, 0, 0, 0xEA, 0x05, 0, 0, 0, /* Ethernet FD: iMAC 3, 1514 */
    7, 5, 0x81, 3, 16, 0, 32,                          /* notification, interrupt IN */
    9, 4, 1, 0, 0, 0x0A, 0, 0, 0,                      /* data iface alt 0, no endpoints */
    9, 4, 1, 1, 2, 0x0A, 0, 0, 0,                      /* data iface alt 1 */
    7, 5, 0x82, 2, 64, 0, 0,                           /* bulk IN */
    7, 5, 0x03, 2, 64, 0, 0,                           /* bulk OUT */
};

static void test_device(void **state)
{
    (void)state;
    usb_dev_desc_t d;
    assert_int_equal(usb_desc_device(dev_desc, sizeof dev_desc, &d), 0);
    assert_int_equal(d.vid, USB_VID_NETCHIP);
    assert_int_equal(d.pid, USB_PID_NETCHIP_RNDIS_ETH);
    assert_int_equal(d.mps0, 64);
    assert_int_equal(d.nconfigs, 2);
    assert_int_equal(d.cls, USB_CLASS_COMM);
    /* the first 8-byte read: mps0 known, rest missing */
    assert_int_equal(usb_desc_device(dev_desc, 8, &d), ERR_RANGE);
    assert_int_equal(d.mps0, 64);
    for (size_t n = 0; n < 8; n++)
        assert_int_equal(usb_desc_device(dev_desc, n, &d), ERR_INVAL);
    uint8_t b[18];
    memcpy(b, dev_desc, 18);
    b[1] = USB_DT_CONFIG;
    assert_int_equal(usb_desc_device(b, 18, &d), ERR_INVAL);
    memcpy(b, dev_desc, 18);
    b[0] = 17;
    assert_int_equal(usb_desc_device(b, 18, &d), ERR_INVAL);
    memcpy(b, dev_desc, 18);
    b[7] = 7;  /* impossible bMaxPacketSize0 */
    assert_int_equal(usb_desc_device(b, 18, &d), ERR_INVAL);
    memcpy(b, dev_desc, 18);
    b[17] = 0; /* no configuration */
    assert_int_equal(usb_desc_device(b, 18, &d), ERR_INVAL);
}

static void test_config_ecm(void **state)
{
    (void)state;
    usb_config_info_t c;
    usb_ecm_info_t e;
    uint16_t total;
    assert_int_equal(usb_desc_config_total(ecm_cfg, 9, &total), 0);
    assert_int_equal(total, 80);
    assert_int_equal(usb_desc_config(ecm_cfg, sizeof ecm_cfg, &c), 0);
    assert_int_equal(c.value, 1);
    assert_int_equal(c.niface, 3);
    assert_int_equal(c.dropped, 0);
    assert_int_equal(usb_desc_find_ecm(&c, &e), 0);
    assert_int_equal(e.ctrl_iface, 0);
    assert_int_equal(e.data_iface, 1);
    assert_int_equal(e.data_alt, 1);
    assert_int_equal(e.mac_index, 3);
    assert_int_equal(e.max_segment, 1514);
    assert_int_equal(e.notify.addr, 0x81);
    assert_int_equal(e.notify.mps, 16);
    assert_int_equal(e.notify.interval, 32);
    assert_int_equal(e.bulk_in.addr, 0x82);
    assert_int_equal(e.bulk_in.mps, 64);
    assert_int_equal(e.bulk_out.addr, 0x03);
    usb_ep_info_t ep;
    assert_int_equal(usb_desc_find_ep(&c, 1, USB_EP_XFER_BULK, 0, &ep), 0);
    assert_int_equal(ep.addr, 0x03);
    assert_int_equal(usb_desc_find_ep(&c, 0, USB_EP_XFER_BULK, 1, &ep), ERR_NOTSUP);
}

static void test_config_not_ecm(void **state)
{
    (void)state;
    uint8_t b[80];
    usb_config_info_t c;
    usb_ecm_info_t e;
    /* RNDIS-like: communications subclass 2 -> no ECM function */
    memcpy(b, ecm_cfg, 80);
    b[9 + 6] = USB_CDC_SUBCLASS_ACM;
    assert_int_equal(usb_desc_config(b, 80, &c), 0);
    assert_int_equal(usb_desc_find_ecm(&c, &e), ERR_NOTSUP);
    /* union names a data interface that does not exist */
    memcpy(b, ecm_cfg, 80);
    b[9 + 9 + 5 + 4] = 5;
    assert_int_equal(usb_desc_config(b, 80, &c), 0);
    assert_int_equal(usb_desc_find_ecm(&c, &e), ERR_NOTSUP);
    /* no iMACAddress */
    memcpy(b, ecm_cfg, 80);
    b[9 + 9 + 5 + 5 + 3] = 0;
    assert_int_equal(usb_desc_config(b, 80, &c), 0);
    assert_int_equal(usb_desc_find_ecm(&c, &e), ERR_NOTSUP);
}

static void test_config_truncated(void **state)
{
    (void)state;
    usb_config_info_t c;
    /* every prefix: never OK, never a read past n (exact-size heap copies) */
    for (size_t n = 0; n < sizeof ecm_cfg; n++) {
        uint8_t *b = malloc(n ? n : 1);
        memcpy(b, ecm_cfg, n);
        int rc = usb_desc_config(b, n, &c);
        assert_true(rc == ERR_INVAL || rc == ERR_RANGE);
        if (n >= 9)
            assert_int_equal(rc, ERR_RANGE);
        free(b);
    }
    /* wTotalLength shorter than the descriptors: a descriptor crosses the end */
    uint8_t b[80];
    memcpy(b, ecm_cfg, 80);
    b[2] = 75;
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_RANGE);
    b[2] = 8; /* below the header itself */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
}

static void test_config_lying(void **state)
{
    (void)state;
    uint8_t b[80];
    usb_config_info_t c;
    memcpy(b, ecm_cfg, 80);
    b[9] = 0;               /* bLength 0 would loop forever */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    memcpy(b, ecm_cfg, 80);
    b[9] = 1;
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    memcpy(b, ecm_cfg, 80);
    b[9] = 200;             /* interface claims more bytes than the configuration */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_RANGE);
    memcpy(b, ecm_cfg, 80);
    b[9] = 7;               /* interface descriptor too short */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    memcpy(b, ecm_cfg, 80);
    b[37] = 13;             /* Ethernet FD declared shorter than 13 */
    b[37 - 13 + 0] = 13;
    memcpy(b, ecm_cfg, 80);
    b[28] = 12;             /* Ethernet FD bLength 12: too short */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    memcpy(b, ecm_cfg, 80);
    b[66] = 6;              /* endpoint bLength 6 */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    memcpy(b, ecm_cfg, 80);
    b[68] = 0x80;           /* endpoint number 0 */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    memcpy(b, ecm_cfg, 80);
    b[70] = 0; b[71] = 0;   /* MPS 0 */
    assert_int_equal(usb_desc_config(b, 80, &c), ERR_INVAL);
    /* endpoint before any interface */
    static const uint8_t orphan[16] = {9, 2, 16, 0, 1, 1, 0, 0x80, 50, 7, 5, 0x81, 2, 64, 0, 0};
    assert_int_equal(usb_desc_config(orphan, 16, &c), ERR_INVAL);
    /* a second configuration header nested inside */
    static const uint8_t nested[18] = {9, 2, 18, 0, 1, 1, 0, 0x80, 50, 9, 2, 9, 0, 1, 1, 0, 0x80, 50};
    assert_int_equal(usb_desc_config(nested, 18, &c), ERR_INVAL);
    /* unknown descriptor types are skipped */
    static const uint8_t vendor[21] = {9, 2, 21, 0, 1, 1, 0, 0x80, 50, 3, 0x55, 0,
                                       9, 4, 0, 0, 0, 0xFF, 0, 0, 0};
    assert_int_equal(usb_desc_config(vendor, 21, &c), 0);
    assert_int_equal(c.niface, 1);
}

static void test_config_tables_full(void **state)
{
    (void)state;
    /* 10 interfaces of 6 endpoints each: 8 kept with 4 endpoints each, the rest counted */
    uint8_t b[9 + 10 * (9 + 6 * 7)];
    size_t n = 9;
    for (int i = 0; i < 10; i++) {
        const uint8_t it[9] = {9, 4, (uint8_t)i, 0, 6, 0xFF, 0, 0, 0};
        memcpy(b + n, it, 9);
        n += 9;
        for (int e = 0; e < 6; e++) {
            const uint8_t ep[7] = {7, 5, (uint8_t)(1 + e), 2, 64, 0, 0};
            memcpy(b + n, ep, 7);
            n += 7;
        }
    }
    const uint8_t hdr[9] = {9, 2, (uint8_t)n, (uint8_t)(n >> 8), 10, 1, 0, 0x80, 50};
    memcpy(b, hdr, 9);
    usb_config_info_t c;
    assert_int_equal(usb_desc_config(b, n, &c), 0);
    assert_int_equal(c.niface, USB_DESC_MAX_IFACE);
    assert_int_equal(c.iface[7].nep, USB_DESC_MAX_EP);
    assert_int_equal(c.dropped, 8 * 2 + 2);
}

static void test_config_fuzz(void **state)
{
    (void)state;
    usb_config_info_t c;
    usb_ecm_info_t e;
    srand(777);
    for (int it = 0; it < 50000; it++) {
        size_t n = sizeof ecm_cfg - (size_t)(rand() % 4);
        uint8_t *b = malloc(n);
        memcpy(b, ecm_cfg, n);
        for (int k = 1 + rand() % 3; k > 0; k--)
            b[rand() % n] = (uint8_t)rand();
        if (usb_desc_config(b, n, &c) == 0) {
            assert_true(c.niface <= USB_DESC_MAX_IFACE);
            assert_true(c.total_len <= n);
            if (usb_desc_find_ecm(&c, &e) == 0)
                assert_true(e.bulk_in.addr & USB_EP_DIR_IN);
        }
        free(b);
    }
}

static void test_hub(void **state)
{
    (void)state;
    usb_hub_info_t h;
    static const uint8_t hub[9] = {9, 0x29, 8, 0x09, 0x00, 50, 0, 0, 0};  /* 8 ports, 100 ms */
    assert_int_equal(usb_desc_hub(hub, 9, &h), 0);
    assert_int_equal(h.nports, 8);
    assert_int_equal(h.pwr_on_2_good_ms, 100);
    static const uint8_t hub1[7] = {7, 0x29, 1, 0, 0, 255, 0};
    assert_int_equal(usb_desc_hub(hub1, 7, &h), 0);
    assert_int_equal(h.pwr_on_2_good_ms, 255);
    assert_int_equal(usb_desc_hub(hub, 8, &h), ERR_RANGE);
    uint8_t b[9];
    memcpy(b, hub, 9);
    b[0] = 7;  /* 8 ports need 2 bitmap bytes each: 9 */
    assert_int_equal(usb_desc_hub(b, 9, &h), ERR_INVAL);
    memcpy(b, hub, 9);
    b[2] = 0;
    assert_int_equal(usb_desc_hub(b, 9, &h), ERR_INVAL);
    memcpy(b, hub, 9);
    b[1] = 0x2A;
    assert_int_equal(usb_desc_hub(b, 9, &h), ERR_INVAL);
    assert_int_equal(usb_desc_hub(hub, 1, &h), ERR_INVAL);
}

static void mkstr(uint8_t *b, const char *s)
{
    size_t n = strlen(s);
    b[0] = (uint8_t)(2 + 2 * n);
    b[1] = USB_DT_STRING;
    for (size_t i = 0; i < n; i++) {
        b[2 + 2 * i] = (uint8_t)s[i];
        b[3 + 2 * i] = 0;
    }
}

static void test_mac_string(void **state)
{
    (void)state;
    uint8_t b[64], mac[6];
    mkstr(b, "40540012aBcD");
    assert_int_equal(usb_desc_mac_string(b, b[0], mac), 0);
    const uint8_t want[6] = {0x40, 0x54, 0x00, 0x12, 0xAB, 0xCD};
    assert_memory_equal(mac, want, 6);
    assert_int_equal(usb_desc_mac_string(b, (size_t)b[0] - 1, mac), ERR_RANGE);
    mkstr(b, "40540012aBcX");
    assert_int_equal(usb_desc_mac_string(b, b[0], mac), ERR_NOTSUP);
    mkstr(b, "40540012aBc");
    assert_int_equal(usb_desc_mac_string(b, b[0], mac), ERR_NOTSUP);
    mkstr(b, "40540012aBcD");
    b[3] = 0x01; /* not ASCII in UTF-16 */
    assert_int_equal(usb_desc_mac_string(b, b[0], mac), ERR_NOTSUP);
    b[1] = USB_DT_DEVICE;
    assert_int_equal(usb_desc_mac_string(b, 26, mac), ERR_INVAL);
    mkstr(b, "40540012aBcD");
    b[0] = 25; /* odd length */
    assert_int_equal(usb_desc_mac_string(b, 26, mac), ERR_INVAL);
}

static void test_cdc_notify(void **state)
{
    (void)state;
    const uint8_t up[8] = {0xA1, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}; /* QEMU usb-net's */
    const uint8_t down[8] = {0xA1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    const uint8_t speed[16] = {0xA1, 0x2A, 0, 0, 0, 0, 8, 0, 0, 0xE1, 0xF5, 0x05, 0, 0xE1, 0xF5, 0x05};
    const uint8_t wrongtype[8] = {0x21, 0x00, 0x01, 0, 0, 0, 0, 0};
    assert_int_equal(usb_desc_cdc_notify(up, 8), 1);
    assert_int_equal(usb_desc_cdc_notify(down, 8), 0);
    assert_int_equal(usb_desc_cdc_notify(speed, 16), -1);
    assert_int_equal(usb_desc_cdc_notify(wrongtype, 8), -1);
    assert_int_equal(usb_desc_cdc_notify(up, 7), -1);
    assert_int_equal(usb_desc_cdc_notify(NULL, 8), -1);
}

static void test_setup_pack(void **state)
{
    (void)state;
    uint8_t s[8];
    usb_setup_pack(s, USB_RT_DIR_IN, USB_REQ_GET_DESCRIPTOR, USB_DT_CONFIG << 8, 0x0409, 0x1234);
    const uint8_t want[8] = {0x80, 0x06, 0x00, 0x02, 0x09, 0x04, 0x34, 0x12};
    assert_memory_equal(s, want, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device),         cmocka_unit_test(test_config_ecm),
        cmocka_unit_test(test_config_not_ecm), cmocka_unit_test(test_config_truncated),
        cmocka_unit_test(test_config_lying),   cmocka_unit_test(test_config_tables_full),
        cmocka_unit_test(test_config_fuzz),    cmocka_unit_test(test_hub),
        cmocka_unit_test(test_mac_string),     cmocka_unit_test(test_setup_pack),
        cmocka_unit_test(test_cdc_notify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
