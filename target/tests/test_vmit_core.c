/* Host tests of vmit/vmit_core.h: priority pick and mask ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "vmit/vmit_core.h"

static vmit_core_t c;

static void setup_plan(void)
{
    vmit_core_init(&c);
    vmit_core_bind(&c, 3, 0);   /* ST C3: storm, lowest */
    vmit_core_bind(&c, 1, 1);   /* ST C1 */
    vmit_core_bind(&c, 57, 2);  /* PL011 */
    vmit_core_bind(&c, 29, 3);  /* AUX: highest */
    vmit_core_bind(&c, 64, 1);  /* ARM timer (basic bank) */
    c.enabled[0] = (1u << 3) | (1u << 1) | (1u << 29);
    c.enabled[1] = 1u << (57 - 32);
    c.enabled[2] = 1u;
}

static void test_pick_highest_level_first(void **state)
{
    (void)state;
    setup_plan();
    uint32_t pend[3] = {(1u << 3) | (1u << 1) | (1u << 29), 1u << 25, 1u};
    assert_int_equal(vmit_core_pick(&c, pend), 29);
    pend[0] &= ~(1u << 29);
    assert_int_equal(vmit_core_pick(&c, pend), 57);
    pend[1] = 0;
    assert_int_equal(vmit_core_pick(&c, pend), 1);   /* tie at level 1: lowest number */
    pend[0] &= ~(1u << 1);
    assert_int_equal(vmit_core_pick(&c, pend), 64);
    pend[2] = 0;
    assert_int_equal(vmit_core_pick(&c, pend), 3);
    pend[0] = 0;
    assert_int_equal(vmit_core_pick(&c, pend), -1);
}

static void test_running_level_masks_equal_and_lower(void **state)
{
    (void)state;
    setup_plan();
    uint32_t pend[3] = {(1u << 3) | (1u << 1), 0, 1u};
    c.cur = 1;
    assert_int_equal(vmit_core_pick(&c, pend), -1);  /* level 1 and 0 only: masked */
    pend[1] = 1u << 25;
    assert_int_equal(vmit_core_pick(&c, pend), 57);
    c.cur = 3;
    pend[0] |= 1u << 29;
    assert_int_equal(vmit_core_pick(&c, pend), -1);  /* nothing above the top level */
}

static void test_disabled_and_unbound_ignored(void **state)
{
    (void)state;
    setup_plan();
    uint32_t pend[3] = {(1u << 7) | (1u << 29), 0, 0};
    c.enabled[0] &= ~(1u << 29);
    assert_int_equal(vmit_core_pick(&c, pend), -1);
}

static void test_ranges(void **state)
{
    (void)state;
    setup_plan();
    uint32_t b[3];
    vmit_core_range(&c, -1, 1, b);  /* entry at level 1 from the application */
    assert_int_equal(b[0], (1u << 3) | (1u << 1));
    assert_int_equal(b[1], 0);
    assert_int_equal(b[2], 1u);
    vmit_core_range(&c, 1, 3, b);   /* nested entry at 3 over 1: only levels 2..3 */
    assert_int_equal(b[0], 1u << 29);
    assert_int_equal(b[1], 1u << 25);
    assert_int_equal(b[2], 0);
    vmit_core_range(&c, 2, 2, b);
    assert_int_equal(b[0] | b[1] | b[2], 0);
}

static void test_rebind_and_may_unmask(void **state)
{
    (void)state;
    setup_plan();
    assert_int_equal(vmit_core_level(&c, 3), 0);
    vmit_core_bind(&c, 3, 2);
    assert_int_equal(vmit_core_level(&c, 3), 2);
    assert_int_equal(vmit_core_level(&c, 4), -1);
    c.cur = 1;
    assert_true(vmit_core_may_unmask(&c, 3));
    assert_false(vmit_core_may_unmask(&c, 1));
    assert_false(vmit_core_may_unmask(&c, 64));
    c.cur = VMIT_LEVEL_NONE;
    assert_true(vmit_core_may_unmask(&c, 64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pick_highest_level_first),
        cmocka_unit_test(test_running_level_masks_equal_and_lower),
        cmocka_unit_test(test_disabled_and_unbound_ignored),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_rebind_and_may_unmask),
    };
    return cmocka_run_group_tests_name("fw_vmit_core", tests, NULL, NULL);
}
